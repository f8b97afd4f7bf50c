using System.Globalization;
using MediatR;
using Twin.Events.Platforms;
using Twin.Grains.UseCases;
using Twin.Host.Cli;
using Twin.Host.Rehearsal;
using Twin.Host.WhatIf;
using Twin.Simulation.WhatIf;

namespace Twin.Host.Demo;

/// <summary>The demo's last two jobs: rehearsing a change on a fork of the twin (GO / NO-GO with side effects and the
/// horizon) and forecasting VF exhaustion with the simulator, starting from the twin as the workload left it. The plan
/// and scenario files are written to the demo's folder, so the same runs can be repeated with <c>twin rehearse</c> and
/// <c>twin whatif</c> against <c>twin serve --data</c>.</summary>
internal sealed partial class DemoCommand
{
    private async Task RehearseAsync(CancellationToken ct)
    {
        var pools = await Send(new GetVfPools(), ct);
        var kvm = pools.Where(p => p.Platform == Platform.Kvm).OrderByDescending(p => p.Allocated).FirstOrDefault();
        var hyperV = pools.Where(p => p.Platform == Platform.HyperV).OrderByDescending(p => p.Allocated).FirstOrDefault();
        var more = settings.VfsPerPf * 2;
        var plans = Path.Combine(Path.GetFullPath(settings.DataDirectory), "plans");
        Directory.CreateDirectory(plans);

        if (kvm is not null)
        {
            var report = await RehearseFileAsync(plans, "kvm-set-vfs.yaml", $"""
                # Resize a Linux PF's VF pool in place, with VMs holding its VFs.
                name: {kvm.Id} to {more} VFs in place
                horizon: {"{"}enabled: false{"}"}
                steps:
                  - action: set-vfs
                    nic: {kvm.Id}
                    vfs: {more}
                """, ct);
            Say($"plan: set {kvm.Id} ({kvm.Allocated} of {kvm.Configured} VFs held) to {more} VFs → {Verdict(report)}");
            foreach (var reason in report.NoGo.Take(1)) Say($"  {reason}");
        }

        if (hyperV is not null)
        {
            var report = await RehearseFileAsync(plans, "hyperv-set-vfs.yaml", $"""
                # NumVFs on a Hyper-V PF, with VMs holding its VFs; and what the next 30 days look like with and without it.
                name: {hyperV.Id} to {more} VFs
                horizon:
                  days: 30
                  replications: 4
                  seed: {settings.Seed.ToString(CultureInfo.InvariantCulture)}
                  sriovShare: 1
                steps:
                  - action: set-vfs
                    nic: {hyperV.Id}
                    vfs: {more}
                """, ct);
            Say($"plan: set {hyperV.Id} ({hyperV.Allocated} of {hyperV.Configured} VFs held) to {more} VFs → {Verdict(report)}");
            foreach (var reason in report.NoGo.Take(1)) Say($"  {reason}");
            if (!report.Go) return;
            foreach (var step in report.Steps) Say($"  step {step.Number}: {step.Summary} ({step.Events.Count} event(s) it would append)");
            var effects = report.Steps.SelectMany(s => s.SideEffects).GroupBy(e => e.Kind).Select(g => $"{g.Count()} {g.Key}");
            Say($"  side effects: {string.Join(", ", effects)}");
            foreach (var pf in report.Pfs) Say($"  {pf.Nic}: configured {pf.ConfiguredBefore} → {pf.ConfiguredAfter}, held {pf.AllocatedBefore} → {pf.AllocatedAfter}");
            if (report.Horizon is { } h) Say($"  next 30 days ({h.Replications} replications, same seeds): {h.Summary}");
            Say($"  nothing was written: the live streams are where they were ({report.Expected.Count} stream(s) read at their versions).");
        }
        Say($"plans in {Relative(plans)}; with `./twin serve --data {settings.DataDirectory}` running, `./twin rehearse FILE [--apply]` repeats them.");
    }

    private async Task<RehearsalReport> RehearseFileAsync(string folder, string name, string yaml, CancellationToken ct)
    {
        var path = Path.Combine(folder, name);
        await File.WriteAllTextAsync(path, yaml + "\n", ct);
        var plan = PlanFile.Parse(yaml, path);
        return await Send(new RehearsePlan(plan.Plan) { Actor = Actor }, ct);
    }

    private string Verdict(RehearsalReport report) =>
        console.Paint(report.Go ? Ansi.Green : Ansi.Red, report.Verdict) + (report.Warnings.Count > 0 ? $" ({report.Warnings.Count} warning(s): {report.Warnings[0]})" : "");

    private static string Days(ExhaustionDays e, double horizon) =>
        e.ReplicationsExhausted == 0 ? $"never in {horizon:0} days" : $"{Day(e.P50, horizon)} / {Day(e.P95, horizon)} ({e.ReplicationsExhausted}/{e.Replications})";

    private static string Day(double? day, double horizon) =>
        day is { } d ? d.ToString(d >= 10 ? "0" : "0.0", CultureInfo.InvariantCulture) : $">{horizon:0}";

    private async Task ForecastAsync(string samples, CancellationToken ct)
    {
        var folder = Path.GetFullPath(settings.DataDirectory);
        var tables = Path.Combine(samples, "traces", "azure-v2-2019-distributions");
        var perHour = Math.Round(settings.Vms / Math.Max(settings.Hours, 1), 2);
        var vfs = settings.VfsPerPf;
        // the variants raise NumVFs on every PF: no higher than the smallest ceiling, which the NIC decider enforces
        var ceiling = (await Send(new GetVfPools(), ct)).Min(p => p.Ceiling ?? int.MaxValue);
        var variants = new[] { vfs * 2, vfs * 4 }.Select(n => n <= ceiling ? (Name: $"vfs-{n}", Change: $"numVfs: {n}") : (Name: "ceiling", Change: "toCeiling: true"))
            .Distinct().ToList();
        var variantText = variants.Select(v => $"""
                  - name: {v.Name}
                    changes:
                      - setNumVfs: {"{"}pfs: all, {v.Change}{"}"}
                """);
        string Table(string file) => Path.Combine(tables, file).Replace("\\", "/", StringComparison.Ordinal);
        var yaml = $"""
            # The demo's twin as it is after the workload, under the same Azure-2019-shaped arrivals growing 25 % over
            # 30 days: when do the VF pools run out with {vfs} VFs per PF, and what would {string.Join(" or ", variants.Select(v => v.Name))} buy?
            #   ./twin serve --data {settings.DataDirectory} &   ./twin whatif {Path.Combine(settings.DataDirectory, "forecast.yaml")}
            name: demo-forecast
            description: {vfs} VFs per PF against {string.Join(" and ", variants.Select(v => v.Name))} for the next 30 days
            base: {"{"}live: true{"}"}
            horizon: 30d
            replications: 8
            seed: {settings.Seed.ToString(CultureInfo.InvariantCulture)}
            placement: SriovAware
            workload:
              synthetic:
                arrivalsPerHour: {perHour.ToString(CultureInfo.InvariantCulture)}
                growthPercent: 25
                lifetimeHours: {"{"}azure2019: "{Table("lifetime.txt")}"{"}"}
                cores: {"{"}azure2019: "{Table("cores.txt")}"{"}"}
                memoryGiB: {"{"}azure2019: "{Table("memory.txt")}"{"}"}
                network: {"{"}sriovShare: 1, vnics: 1, iovWeight: 100, gbpsPerVnic: {"{"}mean: 2{"}"}{"}"}
            variants:
            {string.Join("\n", variantText)}
            """;
        var path = Path.Combine(folder, "forecast.yaml");
        await File.WriteAllTextAsync(path, yaml + "\n", ct);
        var scenario = ScenarioYaml.Read(yaml, path);

        await using var scope = _services.CreateAsyncScope();
        var live = new MediatorLiveTwin(scope.ServiceProvider.GetRequiredService<IMediator>());
        var run = await WhatIfRunner.RunAsync(scenario, folder, live, DateTimeOffset.UtcNow, ct: ct);
        var report = run.Report;
        Say($"{report.Replications} replications × {report.Variants.Count} variants of 30 days simulated in {run.Seconds:0.0} s, from {report.Base}");
        Say($"workload: {perHour.ToString(CultureInfo.InvariantCulture)} VMs/h growing 25 %, sizes and lifetimes from the Azure 2019 trace; every vNIC wants a VF");
        Say("");
        var width = Math.Max(8, report.Variants.Max(v => v.Name.Length));
        Say($"  {"variant".PadRight(width)}  {"VFs",4}  {"a PF out (P50/P95 day)",-26}  {"all out",8}  {"fell back",9}  {"failed starts",13}  {"delivered",9}  {"SR-IOV gain",11}");
        foreach (var v in report.Variants)
            Say($"  {v.Name.PadRight(width)}  {v.VfsAllocatable,4}  {Days(v.FirstExhaustion, report.HorizonDays),-26}  {Day(v.FirstClusterRunsOut.P50, report.HorizonDays),8}  "
                + $"{v.Demand.VnicsFellBack.P50,9:0}  {v.Demand.FailedStarts.P50,13:0}  {v.Throughput.DeliveredGbps.P50,4:0.0} Gb/s  {v.Throughput.GainPercent.P50,10:0.#}%");
        Say(console.Paint(Ansi.Dim, "(P50 over the replications; fell back = Hyper-V vNICs left synthetic, failed starts = KVM starts refused for want of a VF;"));
        Say(console.Paint(Ansi.Dim, " delivered = mean traffic carried; gain = over the same VMs all on the synthetic path, which a saturated uplink narrows)"));
        Say("");
        foreach (var v in report.Variants.Skip(1))
            if (v.VersusBaseline is { } c) Say($"{v.Name}: {c.Verdict}");
        // kept in the twin as a saved scenario with this run, as `twin scenario save` and `run` would: the dashboard
        // and `twin scenario show demo-forecast` find it after the demo
        var saved = await Send(new SaveScenario(scenario.Name, yaml, folder, scenario.Description) { Actor = Actor }, ct);
        var verdicts = new List<string> { $"baseline: {HtmlReport.Exhaustion(report.Baseline.FirstExhaustion, report.HorizonDays)}" };
        verdicts.AddRange(report.Variants.Skip(1).Select(v => $"{v.Name}: {v.VersusBaseline?.Verdict}"));
        await Send(new RecordScenarioRun(scenario.Name, saved.Revision, Math.Round(run.Seconds, 3),
            System.Text.Json.JsonSerializer.Serialize(report, Twin.Host.Api.TwinJson.Options), verdicts) { Actor = Actor }, ct);
        var html = Path.Combine(folder, "forecast.html");
        await File.WriteAllTextAsync(html, HtmlReport.Render(report, run.Seconds), ct);
        Say($"report with charts: {Relative(html)}; scenario: {Relative(path)}, saved in the twin as {scenario.Name} (`twin scenario show {scenario.Name}`)");
    }
}
