using System.Text.Json;
using Twin.Host.Api;
using Twin.Host.Cli;
using Twin.Host.Tests.Import;
using Twin.Simulation.WhatIf;

namespace Twin.Host.Tests.WhatIf;

/// <summary><c>twin simulate</c>'s maintenance options and <c>twin whatif</c> with maintenance: the maintenance figures
/// in the table, the JSON and the HTML report; bad options refused by the real executable with nothing written.</summary>
public sealed class MaintenanceCliTests
{
    private static readonly string SampleTopology = Path.Combine(Fixtures.Root, "samples", "topologies", "three-clusters.json");

    private static readonly string[] Simulate =
    [
        "simulate", "--topology", SampleTopology, "--arrivals-per-hour", "1", "--horizon", "10d", "--replications", "3", "--seed", "4",
    ];

    private static JsonElement Disruptions(CliRun run) => JsonDocument.Parse(run.Out).RootElement.GetProperty("result").GetProperty("disruptions");

    private static double P(JsonElement d, string figure, string quantile = "p50") => d.GetProperty(figure).GetProperty(quantile).GetDouble();

    [Fact]
    public async Task Simulate_with_a_rolling_maintenance_of_the_vsphere_cluster_reports_its_sriov_vms_shut_down_from_the_real_executable()
    {
        // cluster b (vSphere, 6 hosts) from day 1, 4 h per host, 1 h apart: b-01 to b-04 each run one of the base's
        // SR-IOV VMs, which vMotion cannot move, and one plain VM; b-05 and b-06 two plain VMs each
        var vsphere = await CliRunner.Process([.. Simulate, "--rolling-maintenance", "b@1d+4h+1h", "-o", "json"]);
        Assert.True(vsphere.ExitCode == 0, vsphere.ToString());
        var d = Disruptions(vsphere);
        Assert.Equal((6.0, 6.0, 24.0), (P(d, "maintenanceWindows", "min"), P(d, "maintenanceWindows", "max"), P(d, "hostHoursInMaintenance")));
        Assert.True(P(d, "vmsShutDownForMaintenance", "min") >= 4 && P(d, "restartedAfterMaintenance", "min") >= 4, d.ToString());
        Assert.True(P(d, "vmHoursDown", "min") >= 4 * 4, d.ToString());
        Assert.True(P(d, "vmsMovedForMaintenance", "min") >= 8, d.ToString());
        Assert.Equal(0, P(d, "hostFailures", "max"));
        var notes = JsonDocument.Parse(vsphere.Out).RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.Contains(notes, n => n!.Contains("cluster b's hosts in maintenance one after another from 24 h, 4 h each, 1 h apart (6 host(s), the last back at 53 h)",
            StringComparison.Ordinal));

        // the same on the Hyper-V cluster: every VM moves, none is shut down, no hour is lost
        var hyperv = await CliRunner.InProcess([.. Simulate, "--rolling-maintenance", "a@1d+4h+1h", "-o", "json"]);
        Assert.True(hyperv.ExitCode == 0, hyperv.ToString());
        var h = Disruptions(hyperv);
        Assert.Equal((8.0, 32.0), (P(h, "maintenanceWindows"), P(h, "hostHoursInMaintenance")));
        Assert.True(P(h, "vmsMovedForMaintenance", "min") >= 8 * 3, h.ToString());
        Assert.Equal((0.0, 0.0), (P(h, "vmsShutDownForMaintenance", "max"), P(h, "vmHoursDown", "max")));
    }

    [Fact]
    public async Task Simulate_shows_the_maintenance_figures_in_its_disruption_block()
    {
        var table = await CliRunner.InProcess([.. Simulate, "--rolling-maintenance", "b@1d+4h", "--maintenance", "c-02@2d+6h"]);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("DISRUPTIONS (across replications)", table.Out);
        Assert.Matches(@"maintenance windows\s+7\s+7", table.Out);
        Assert.Matches(@"host-hours in maintenance\s+30\s+30", table.Out);
        Assert.Matches(@"VMs moved off for maintenance \(live migration\)\s+\d+", table.Out);
        Assert.Matches(@"VMs shut down for maintenance \(could not move\)\s+[1-9]", table.Out);
        Assert.Matches(@"restarted when the maintenance ended\s+[1-9]", table.Out);
        Assert.Matches(@"VM-hours down\s+[1-9]", table.Out);
        Assert.DoesNotContain("host failures", table.Out);
        Assert.Contains("host c-02 in maintenance from 2 d for 6 h", table.Out);
    }

    [Fact]
    public async Task Bad_maintenance_options_are_refused_by_the_real_executable_and_nothing_is_written()
    {
        var dir = Directory.CreateTempSubdirectory("twin-simulate-maintenance-");
        try
        {
            var report = Path.Combine(dir.FullName, "report.html");
            var bad = await CliRunner.Process([.. Simulate, "--maintenance", "a-01", "--maintenance", "a-01@1d", "--maintenance", " @1d+4h", "--maintenance", "a-01@soon+4h",
                "--maintenance", "a-01@10d+4h", "--rolling-maintenance", "b@1d+4h+1h+2h", "--rolling-maintenance", "b@1d+4x", "--rolling-maintenance", "b@1d+4h+later",
                "--report", report]);
            Assert.Equal(ExitCodes.Usage, bad.ExitCode);
            Assert.Contains("twin: --maintenance 'a-01': write HOST@AT+DURATION, e.g. a-01@2d+4h", bad.Error);
            Assert.Contains("twin: --maintenance 'a-01@1d': how long? add +DURATION after the moment, e.g. @2d+4h", bad.Error);
            // (an argument starting with @ is a response file to the command line parser: a blank first keeps it ours)
            Assert.Contains("twin: --maintenance ' @1d+4h': which host?", bad.Error);
            Assert.Contains("twin: --maintenance 'a-01@soon+4h': 'soon' is not a moment after simulated zero", bad.Error);
            Assert.Contains("twin: --maintenance 'a-01@10d+4h': it starts at or after the horizon (10d), so it would never happen", bad.Error);
            Assert.Contains("twin: --rolling-maintenance 'b@1d+4h+1h+2h': write CLUSTER@AT+EACH or CLUSTER@AT+EACH+GAP, e.g. a@1d+4h+1h", bad.Error);
            Assert.Contains("twin: --rolling-maintenance 'b@1d+4x': '4x' is not a duration", bad.Error);
            Assert.Contains("twin: --rolling-maintenance 'b@1d+4h+later': 'later' is not a gap between hosts", bad.Error);
            Assert.Contains("See `twin simulate --help`", bad.Error);
            Assert.Empty(bad.Out);

            // hosts and clusters the base does not have, and a rolling maintenance longer than the horizon, are found once
            // the base is read, still before anything runs
            var host = await CliRunner.Process([.. Simulate, "--maintenance", "a-1@1d+4h", "--report", report]);
            Assert.Equal(ExitCodes.Usage, host.ExitCode);
            Assert.Contains("twin: options: --maintenance a-1@1d+4h: the base has no host 'a-1' (did you mean 'a-01'?)", host.Error);
            Assert.Contains("nothing was run or written", host.Error);
            Assert.Empty(host.Out);

            var cluster = await CliRunner.InProcess([.. Simulate, "--rolling-maintenance", "bb@1d+4h", "--report", report]);
            Assert.Equal(ExitCodes.Usage, cluster.ExitCode);
            Assert.Contains("twin: options: --rolling-maintenance bb@1d+4h: the base has no cluster 'bb' (did you mean 'b'?)", cluster.Error);
            Assert.Empty(cluster.Out);

            var late = await CliRunner.InProcess([.. Simulate, "--rolling-maintenance", "a@1d+1d+12h", "--report", report]);
            Assert.Equal(ExitCodes.Usage, late.ExitCode);
            Assert.Contains("twin: options: --rolling-maintenance a@1d+1d+12h: the rolling maintenance of cluster a does not fit before the horizon (10 d): "
                            + "the base has 8 host(s) there, and host a-07's window would start at 10 d", late.Error);
            Assert.Empty(late.Out);
            Assert.Empty(Directory.GetFiles(dir.FullName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Whatif_with_a_rolling_maintenance_shows_what_each_variant_costs_in_the_table_the_json_and_the_html_report()
    {
        var scenario = ScenarioFileTests.Sample("rolling-maintenance.yaml");
        var table = await CliRunner.InProcess("whatif", scenario);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("DISRUPTIONS (P50 / P95 across replications)", table.Out);
        Assert.Matches(@"FIGURE\s+BASELINE\s+LONGER-WINDOWS\s+PATCH-A-INSTEAD\s+NO-MAINTENANCE", table.Out);
        Assert.Matches(@"maintenance windows\s+7 / 7\s+7 / 7\s+8 / 8\s+0 / 0", table.Out);
        Assert.Matches(@"VMs shut down for maintenance \(could not move\)\s+[1-9][\d.]* / [\d.]+\s+[1-9][\d.]* / [\d.]+\s+0 / 0\s+0 / 0", table.Out);
        Assert.Matches(@"longer-windows: .*VM-hours down to maintenance instead of", table.Out);
        Assert.Matches(@"patch-a-instead: .*; 0 VM-hours down to maintenance instead of", table.Out);

        var dir = Directory.CreateTempSubdirectory("twin-whatif-maintenance-");
        try
        {
            var html = Path.Combine(dir.FullName, "maintenance.html");
            var json = await CliRunner.InProcess("whatif", scenario, "-o", "json", "--report", html);
            Assert.True(json.ExitCode == 0, json.ToString());
            var report = JsonDocument.Parse(json.Out).RootElement.Deserialize<WhatIfReport>(TwinJson.Reading)!;
            var (baseline, longer, a, none) = (report.Baseline.Disruptions!, report.Variant("longer-windows")!.Disruptions!, report.Variant("patch-a-instead")!.Disruptions!,
                report.Variant("no-maintenance")!.Disruptions!);
            Assert.Equal((30.0, 54.0, 32.0, 0.0), (baseline.HostHoursInMaintenance.P50, longer.HostHoursInMaintenance.P50, a.HostHoursInMaintenance.P50, none.HostHoursInMaintenance.Max));
            Assert.True(baseline.VmsShutDownForMaintenance.Min > 0 && baseline.VmHoursDown.Min > 0);
            // vSphere's SR-IOV VMs are off twice as long with windows twice as long; Hyper-V moves every VM of cluster a
            Assert.True(longer.VmHoursDown.P50 > baseline.VmHoursDown.P50);
            Assert.True(a.VmsMovedForMaintenance.Min > 0);
            Assert.Equal((0.0, 0.0, false), (a.VmsShutDownForMaintenance.Max, a.VmHoursDown.Max, none.Any));

            var page = await File.ReadAllTextAsync(html, Http.Ct);
            Assert.Contains("<h2>Disruptions</h2>", page);
            Assert.Contains("<th>maintenance windows</th>", page);
            Assert.Contains("<th>VMs shut down for maintenance (could not move)</th>", page);
            Assert.Contains("<th>VM-hours down</th>", page);
            Assert.Contains("vSphere cannot move SR-IOV VMs", page);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
