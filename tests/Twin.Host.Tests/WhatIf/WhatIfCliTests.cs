using System.Text.Json;
using System.Text.RegularExpressions;
using Twin.Host.Api;
using Twin.Host.Cli;
using Twin.Host.Tests.Import;
using Twin.Host.WhatIf;
using Twin.Simulation.WhatIf;

namespace Twin.Host.Tests.WhatIf;

/// <summary><c>twin whatif</c> and <c>twin simulate</c> offline (no server): tables, JSON, determinism, progress and
/// the self-contained HTML report.</summary>
public sealed partial class WhatIfCliTests
{
    private static readonly string SampleScenario = ScenarioFileTests.Sample("cluster-a-growth.yaml");
    private static readonly string SampleTopology = Path.Combine(Fixtures.Root, "samples", "topologies", "three-clusters.json");

    [Fact]
    public async Task Whatif_prints_the_variants_side_by_side_and_the_same_seed_gives_the_same_json()
    {
        var table = await CliRunner.InProcess("whatif", SampleScenario);
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("SIDE BY SIDE", table.Out);
        Assert.Contains("VERDICTS", table.Out);
        Assert.Matches(@"numvfs-32: first VF exhaustion on day [\d.]+ instead of [\d.]+ \(P50\)", table.Out);
        Assert.Contains("e810: no VF exhaustion within 90 days", table.Out);
        Assert.Contains("UNMET VF DEMAND PER PLATFORM", table.Out);
        // stderr is no terminal here: no progress
        Assert.Empty(table.Error);

        var first = await CliRunner.InProcess("whatif", SampleScenario, "-o", "json", "--parallel", "1");
        var second = await CliRunner.InProcess("whatif", SampleScenario, "-o", "json");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(first.Out, second.Out);
        var report = JsonDocument.Parse(first.Out).RootElement.Deserialize<WhatIfReport>(TwinJson.Reading)!;
        Assert.Equal(["baseline", "numvfs-32", "e810", "more-hosts", "more-hosts-weight-policy", "iov-on-b"], report.Variants.Select(v => v.Name));
        Assert.Equal((42UL, 20, 90.0), (report.Seed, report.Replications, report.HorizonDays));
        var pf = report.Baseline.PfResults.Single(p => p.Nic == "a-01/0000:3b:00.0");
        Assert.Equal((8, (int?)63), (pf.Allocatable, pf.Ceiling));
        Assert.True(pf.FirstExhaustion.ReplicationsExhausted > 0);
        Assert.True(report.Variant("e810")!.Throughput.CpuCoresSaved.P50 > report.Baseline.Throughput.CpuCoresSaved.P50);
    }

    [Fact]
    public async Task The_html_report_is_one_self_contained_file_with_the_charts_and_their_data()
    {
        var dir = Directory.CreateTempSubdirectory("twin-whatif-report-");
        try
        {
            var file = Path.Combine(dir.FullName, "nested", "report.html");
            var run = await CliRunner.InProcess("whatif", SampleScenario, "-o", "json", "--report", file);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains($"twin: report written to {file}", run.Error);
            Assert.Equal([file], Directory.GetFiles(dir.FullName, "*", SearchOption.AllDirectories));

            var html = await File.ReadAllTextAsync(file, Http.Ct);
            Assert.StartsWith("<!doctype html>", html);
            // nothing from the network: no external script, stylesheet, image or font
            Assert.DoesNotMatch(ExternalReference(), html);
            Assert.Contains("Chart.js v4.6.1", html);
            Assert.Contains("Released under the MIT License", html);
            foreach (var chart in new[] { "utilisation", "exhaustion", "throughput", "cpu" }) Assert.Contains($"<canvas id=\"{chart}\">", html);

            var data = DataOf(html);
            var report = data.Deserialize<WhatIfReport>(TwinJson.Reading)!;
            var printed = JsonDocument.Parse(run.Out).RootElement.Deserialize<WhatIfReport>(TwinJson.Reading)!;
            Assert.Equal(printed.Variants.Select(v => v.Name), report.Variants.Select(v => v.Name));
            Assert.All(report.Variants, v => Assert.Equal(96, v.Utilisation.P50.Length));
            Assert.Equal(JsonSerializer.Serialize(printed.Baseline.Utilisation.P95), JsonSerializer.Serialize(report.Baseline.Utilisation.P95));
            Assert.Contains("cluster-a-growth", html);
            Assert.Contains("Exhaustion forecast", html);
            Assert.Contains("Throughput with and without SR-IOV", html);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The report's JSON, from the script element that holds it.</summary>
    internal static JsonElement DataOf(string html)
    {
        var start = html.IndexOf($"<script type=\"application/json\" id=\"{HtmlReport.DataElementId}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "no data element");
        start = html.IndexOf('>', start) + 1;
        var end = html.IndexOf("</script>", start, StringComparison.Ordinal);
        return JsonDocument.Parse(html[start..end]).RootElement.Clone();
    }

    [GeneratedRegex(@"(src|href)\s*=\s*[""']?(https?:)?//|<link\b|@import|url\(\s*[""']?(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    [Fact]
    public async Task Simulate_reports_every_pf_from_a_topology_file()
    {
        var json = await CliRunner.InProcess("simulate", "--topology", SampleTopology, "--arrivals-per-hour", "2", "--sriov-share", "0.8", "--horizon", "14d",
            "--replications", "4", "--seed", "5", "-o", "json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal((5UL, 4, 14.0), (root.GetProperty("seed").GetUInt64(), root.GetProperty("replications").GetInt32(), root.GetProperty("horizonDays").GetDouble()));
        var pfs = root.GetProperty("result").GetProperty("pfResults").EnumerateArray().ToList();
        Assert.Equal(18, pfs.Count);
        foreach (var field in new[] { "vfRequests", "granted", "fellBack", "failedStarts", "peakAllocated", "meanAllocated", "firstExhaustion", "hoursExhausted" })
            Assert.True(pfs[0].TryGetProperty(field, out _), $"no {field}");
        Assert.True(pfs.Sum(p => p.GetProperty("vfRequests").GetProperty("p50").GetDouble()) > 0);

        var table = await CliRunner.InProcess("simulate", "--topology", SampleTopology, "--arrivals-per-hour", "2", "--horizon", "14d", "--replications", "2");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("PER PF (P50 across replications)", table.Out);
        Assert.Contains("a-01/0000:3b:00.0", table.Out);
        Assert.Contains("first VF exhaustion", table.Out);

        var csv = await CliRunner.InProcess("simulate", "--topology", SampleTopology, "--arrivals-per-hour", "2", "--horizon", "2d", "--replications", "2", "-o", "csv");
        Assert.StartsWith("NIC,HOST,CLUSTER,ALLOCATABLE,VF_REQUESTS,GRANTED,FELL_BACK,FAILED_STARTS,PEAK_ALLOCATED,MEAN_ALLOCATED,FIRST_EXHAUSTION_DAY,P95_DAY,EXHAUSTED", csv.Out);
    }

    [Fact]
    public async Task Simulate_reads_captures_and_a_trace_and_refuses_bad_options()
    {
        var trace = Path.Combine(Fixtures.Root, "samples", "traces", "azure-v1-opendc-sample", "vmtable.csv.gz");
        string[] args = ["simulate", "--captures", Path.Combine(Fixtures.Folder, "linux-sysfs", "procfs_e810_0000-a2-00.0.ttar"),
            "--host-cores", "64", "--host-memory-gib", "512", "--trace", trace, "--horizon", "30d", "--replications", "2", "-o", "json"];
        var unsorted = await CliRunner.InProcess(args);
        Assert.Equal(ExitCodes.Usage, unsorted.ExitCode);
        Assert.Contains("vmtable.csv.gz is not in creation order", unsorted.Error);
        Assert.Contains("--sort", unsorted.Error);
        var captures = await CliRunner.InProcess([.. args, "--sort"]);
        Assert.True(captures.ExitCode == 0, captures.ToString());
        var root = JsonDocument.Parse(captures.Out).RootElement;
        Assert.Equal(10, root.GetProperty("result").GetProperty("demand").GetProperty("vmsArrived").GetProperty("p50").GetDouble());
        Assert.Contains("1 unsized host(s) given 64 cores and 512 GiB", root.GetProperty("notes").EnumerateArray().Select(n => n.GetString()));

        var bad = await CliRunner.InProcess("simulate", "--topology", SampleTopology, "--horizon", "30", "--replications", "0");
        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("--horizon '30' is not a duration", bad.Error);
        Assert.Contains("--replications must be 1-1000", bad.Error);
        Assert.Contains("give a workload: --trace FILE or --arrivals-per-hour N", bad.Error);
    }

    [Fact]
    public async Task A_malformed_row_of_a_streamed_trace_is_named_by_file_line_and_field_and_nothing_is_printed_as_a_result()
    {
        // the trace is parsed on a second thread while the model runs: its error must still reach the user as the
        // reader found it, at the row where it is
        var dir = Directory.CreateTempSubdirectory("twin-bad-trace-").FullName;
        try
        {
            var trace = Path.Combine(dir, "vmtable.csv");
            var rows = Enumerable.Range(0, 600).Select(i =>
                $"vm{i},sub,dep,{i * 60},{(i * 60) + 7200},90.1,10.2,50.3,Delay-insensitive,{(i == 457 ? "four" : "2")},8");
            await File.WriteAllLinesAsync(trace, rows, Http.Ct);
            var run = await CliRunner.InProcess("simulate", "--topology", SampleTopology, "--trace", trace, "--horizon", "2d", "--replications", "1", "-o", "json");
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("vmtable.csv line 458", run.Error);
            Assert.Contains("'four'", run.Error);
            Assert.Equal("", run.Out.Trim());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Long_runs_show_their_progress_on_a_terminal()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await TwinCli.RunAsync(["simulate", "--topology", SampleTopology, "--arrivals-per-hour", "1", "--horizon", "3d", "--replications", "6"],
            new CliConsole(output, error, colour: false, errorColour: false, errorIsTerminal: true), Http.Ct);
        Assert.Equal(0, code);
        Assert.Contains("twin simulate: 6/6 replications (100 %)", error.ToString());
        Assert.DoesNotContain("replications (", output.ToString());
    }
}
