using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Twin.Grains.Simulation;
using Twin.Grains.UseCases;
using Twin.Host.Api;
using static Twin.Host.Cli.Render;

namespace Twin.Host.Cli;

/// <summary><c>twin sweep</c>: a simulation sweep on the live twin's datacenter, run across the cluster's silos.</summary>
internal static class SweepVerb
{
    public static void AddTo(RootCommand root, GlobalOptions g, CliConsole console)
    {
        var replications = new Option<int>("--replications", "-r") { Description = "Replications (seeds) per variant", DefaultValueFactory = _ => 20 };
        var hours = new Option<double>("--hours") { Description = "Simulated hours", DefaultValueFactory = _ => 168 };
        var arrivals = new Option<double>("--arrivals") { Description = "VM arrivals per hour", DefaultValueFactory = _ => 10 };
        var lifetime = new Option<double>("--lifetime") { Description = "Mean VM lifetime in hours", DefaultValueFactory = _ => 24 };
        var share = new Option<double>("--sriov-share") { Description = "Share of VMs that want a VF (0-1)", DefaultValueFactory = _ => 0.5 };
        var seed = new Option<ulong>("--seed") { Description = "The sweep's seed (replication r of seed s is always the same run)", DefaultValueFactory = _ => 1 };
        var vfs = new Option<int[]>("--vfs") { Description = "A variant per value: every SR-IOV PF with this many VFs", AllowMultipleArgumentsPerToken = true };
        var command = new Command("sweep",
            "Simulates the live twin's datacenter under a synthetic workload for many replications and variants, spread over the "
            + "cluster's silos as grains; prints P50/P95 bands per variant")
        {
            replications, hours, arrivals, lifetime, share, seed, vfs,
        }.Client(g, console, async (p, c, ct) =>
        {
            var variants = new List<SweepVariant> { new("baseline") };
            variants.AddRange((p.GetValue(vfs) ?? []).Select(v => new SweepVariant($"{v} VFs/PF", VfsPerPf: v)));
            var spec = new SweepSpec
            {
                Replications = p.GetValue(replications),
                Hours = p.GetValue(hours),
                ArrivalsPerHour = p.GetValue(arrivals),
                MeanLifetimeHours = p.GetValue(lifetime),
                SriovShare = p.GetValue(share),
                Seed = p.GetValue(seed),
                Variants = variants,
            };
            var json = await c.Client.SendAsync(HttpMethod.Post, "api/simulations/sweep", spec, ct);
            if (AsJson(c, json)) return ExitCodes.Ok;
            var report = json.Deserialize<SweepReport>(TwinJson.Reading)!;
            c.Output.Table(
                [new("variant"), new("VMs started P50"), new("fell back P50"), new("fell back P95"), new("exhausted"), new("first exhaustion h P50"), new("gain Gbit/s P50")],
                report.Variants.Select(v => (IReadOnlyList<string?>)
                [
                    v.Variant.Name, F(v.Summary.VmsStarted.P50), F(v.Summary.VnicsFellBack.P50), F(v.Summary.VnicsFellBack.P95),
                    $"{v.Summary.FirstExhaustion.ReplicationsExhausted}/{v.Summary.FirstExhaustion.Replications}",
                    v.Summary.FirstExhaustion.Hours is { } h ? F(h.P50) : "-", F(v.Summary.GainOverSyntheticGbps.P50),
                ]),
                $"{report.Replications} replications × {report.Variants.Count} variant(s), {report.Hours:0.#} h, seed {report.Seed}, {report.ElapsedMilliseconds / 1000:0.0} s");
            if (c.Output.Format == OutputFormat.Table)
                c.Output.Table([new("silo"), new("replications"), new("cpu s")],
                    report.Silos.Select(s => (IReadOnlyList<string?>)[s.Silo, N(s.Replications), F(s.CpuMilliseconds / 1000)]));
            return ExitCodes.Ok;
        });
        root.Add(command);
    }

    private static string F(double value) => double.IsNaN(value) ? "-" : value.ToString("0.##", CultureInfo.InvariantCulture);
}
