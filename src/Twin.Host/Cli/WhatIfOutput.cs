using System.Globalization;
using System.Text.Json;
using Twin.Host.Api;
using Twin.Host.WhatIf;
using Twin.Simulation.WhatIf;

namespace Twin.Host.Cli;

/// <summary>How the CLI shows what-if reports and simulations: side-by-side tables for people, the report as JSON for
/// pipelines, progress on stderr when it is a terminal, and the HTML report written on request.</summary>
internal static class WhatIfOutput
{
    /// <summary>The side-by-side comparison (table or CSV), the verdicts, clusters and platforms; or the report as JSON.</summary>
    public static void Report(CliConsole console, Output output, WhatIfReport report, double seconds)
    {
        if (output.Format == OutputFormat.Json)
        {
            output.Json(JsonSerializer.SerializeToElement(report, TwinJson.Options));
            return;
        }
        var csv = output.Format == OutputFormat.Csv;
        if (!csv)
        {
            console.Line(console.Paint(Ansi.Bold, $"what-if {report.Scenario}") + (report.Description is { } d ? $" — {d}" : ""));
            console.Line(console.Paint(Ansi.Dim, $"{report.Replications} replications, seed {report.Seed}, horizon {N(report.HorizonDays)} days from {report.Epoch:yyyy-MM-dd}; "
                                                  + $"simulated in {seconds:0.0} s"));
            console.Line(console.Paint(Ansi.Dim, $"base: {report.Base}"));
            foreach (var n in report.Notes) console.Line(console.Paint(Ansi.Dim, $"note: {n}"));
            console.Line("");
        }
        output.Table(
            [
                new("VARIANT"), new("FIRST_EXHAUSTION_DAY", ExhaustionColour), new("P95_DAY"), new("EXHAUSTED"), new("MOST_CONSTRAINED_PF"),
                new("CLUSTER_OUT_DAY", ExhaustionColour),
                new("FELL_BACK", v => v is "0" or "" ? null : Ansi.Yellow), new("FAILED_STARTS", v => v is "0" or "" ? null : Ansi.Red), new("REFUSED_ROOM"),
                new("VF_GBPS"), new("SYN_GBPS"), new("ALL_SYN_GBPS"), new("GAIN_%"), new("CPU_SAVED"), new("LATENCY_US"),
            ],
            report.Variants.Select(v => (string?[])
            [
                v.Name, Day(v.FirstExhaustion), Day(v.FirstExhaustion.P95), $"{v.FirstExhaustion.ReplicationsExhausted}/{v.FirstExhaustion.Replications}",
                v.MostConstrainedPf ?? "-", Day(v.FirstClusterRunsOut), N(v.Demand.VnicsFellBack.P50), N(v.Demand.FailedStarts.P50), N(v.Demand.VmsRefusedForRoom.P50),
                N(v.Throughput.VfPathGbps.P50), N(v.Throughput.SyntheticPathGbps.P50), N(v.Throughput.AllSyntheticGbps.P50), N(v.Throughput.GainPercent.P50),
                N(v.Throughput.CpuCoresSaved.P50), N(v.Throughput.MeanLatencyUs.P50),
            ]), csv ? null : "SIDE BY SIDE (P50 across replications; days since simulated zero)");
        if (csv) return;

        console.Line("");
        console.Line(console.Paint(Ansi.Bold, "VERDICTS"));
        console.Line($"  baseline: {HtmlReport.Exhaustion(report.Baseline.FirstExhaustion, report.HorizonDays)}");
        foreach (var v in report.Variants.Skip(1))
        {
            console.Line($"  {v.Name}: {v.VersusBaseline?.Verdict}");
            foreach (var c in v.Changes) console.Line(console.Paint(Ansi.Dim, $"      {c}"));
        }

        var clusters = report.Variants.SelectMany(v => v.Clusters.Select(c => c.Cluster)).Distinct(StringComparer.Ordinal).ToList();
        console.Line("");
        output.Table([new("CLUSTER"), .. report.Variants.Select(v => new Column(v.Name.ToUpperInvariant()))],
            clusters.Select(c => (string?[])[c.Length == 0 ? "(none)" : c, .. report.Variants.Select(v => v.Clusters.FirstOrDefault(x => x.Cluster == c) is { } x
                ? $"{Day(x.FirstExhaustion)} ({x.FirstExhaustion.ReplicationsExhausted}/{x.FirstExhaustion.Replications}) / {Day(x.RunsOut)}" : "not there")]),
            "VF EXHAUSTION PER CLUSTER: first PF out (replications) / whole cluster out, P50 day");

        console.Line("");
        output.Table([new("VARIANT"), new("PLATFORM"), new("VF_REQUESTS"), new("FELL_BACK"), new("FAILED_POWER_ONS", v => v is "0" ? null : Ansi.Red)],
            report.Variants.SelectMany(v => v.Demand.ByPlatform.Select(p => (string?[])[v.Name, p.Platform, N(p.VfRequests.P50), N(p.FellBack.P50), N(p.FailedStarts.P50)])),
            "UNMET VF DEMAND PER PLATFORM (P50)");

        var disruptions = HtmlReport.DisruptionRows(report.Variants.Select(v => v.Disruptions));
        if (disruptions.Count == 0) return;
        console.Line("");
        output.Table([new("FIGURE"), .. report.Variants.Select(v => new Column(v.Name.ToUpperInvariant()))],
            disruptions.Select(d => (string?[])[d.Label, .. report.Variants.Select(v => v.Disruptions is { } x ? $"{N(d.Band(x).P50)} / {N(d.Band(x).P95)}" : "-")]),
            "DISRUPTIONS (P50 / P95 across replications)");
    }

    /// <summary>One simulation (no variants): the figures and one row per PF.</summary>
    public static void Simulation(CliConsole console, Output output, WhatIfReport report, double seconds)
    {
        var v = report.Baseline;
        if (output.Format == OutputFormat.Json)
        {
            output.Json(JsonSerializer.SerializeToElement(new
            {
                report.Seed, report.Replications, report.HorizonDays, report.Epoch, report.Base, report.Notes, report.Assumptions,
                Seconds = Math.Round(seconds, 2), Result = v,
            }, TwinJson.Options));
            return;
        }
        if (output.Format == OutputFormat.Table)
        {
            console.Line(console.Paint(Ansi.Bold, $"simulation: {report.Replications} replications, seed {report.Seed}, horizon {N(report.HorizonDays)} days "
                                                   + $"from {report.Epoch:yyyy-MM-dd}; {seconds:0.0} s"));
            console.Line(console.Paint(Ansi.Dim, $"base: {report.Base}"));
            foreach (var n in report.Notes) console.Line(console.Paint(Ansi.Dim, $"note: {n}"));
            console.Line("");
            output.Record(
            [
                ("VMs arrived / started", $"{N(v.Demand.VmsArrived.P50)} / {N(v.Demand.VmsStarted.P50)} (refused for room {N(v.Demand.VmsRefusedForRoom.P50)})"),
                ("first VF exhaustion", HtmlReport.Exhaustion(v.FirstExhaustion, report.HorizonDays)),
                ("most constrained PF", v.MostConstrainedPf ?? "-"),
                ("vNICs wanting a VF", N(v.Demand.VnicsWantingVf.P50)),
                ("fell back to synthetic", $"{N(v.Demand.VnicsFellBack.P50)} vNICs (P95 {N(v.Demand.VnicsFellBack.P95)})"),
                ("failed power-ons", $"{N(v.Demand.FailedStarts.P50)} VMs (P95 {N(v.Demand.FailedStarts.P95)}), {N(v.Demand.VnicsInFailedStarts.P50)} vNICs"),
                ("left without a VF", $"{N(v.Demand.UnmetPercent.P50)} % of the vNICs that wanted one"),
                ("throughput VF / synthetic", $"{N(v.Throughput.VfPathGbps.P50)} / {N(v.Throughput.SyntheticPathGbps.P50)} Gbit/s (all synthetic: {N(v.Throughput.AllSyntheticGbps.P50)})"),
                ("gain of SR-IOV", $"{N(v.Throughput.GainGbps.P50)} Gbit/s ({N(v.Throughput.GainPercent.P50)} %), {N(v.Throughput.CpuCoresSaved.P50)} host cores saved"),
                ("mean latency", $"{N(v.Throughput.MeanLatencyUs.P50)} µs (all synthetic: {N(v.Throughput.AllSyntheticLatencyUs.P50)} µs)"),
            ]);
            console.Line("");
            var disruptions = HtmlReport.DisruptionRows([v.Disruptions]);
            if (disruptions.Count > 0)
            {
                output.Table([new("FIGURE"), new("P50"), new("P95")],
                    disruptions.Select(d => (string?[])[d.Label, N(d.Band(v.Disruptions!).P50), N(d.Band(v.Disruptions!).P95)]),
                    "DISRUPTIONS (across replications)");
                console.Line("");
            }
        }
        output.Table(
            [
                new("NIC"), new("HOST"), new("CLUSTER"), new("ALLOCATABLE"), new("VF_REQUESTS"), new("GRANTED"), new("FELL_BACK", x => x is "0" ? null : Ansi.Yellow),
                new("FAILED_STARTS", x => x is "0" ? null : Ansi.Red), new("PEAK_ALLOCATED"), new("MEAN_ALLOCATED"), new("FIRST_EXHAUSTION_DAY", ExhaustionColour),
                new("P95_DAY"), new("EXHAUSTED"),
            ],
            v.PfResults.Select(p => (string?[])
            [
                p.Nic, p.Host, p.Cluster, N(p.Allocatable), N(p.VfRequests.P50), N(p.Granted.P50), N(p.FellBack.P50), N(p.FailedStarts.P50), N(p.PeakAllocated.P50),
                N(p.MeanAllocated.P50), Day(p.FirstExhaustion), Day(p.FirstExhaustion.P95),
                $"{p.FirstExhaustion.ReplicationsExhausted}/{p.FirstExhaustion.Replications}",
            ]), output.Format == OutputFormat.Table ? "PER PF (P50 across replications)" : null);
    }

    /// <summary>Writes the HTML report and says where (stdout for tables, stderr when stdout carries JSON or CSV).</summary>
    public static async Task WriteHtml(CliConsole console, Output output, WhatIfReport report, double seconds, FileInfo file, CancellationToken ct)
    {
        if (file.Directory is { Exists: false } dir) dir.Create();
        await File.WriteAllTextAsync(file.FullName, HtmlReport.Render(report, seconds), ct);
        var line = $"twin: report written to {file.FullName}";
        if (output.Format == OutputFormat.Table) console.Line(line);
        else console.Error.WriteLine(line);
    }

    /// <summary>Progress on stderr when it is a terminal: replications done of all, and the variant of the last one.</summary>
    public static Action<WhatIfProgress>? Progress(CliConsole console, string what)
    {
        if (!console.ErrorIsTerminal) return null;
        var gate = new Lock();
        var shown = -1;
        return p =>
        {
            lock (gate)
            {
                var percent = 100 * p.Done / Math.Max(1, p.Total);
                if (percent == shown && p.Done != p.Total) return;
                shown = percent;
                console.Error.Write($"\r{what}: {p.Done}/{p.Total} replications ({percent} %), last: {p.Variant}      ");
                if (p.Done == p.Total) console.Error.WriteLine();
            }
        };
    }

    private static string Day(ExhaustionDays e) => Day(e.P50);

    private static string Day(double? day) => day is { } d ? N(d) : "-";

    private static string? ExhaustionColour(string text) => text == "-" ? Ansi.Green : Ansi.Yellow;

    private static string N(double v) => v.ToString(Math.Abs(v) >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture);

    private static string N(int v) => v.ToString(CultureInfo.InvariantCulture);
}
