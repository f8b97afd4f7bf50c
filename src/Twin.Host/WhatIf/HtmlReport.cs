using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Twin.Host.Api;
using Twin.Simulation.Model;
using Twin.Simulation.WhatIf;

namespace Twin.Host.WhatIf;

/// <summary>
/// A what-if report as one self-contained HTML file: the verdicts and tables, and charts (VF utilisation over time
/// with its P50/P95 band per variant, the exhaustion forecast per cluster, throughput with and without SR-IOV) drawn by
/// the vendored Chart.js, inlined with its licence banner. The report's data is in the file as JSON
/// (<c>script#twin-whatif-data</c>); nothing is loaded from the network.
/// </summary>
public static class HtmlReport
{
    private const string ChartJsResource = "wwwroot/vendor/chart.js/chart.umd.min.js";

    /// <summary>The id of the script element that holds the report's JSON.</summary>
    public const string DataElementId = "twin-whatif-data";

    public static string Render(WhatIfReport report, double? seconds = null)
    {
        var html = new StringBuilder(1 << 20);
        var title = $"What-if: {report.Scenario}";
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(title)).Append("</title>\n<style>").Append(Css).Append("</style>\n")
            .Append("<script>\n").Append(ChartJs()).Append("\n</script>\n</head>\n<body>\n<main>\n");

        html.Append("<h1>").Append(E(title)).Append("</h1>\n");
        if (report.Description is { } d) html.Append("<p class=\"lead\">").Append(E(d)).Append("</p>\n");
        html.Append("<p class=\"meta\">").Append(E($"{report.Replications} replications, seed {report.Seed}, horizon {Num(report.HorizonDays)} days from "
            + $"{report.Epoch:yyyy-MM-dd}; base: {report.Base}" + (seconds is { } s ? $"; simulated in {s:0.0} s" : ""))).Append("</p>\n");

        html.Append("<h2>Verdicts</h2>\n<ul class=\"verdicts\">\n");
        html.Append("<li><b>baseline</b>: ").Append(E(Exhaustion(report.Baseline.FirstExhaustion, report.HorizonDays))).Append("</li>\n");
        foreach (var v in report.Variants.Skip(1))
            html.Append("<li><b>").Append(E(v.Name)).Append("</b>: ").Append(E(v.VersusBaseline?.Verdict ?? "")).Append("</li>\n");
        html.Append("</ul>\n");

        html.Append("<h2>Side by side</h2>\n");
        Table(html, ["", .. report.Variants.Select(v => v.Name)],
        [
            ["changes", .. report.Variants.Select(v => v.Changes.Count == 0 ? "—" : string.Join("; ", v.Changes))],
            ["hosts / PFs / allocatable VFs", .. report.Variants.Select(v => $"{v.Hosts} / {v.Pfs} / {v.VfsAllocatable}")],
            ["first VF exhaustion (day, P50 / P95)", .. report.Variants.Select(v => Exhaustion(v.FirstExhaustion, report.HorizonDays))],
            ["most constrained PF", .. report.Variants.Select(v => v.MostConstrainedPf ?? "—")],
            ["a whole cluster out of VFs (day, P50 / P95)", .. report.Variants.Select(v => Exhaustion(v.FirstClusterRunsOut, report.HorizonDays))],
            ["vNICs wanting a VF (P50)", .. report.Variants.Select(v => Num(v.Demand.VnicsWantingVf.P50))],
            ["vNICs that fell back to synthetic (P50 / P95)", .. report.Variants.Select(v => $"{Num(v.Demand.VnicsFellBack.P50)} / {Num(v.Demand.VnicsFellBack.P95)}")],
            ["failed power-ons (VMs, P50 / P95; their vNICs)", .. report.Variants.Select(v => $"{Num(v.Demand.FailedStarts.P50)} / {Num(v.Demand.FailedStarts.P95)} ({Num(v.Demand.VnicsInFailedStarts.P50)} vNICs)")],
            ["wanting vNICs left without a VF (P50 %)", .. report.Variants.Select(v => $"{Num(v.Demand.UnmetPercent.P50)} %")],
            ["VMs refused for room (P50)", .. report.Variants.Select(v => Num(v.Demand.VmsRefusedForRoom.P50))],
            ["throughput on VFs / synthetic (Gbit/s, P50)", .. report.Variants.Select(v => $"{Num(v.Throughput.VfPathGbps.P50)} / {Num(v.Throughput.SyntheticPathGbps.P50)}")],
            ["all-synthetic reference (Gbit/s)", .. report.Variants.Select(v => Num(v.Throughput.AllSyntheticGbps.P50))],
            ["gain of SR-IOV (Gbit/s, %)", .. report.Variants.Select(v => $"{Num(v.Throughput.GainGbps.P50)} ({Num(v.Throughput.GainPercent.P50)} %)")],
            ["host CPU cores saved", .. report.Variants.Select(v => Num(v.Throughput.CpuCoresSaved.P50))],
            ["mean round-trip latency (µs; all synthetic)", .. report.Variants.Select(v => $"{Num(v.Throughput.MeanLatencyUs.P50)} ({Num(v.Throughput.AllSyntheticLatencyUs.P50)})")],
        ]);

        html.Append("<h2>VF utilisation over time</h2>\n<p class=\"hint\">VFs allocated in percent of the allocatable VFs of the whole datacenter; the line is the median (P50) across replications, the shaded band reaches the P95.</p>\n")
            .Append("<div class=\"chart\"><canvas id=\"utilisation\"></canvas></div>\n");
        html.Append("<h2>Exhaustion forecast</h2>\n<p class=\"hint\">Day a cluster's first PF runs out of VFs: the bar spans the replications that ran out (earliest to latest); the dot is the P50 and the triangle the P95 over all replications (missing when more than half, or 5 %, last the horizon). No bar: the cluster lasts the horizon in every replication.</p>\n")
            .Append("<div class=\"chart\"><canvas id=\"exhaustion\"></canvas></div>\n");
        html.Append("<h2>Throughput with and without SR-IOV</h2>\n<p class=\"hint\">Mean Gbit/s over the horizon (P50): what went over VFs and over the synthetic path in the run, next to the same workload all on the synthetic path (the reference computed in the same run).</p>\n")
            .Append("<div class=\"chart\"><canvas id=\"throughput\"></canvas></div>\n<div class=\"chart small\"><canvas id=\"cpu\"></canvas></div>\n");

        html.Append("<h2>Unmet VF demand per platform</h2>\n");
        Table(html, ["variant", "platform", "VF requests (P50)", "fell back to synthetic (P50 / P95)", "failed power-ons (P50 / P95)"],
            report.Variants.SelectMany(v => v.Demand.ByPlatform.Select(p => (IReadOnlyList<string>)
                [v.Name, p.Platform, Num(p.VfRequests.P50), $"{Num(p.FellBack.P50)} / {Num(p.FellBack.P95)}", $"{Num(p.FailedStarts.P50)} / {Num(p.FailedStarts.P95)}"])));

        var disruptions = DisruptionRows(report.Variants.Select(v => v.Disruptions));
        if (disruptions.Count > 0)
        {
            html.Append("<h2>Disruptions</h2>\n<p class=\"hint\">Host and PF failures and what they did to the VMs (P50 / P95 across replications): a failed host's VMs restart on another host of its cluster as far as their platform allows (vSphere HA leaves SR-IOV VMs for the repair; KVM needs every VF free on the new host; Hyper-V starts them synthetic when none is), else at its repair; a failed PF's VFs are revoked from their vNICs. A host in maintenance takes no VM: its running VMs live-migrate to other hosts of its cluster as their platform allows (vSphere cannot move SR-IOV VMs), the others are shut down and restarted on it when the window ends; VM-hours down counts their time off too. Power cycles and live migrations when there were any.</p>\n");
            Table(html, ["", .. report.Variants.Select(v => v.Name)],
                disruptions.Select(d => (IReadOnlyList<string>)[d.Label, .. report.Variants.Select(v => v.Disruptions is { } x ? $"{Num(d.Band(x).P50)} / {Num(d.Band(x).P95)}" : "—")]));
        }

        html.Append("<h2>Clusters</h2>\n");
        Table(html, ["variant", "cluster", "hosts", "PFs", "allocatable VFs", "first PF out (day, P50 / P95)", "most constrained PF", "whole cluster out (day)", "peak utilisation (P50 %)", "fell back (P50)"],
            report.Variants.SelectMany(v => v.Clusters.Select(c => (IReadOnlyList<string>)
                [v.Name, c.Cluster, c.Hosts.ToString(CultureInfo.InvariantCulture), c.Pfs.ToString(CultureInfo.InvariantCulture),
                 c.VfsAllocatable.ToString(CultureInfo.InvariantCulture), Exhaustion(c.FirstExhaustion, report.HorizonDays), c.MostConstrainedPf ?? "—",
                 Exhaustion(c.RunsOut, report.HorizonDays),
                 Num(c.PeakUtilisationPercent.P50), Num(c.FellBack.P50)])));

        html.Append("<h2>Most constrained PFs</h2>\n");
        Table(html, ["variant", "PF", "host", "allocatable", "VF requests (P50)", "fell back (P50)", "failed (P50)", "peak allocated (P50 / P95)", "first exhaustion (day)", "hours exhausted (P50)"],
            report.Variants.SelectMany(v => v.PfResults.Where(p => p.FirstExhaustion.ReplicationsExhausted > 0 || p.FellBack.P50 > 0)
                .OrderByDescending(p => p.FirstExhaustion.ReplicationsExhausted).ThenBy(p => p.FirstExhaustion.P50 ?? double.MaxValue).ThenBy(p => p.FirstExhaustion.Earliest ?? double.MaxValue).Take(10)
                .Select(p => (IReadOnlyList<string>)[v.Name, p.Nic, p.Host, p.Allocatable.ToString(CultureInfo.InvariantCulture), Num(p.VfRequests.P50), Num(p.FellBack.P50),
                    Num(p.FailedStarts.P50), $"{Num(p.PeakAllocated.P50)} / {Num(p.PeakAllocated.P95)}", Exhaustion(p.FirstExhaustion, report.HorizonDays), Num(p.HoursExhausted.P50)])));

        html.Append("<h2>Notes and assumptions</h2>\n<ul>\n");
        foreach (var n in report.Notes.Concat(report.Assumptions)) html.Append("<li>").Append(E(n)).Append("</li>\n");
        html.Append("</ul>\n<p class=\"meta\">Made by twin (Twin.Simulation what-if engine). Charts: Chart.js 4.6.1, MIT licence, inlined.</p>\n</main>\n");

        // System.Text.Json escapes '<', '>' and '&', so the JSON cannot close the script element
        html.Append("<script type=\"application/json\" id=\"").Append(DataElementId).Append("\">")
            .Append(JsonSerializer.Serialize(report, TwinJson.Options)).Append("</script>\n")
            .Append("<script>\n").Append(Script).Append("\n</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static string ChartJs()
    {
        using var stream = typeof(HtmlReport).Assembly.GetManifestResourceStream(ChartJsResource)
                           ?? throw new InvalidOperationException($"the twin executable lacks its embedded {ChartJsResource}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void Table(StringBuilder html, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        html.Append("<table>\n<thead><tr>");
        foreach (var h in header) html.Append("<th>").Append(E(h)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        var any = false;
        foreach (var row in rows)
        {
            any = true;
            html.Append("<tr>");
            for (var i = 0; i < row.Count; i++) html.Append(i == 0 ? "<th>" : "<td>").Append(E(row[i])).Append(i == 0 ? "</th>" : "</td>");
            html.Append("</tr>\n");
        }
        if (!any) html.Append("<tr><td colspan=\"").Append(header.Count).Append("\">none</td></tr>\n");
        html.Append("</tbody>\n</table>\n");
    }

    /// <summary>"day 12.3 / 20.1 (20 of 20 replications)", "day 40 / after day 90 (12 of 20 replications)" or "lasts the 90 days".</summary>
    internal static string Exhaustion(ExhaustionDays e, double horizonDays) =>
        e.ReplicationsExhausted == 0 ? $"lasts the {Num(horizonDays)} days"
        : $"{Day(e.P50, horizonDays)} / {Day(e.P95, horizonDays)} ({e.ReplicationsExhausted} of {e.Replications} replications; earliest day {Num(e.Earliest ?? 0)})";

    /// <summary>The disruption figures worth showing for these outcomes: the failures' when any failed, the
    /// maintenance's when a host was in maintenance, power cycles, migrations and traffic changes when any replication
    /// had some; none when nothing happened (or the report predates them). The model counts the VMs not restarted and
    /// the VM-hours down of failures and maintenance together: with both, they are shown once, saying so.</summary>
    internal static IReadOnlyList<(string Label, Func<DisruptionOutcome, Band> Band)> DisruptionRows(IEnumerable<DisruptionOutcome?> outcomes)
    {
        var all = outcomes.OfType<DisruptionOutcome>().ToList();
        var rows = new List<(string, Func<DisruptionOutcome, Band>)>();
        var (failures, maintenance) = (all.Any(d => d.Failures), all.Any(d => d.Maintenance));
        var both = failures && maintenance ? " (failures and maintenance)" : "";
        if (failures)
            rows.AddRange(
            [
                ("host failures", d => d.HostFailures), ("host-hours down", d => d.HostHoursDown), ("PF failures", d => d.PfFailures),
                ("PF-hours failed", d => d.PfHoursFailed), ("VMs interrupted by host failures", d => d.VmsInterrupted),
                ("restarted on another host of the cluster", d => d.RestartedElsewhere), ("restarted at their host's repair", d => d.RestartedAtRepair),
                ($"not restarted (left or the run ended first){both}", d => d.NotRestarted), ($"VM-hours down{both}", d => d.VmHoursDown),
                ("VFs revoked by PF failures", d => d.VfsRevokedByPfFailures),
            ]);
        if (maintenance)
        {
            rows.AddRange(
            [
                ("maintenance windows", d => d.MaintenanceWindows), ("host-hours in maintenance", d => d.HostHoursInMaintenance),
                ("VMs moved off for maintenance (live migration)", d => d.VmsMovedForMaintenance),
                ("VMs shut down for maintenance (could not move)", d => d.VmsShutDownForMaintenance),
                ("restarted when the maintenance ended", d => d.RestartedAfterMaintenance),
            ]);
            if (!failures)
                rows.AddRange([("not restarted (left or the run ended first)", d => d.NotRestarted), ("VM-hours down", d => d.VmHoursDown)]);
        }
        if (all.Any(d => d.PowerCycles))
            rows.AddRange(
            [
                ("VM stops", d => d.Stops), ("VM starts", d => d.Starts), ("starts refused (no room, host down)", d => d.StartsRefused),
                ("starts failed (the platform's VF rules)", d => d.StartsFailed),
            ]);
        if (all.Any(d => d.Migrations))
            rows.AddRange(
            [
                ("live migrations asked", d => d.MigrationsAsked), ("live migrations done", d => d.Migrated),
                ("refused for SR-IOV (vSphere)", d => d.MigrationsRefusedForSriov), ("refused for room", d => d.MigrationsRefusedForRoom),
                ("vNICs on a VF before the moves done", d => d.VnicsOnVfBeforeMigration), ("vNICs on a VF after them", d => d.VnicsOnVfAfterMigration),
            ]);
        if (all.Any(d => d.TrafficChanges)) rows.Add(("traffic changes", d => d.DemandChanges));
        return rows;
    }

    private static string Day(double? day, double horizonDays) => day is { } d ? $"day {Num(d)}" : $"after day {Num(horizonDays)}";

    private static string Num(double v) => v.ToString(Math.Abs(v) >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2939; margin: 0; background: #f9fafb; }
        main { max-width: 1200px; margin: 0 auto; padding: 24px; }
        h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #eaecf0; padding-bottom: 4px; }
        .lead { font-size: 16px; margin: 4px 0; } .meta, .hint { color: #667085; } .hint { margin: 0 0 8px; }
        table { border-collapse: collapse; width: 100%; background: #fff; margin: 4px 0 12px; }
        th, td { border: 1px solid #eaecf0; padding: 4px 8px; text-align: left; vertical-align: top; }
        thead th { background: #f2f4f7; } tbody th { font-weight: 600; }
        .chart { position: relative; height: 380px; background: #fff; border: 1px solid #eaecf0; padding: 8px; margin-bottom: 12px; }
        .chart.small { height: 240px; }
        .verdicts li { margin: 2px 0; }
        """;

    private const string Script = """
        (function () {
          "use strict";
          const data = JSON.parse(document.getElementById("twin-whatif-data").textContent);
          const palette = ["#2e5aac", "#12805c", "#b42318", "#7a5af8", "#c4320a", "#0e9384", "#a15c07", "#667085", "#dd2590", "#344054"];
          const colour = (i) => palette[i % palette.length];
          const alpha = (hex, a) => hex + Math.round(a * 255).toString(16).padStart(2, "0");
          const variants = data.variants;
          const common = { animation: false, maintainAspectRatio: false, responsive: true };

          const u0 = variants[0].utilisation;
          const days = u0.p50.map((_, b) => ((b + 0.5) * u0.bucketHours / 24).toFixed(1));
          const utilisation = [];
          variants.forEach((v, i) => {
            utilisation.push({ label: v.name + " (P50)", data: v.utilisation.p50, borderColor: colour(i), backgroundColor: colour(i), pointRadius: 0, borderWidth: 2, fill: false });
            utilisation.push({ label: v.name + " (P95)", data: v.utilisation.p95, borderColor: alpha(colour(i), 0.4), backgroundColor: alpha(colour(i), 0.15), pointRadius: 0, borderWidth: 1, borderDash: [4, 3], fill: "-1" });
          });
          new Chart(document.getElementById("utilisation"), {
            type: "line", data: { labels: days, datasets: utilisation },
            options: { ...common, interaction: { mode: "index", intersect: false },
              scales: { x: { title: { display: true, text: "day" } }, y: { min: 0, suggestedMax: 100, title: { display: true, text: "% of allocatable VFs allocated" } } } },
          });

          const clusters = [...new Set(variants.flatMap((v) => v.clusters.map((c) => c.cluster)))];
          const labels = ["datacenter", ...clusters.map((c) => "cluster " + (c === "" ? "(none)" : c))];
          const exhaustion = (v) => [v.firstExhaustion, ...clusters.map((c) => (v.clusters.find((x) => x.cluster === c) || {}).firstExhaustion)];
          const forecast = [];
          variants.forEach((v, i) => {
            const e = exhaustion(v);
            forecast.push({ type: "bar", label: v.name + " (earliest to latest)", data: e.map((x) => (x && x.earliest != null ? [x.earliest, x.latest] : null)), backgroundColor: alpha(colour(i), 0.35), borderColor: colour(i), borderWidth: 1 });
            forecast.push({ type: "line", label: v.name + " P50", data: e.map((x) => (x ? x.p50 : null)), showLine: false, pointStyle: "circle", pointRadius: 6, borderColor: colour(i), backgroundColor: colour(i) });
            forecast.push({ type: "line", label: v.name + " P95", data: e.map((x) => (x ? x.p95 : null)), showLine: false, pointStyle: "triangle", pointRadius: 6, borderColor: colour(i), backgroundColor: "#fff" });
          });
          new Chart(document.getElementById("exhaustion"), {
            type: "bar", data: { labels, datasets: forecast },
            options: { ...common, indexAxis: "y", scales: { x: { min: 0, max: data.horizonDays, title: { display: true, text: "day of first VF exhaustion" } } } },
          });

          const p50 = (band) => band.p50;
          new Chart(document.getElementById("throughput"), {
            type: "bar",
            data: { labels: variants.map((v) => v.name), datasets: [
              { label: "on VFs (with SR-IOV)", data: variants.map((v) => p50(v.throughput.vfPathGbps)), backgroundColor: "#12805c", stack: "run" },
              { label: "on the synthetic path (with SR-IOV)", data: variants.map((v) => p50(v.throughput.syntheticPathGbps)), backgroundColor: "#f79009", stack: "run" },
              { label: "all synthetic (without SR-IOV)", data: variants.map((v) => p50(v.throughput.allSyntheticGbps)), backgroundColor: "#98a2b3", stack: "reference" },
            ] },
            options: { ...common, scales: { y: { beginAtZero: true, title: { display: true, text: "Gbit/s (mean over the horizon)" } } } },
          });
          new Chart(document.getElementById("cpu"), {
            type: "bar",
            data: { labels: variants.map((v) => v.name), datasets: [
              { label: "host CPU cores saved by SR-IOV", data: variants.map((v) => p50(v.throughput.cpuCoresSaved)), backgroundColor: "#2e5aac" },
              { label: "host CPU cores spent on networking", data: variants.map((v) => p50(v.throughput.networkCpuCores)), backgroundColor: "#b42318" },
            ] },
            options: { ...common, scales: { y: { beginAtZero: true, title: { display: true, text: "cores" } } } },
          });
        })();
        """;
}
