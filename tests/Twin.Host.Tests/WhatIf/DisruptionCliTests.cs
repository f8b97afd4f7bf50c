using System.Text.Json;
using Twin.Host.Api;
using Twin.Host.Cli;
using Twin.Host.Tests.Import;
using Twin.Simulation.WhatIf;

namespace Twin.Host.Tests.WhatIf;

/// <summary><c>twin simulate</c>'s failure and scope options and <c>twin whatif</c> with failures: the disruption
/// figures in the table, the JSON and the HTML report; bad options refused by the real executable with nothing written.</summary>
public sealed class DisruptionCliTests
{
    private static readonly string SampleTopology = Path.Combine(Fixtures.Root, "samples", "topologies", "three-clusters.json");

    private static readonly string[] Simulate =
    [
        "simulate", "--topology", SampleTopology, "--arrivals-per-hour", "1", "--horizon", "10d", "--replications", "3", "--seed", "4",
        "--host-mtbf", "20d", "--host-mttr", "4h", "--pf-mtbf", "30d", "--pf-mttr", "1h",
        "--outage", "host:a-01@1d+6h", "--outage", "pf:c-01/0000:3b:00.0@0+2h", "--scope", "cluster",
    ];

    private static JsonElement Disruptions(CliRun run) => JsonDocument.Parse(run.Out).RootElement.GetProperty("result").GetProperty("disruptions");

    private static double P(JsonElement d, string figure, string quantile = "p50") => d.GetProperty(figure).GetProperty(quantile).GetDouble();

    [Fact]
    public async Task Simulate_with_failures_reports_the_interrupted_vms_and_their_restarts_from_the_real_executable()
    {
        // a-01 runs three of the base's SR-IOV VMs: its outage interrupts them in every replication, and Hyper-V restarts
        // them on the other hosts of cluster a, which have VFs free
        var ha = await CliRunner.Process([.. Simulate, "-o", "json"]);
        Assert.True(ha.ExitCode == 0, ha.ToString());
        var d = Disruptions(ha);
        Assert.True(P(d, "hostFailures", "min") >= 1 && P(d, "pfFailures", "min") >= 1, d.ToString());
        Assert.True(P(d, "vmsInterrupted", "min") >= 3, d.ToString());
        Assert.True(P(d, "restartedElsewhere", "min") >= 3, d.ToString());
        var notes = JsonDocument.Parse(ha.Out).RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()).ToList();
        Assert.Contains(notes, n => n!.Contains("host a-01 from 24 h for 6 h", StringComparison.Ordinal));
        Assert.Contains(notes, n => n!.Contains("scope: cluster", StringComparison.Ordinal));

        // the same seed without HA: the same failures, and every interrupted VM waits for its host
        var wait = await CliRunner.InProcess([.. Simulate, "--no-restart-elsewhere", "-o", "json"]);
        Assert.True(wait.ExitCode == 0, wait.ToString());
        var w = Disruptions(wait);
        Assert.Equal(d.GetProperty("hostFailures").ToString(), w.GetProperty("hostFailures").ToString());
        Assert.Equal(0, P(w, "restartedElsewhere", "max"));
        Assert.True(P(w, "restartedAtRepair", "min") >= 3 && P(w, "vmHoursDown", "min") >= 3 * 6, w.ToString());
        Assert.True(P(w, "vmHoursDown") > P(d, "vmHoursDown"), $"{w} against {d}");
    }

    [Fact]
    public async Task Simulate_shows_a_disruption_block_only_when_something_failed()
    {
        var table = await CliRunner.InProcess(Simulate);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("DISRUPTIONS (across replications)", table.Out);
        Assert.Matches(@"VMs interrupted by host failures\s+\d+", table.Out);
        Assert.Matches(@"restarted on another host of the cluster\s+\d+", table.Out);
        Assert.Matches(@"VM-hours down\s+[\d.]+", table.Out);
        Assert.Matches(@"VFs revoked by PF failures\s+[\d.]+", table.Out);
        Assert.DoesNotContain("live migrations", table.Out);

        var quiet = await CliRunner.InProcess("simulate", "--topology", SampleTopology, "--arrivals-per-hour", "1", "--horizon", "2d", "--replications", "2");
        Assert.True(quiet.ExitCode == 0, quiet.ToString());
        Assert.DoesNotContain("DISRUPTIONS", quiet.Out);
    }

    [Fact]
    public async Task Bad_failure_options_are_refused_by_the_real_executable_and_nothing_is_written()
    {
        var dir = Directory.CreateTempSubdirectory("twin-simulate-failures-");
        try
        {
            var report = Path.Combine(dir.FullName, "report.html");
            var bad = await CliRunner.Process("simulate", "--topology", SampleTopology, "--arrivals-per-hour", "1", "--horizon", "10d", "--replications", "2",
                "--host-mttr", "4h", "--pf-mtbf", "soon", "--outage", "host:a-01", "--outage", "disk:x@1d+1h", "--outage", "host:a-01@11d+1h",
                "--outage", "pf:a-01/0000:3b:00.0@1d", "--scope", "region", "--report", report);
            Assert.Equal(ExitCodes.Usage, bad.ExitCode);
            Assert.Contains("'region'", bad.Error);
            Assert.Empty(bad.Out);

            bad = await CliRunner.Process("simulate", "--topology", SampleTopology, "--arrivals-per-hour", "1", "--horizon", "10d", "--replications", "2",
                "--host-mttr", "4h", "--pf-mtbf", "soon", "--outage", "host:a-01", "--outage", "disk:x@1d+1h", "--outage", "host:a-01@11d+1h",
                "--outage", "pf:a-01/0000:3b:00.0@1d", "--report", report);
            Assert.Equal(ExitCodes.Usage, bad.ExitCode);
            Assert.Contains("twin: --host-mttr needs --host-mtbf", bad.Error);
            Assert.Contains("twin: --pf-mtbf 'soon' is not a duration", bad.Error);
            Assert.Contains("twin: --outage 'host:a-01': write host:HOST@AT+DURATION or pf:HOST/PCI@AT+DURATION", bad.Error);
            Assert.Contains("twin: --outage 'disk:x@1d+1h': 'disk' is not host or pf", bad.Error);
            Assert.Contains("twin: --outage 'host:a-01@11d+1h': it starts at or after the horizon (10d)", bad.Error);
            Assert.Contains("twin: --outage 'pf:a-01/0000:3b:00.0@1d': how long?", bad.Error);
            Assert.Empty(bad.Out);

            // a host the base does not have is found once the base is read, still before anything runs
            var unknown = await CliRunner.Process("simulate", "--topology", SampleTopology, "--arrivals-per-hour", "1", "--horizon", "10d", "--replications", "2",
                "--outage", "host:a-1@1d+1h", "--report", report);
            Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
            Assert.Contains("twin: options: --outage host:a-1@1d+1h: the base has no host 'a-1' (did you mean 'a-01'?)", unknown.Error);
            Assert.Contains("nothing was run or written", unknown.Error);
            Assert.Empty(unknown.Out);
            Assert.Empty(Directory.GetFiles(dir.FullName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Whatif_with_failures_shows_the_disruptions_of_every_variant_in_the_table_the_json_and_the_html_report()
    {
        var scenario = ScenarioFileTests.Sample("cluster-failures.yaml");
        var table = await CliRunner.InProcess("whatif", scenario);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("DISRUPTIONS (P50 / P95 across replications)", table.Out);
        Assert.Matches(@"FIGURE\s+BASELINE\s+WAIT-FOR-REPAIR\s+A-MORE-VFS\s+NOTHING-FAILS", table.Out);
        Assert.Matches(@"host failures\s+[\d.]+ / [\d.]+\s+[\d.]+ / [\d.]+\s+[\d.]+ / [\d.]+\s+0 / 0", table.Out);
        Assert.Matches(@"wait-for-repair: .*VM-hours down to host failures instead of", table.Out);

        var dir = Directory.CreateTempSubdirectory("twin-whatif-failures-");
        try
        {
            var html = Path.Combine(dir.FullName, "failures.html");
            var json = await CliRunner.InProcess("whatif", scenario, "-o", "json", "--report", html);
            Assert.True(json.ExitCode == 0, json.ToString());
            var report = JsonDocument.Parse(json.Out).RootElement.Deserialize<WhatIfReport>(TwinJson.Reading)!;
            var (baseline, wait, quiet) = (report.Baseline.Disruptions!, report.Variant("wait-for-repair")!.Disruptions!, report.Variant("nothing-fails")!.Disruptions!);
            Assert.True(baseline.HostFailures.Min >= 2 && baseline.VmsInterrupted.Min > 0 && baseline.RestartedElsewhere.P50 > 0);
            Assert.Equal((0.0, 0.0), (wait.RestartedElsewhere.Max, quiet.HostFailures.Max));
            Assert.True(wait.VmHoursDown.P50 > baseline.VmHoursDown.P50);
            // the same failures in the baseline and the variant that only waits for repairs (their own streams)
            Assert.Equal(baseline.HostFailures, wait.HostFailures);

            var page = await File.ReadAllTextAsync(html, Http.Ct);
            Assert.Contains("<h2>Disruptions</h2>", page);
            Assert.Contains("<th>VMs interrupted by host failures</th>", page);
            Assert.Contains("<th>VM-hours down</th>", page);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
