using Twin.Events.Platforms;
using Twin.Host.Cli;
using Twin.Host.Tests.Import;
using Twin.Host.WhatIf;
using Twin.Simulation.Model;
using Twin.Simulation.WhatIf;

namespace Twin.Host.Tests.WhatIf;

/// <summary>Scenario files (YAML, or JSON through YAML's flow style): the documented samples read, and every malformed
/// file is refused naming the file, line, column and field, with nothing run or written.</summary>
public sealed class ScenarioFileTests
{
    public static string Sample(string name) => Path.Combine(Fixtures.Root, "samples", "scenarios", name);

    [Fact]
    public void The_sample_scenario_reads_with_its_base_workload_cohorts_and_variants()
    {
        var s = ScenarioYaml.Read(File.ReadAllText(Sample("cluster-a-growth.yaml")), "cluster-a-growth.yaml");
        Assert.Equal(("cluster-a-growth", BaseKind.Topology, "../topologies/three-clusters.json", 20, 42UL, 90.0), (s.Name, s.Base.Kind, s.Base.Path, s.Replications, s.Seed, s.Horizon.TotalDays));
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero), s.Start);
        var workload = Assert.IsType<WorkloadSpec.Synthetic>(s.Workload);
        Assert.Equal(new DistributionSpec.Azure2019Table("../traces/azure-v2-2019-distributions/lifetime.txt"), workload.LifetimeHours);
        Assert.Equal("a", Assert.Single(s.Cohorts).Cluster);
        Assert.Equal(["numvfs-32", "e810", "more-hosts", "more-hosts-weight-policy", "iov-on-b"], s.Variants.Select(v => v.Name));
        var replace = Assert.IsType<ChangeSpec.ReplaceNics>(s.Variants[1].Changes.Single());
        Assert.Equal(("intel-e810", (int?)64, "X520"), (replace.Model, replace.NumVfs, replace.Pfs.Model));
        Assert.Equal(ScarceVfPolicy.WeightPreemptive, Assert.IsType<ChangeSpec.SetScarceVfPolicy>(s.Variants[3].Changes.Single()).Policy);
        Assert.Equal("more-hosts", s.Variants[3].BasedOn);
        Assert.Equal(2.0, s.Model.CpuOvercommit);
        Assert.Equal(PlacementPolicy.SriovAware, s.Placement);
    }

    [Fact]
    public void The_documented_example_reads()
    {
        var doc = File.ReadAllText(Path.Combine(Fixtures.Root, "docs", "whatif.md"));
        var start = doc.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var yaml = doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)];
        var s = ScenarioYaml.Read(yaml, "whatif.md");
        Assert.Equal(("cluster-a-growth", 512.0), (s.Name, s.Base.HostMemoryGiB!.Value));
        Assert.Equal(["a", "b"], s.Base.Clusters);
        Assert.Equal(["numvfs-32", "numvfs-32-weight-policy"], s.Variants.Select(v => v.Name));
        Assert.Equal(7 * 24.0, Assert.Single(s.Cohorts).StartHours);
        Assert.Equal((90.0, 4.0, 180.0, true), (s.Failures.Hosts!.Mtbf!.Value.TotalDays, s.Failures.Hosts.Mttr!.Value.TotalHours, s.Failures.Pfs!.Mtbf!.Value.TotalDays,
            s.Failures.RestartElsewhere!.Value));
        Assert.Equal([(OutageKind.Host, "a-07"), (OutageKind.Nic, "a-03/0000:3b:00.0")], s.Failures.Outages!.Select(o => (o.Kind, o.Target)));
        Assert.Equal([("b", true, 72.0, 4.0, 1.0), ("a-02", false, 480.0, 6.0, 0.0)],
            s.Maintenance.Select(m => (m.Target, m.Rolling, m.At.TotalHours, m.Each.TotalHours, m.Gap.TotalHours)));
    }

    [Fact]
    public void A_json_scenario_reads_like_its_yaml()
    {
        const string Json = """
            { "name": "json-one", "base": { "live": true, "clusters": ["a"] }, "horizon": "12w", "replications": 3, "seed": 9,
              "workload": { "trace": { "path": "vmtable.csv.gz", "format": "AzureVmTable", "untilHours": 720, "network": { "sriovShare": 0.25 } } },
              "variants": [ { "name": "more", "changes": [ { "setNumVfs": { "pfs": { "cluster": "a" }, "delta": 8 } } ] } ] }
            """;
        var s = ScenarioYaml.Read(Json, "s.json");
        Assert.Equal((BaseKind.Live, 84.0, 9UL), (s.Base.Kind, s.Horizon.TotalDays, s.Seed));
        var trace = Assert.IsType<WorkloadSpec.Trace>(s.Workload);
        Assert.Equal(("vmtable.csv.gz", 720.0, 0.25), (trace.Path, trace.UntilHours!.Value, trace.Network.SriovShare));
        Assert.Equal(8, Assert.IsType<ChangeSpec.SetNumVfs>(s.Variants[0].Changes[0]).Delta);
    }

    private const string Head = "name: bad\nbase: {topology: t.json}\nhorizon: 30d\n";

    public static TheoryData<string, string, string> Malformed => new()
    {
        { Head + "replicatons: 5\n", "bad.yaml:4:14: replicatons:", "unknown field 'replicatons' (did you mean 'replications'?)" },
        { Head + "replications: many\n", "bad.yaml:4:15: replications:", "'many' is not a number" },
        { Head + "replications: 0\n", "bad.yaml:4:15: replications:", "must be 1-1000, not 0" },
        { "name: bad\nbase: {topology: t.json}\n", "bad.yaml:1:1: horizon:", "is required: how long to simulate" },
        { "name: bad\nbase: {topology: t.json}\nhorizon: 30\n", "bad.yaml:3:10: horizon:", "'30' has no unit: write e.g. 30d" },
        { "name: bad\nbase: {topology: t.json, live: true}\nhorizon: 30d\n", "bad.yaml:2:7: base:", "give only one of live, at, topology and captures" },
        { Head + "seed: -1\n", "bad.yaml:4:7: seed:", "'-1' is not a seed" },
        { Head + "placement: BestFit\n", "bad.yaml:4:12: placement:", "'BestFit' is not one of FirstFit, Spread, SriovAware" },
        { Head + "workload:\n  synthetic:\n    arrivalsPerHour: 2\n    network: {sriovShare: 1.5}\n", "bad.yaml:7:27: workload.synthetic.network.sriovShare:", "is a fraction of VMs, 0-1, not 1.5" },
        { Head + "workload:\n  synthetic: {arrivalsPerHour: -2}\n", "bad.yaml:5:32: workload.synthetic.arrivalsPerHour:", "must be positive, not -2" },
        { Head + "variants:\n  - name: v\n    changes:\n      - setNumVf: {pfs: all, numVfs: 3}\n", "bad.yaml:7:9: variants[0].changes[0]:", "unknown change 'setNumVf' (did you mean 'setNumVfs'?)" },
        { Head + "variants:\n  - name: v\n    changes:\n      - replaceNics: {pfs: all, model: x999}\n", "bad.yaml:7:40: variants[0].changes[0].replaceNics.model:", "'x999' is not in the NIC catalog; known models: intel-82599" },
        { Head + "variants:\n  - name: v\n    changes:\n      - setNumVfs: {pfs: all, numVfs: -4}\n", "bad.yaml:7:39: variants[0].changes[0].setNumVfs.numVfs:", "cannot be negative" },
        { Head + "variants:\n  - name: v\n    changes:\n      - enableSriov: {cohort: web}\n", "bad.yaml:7:9: variants[0].changes[0]:", "no cohort 'web' (cohorts here: none)" },
        { Head + "variants:\n  - name: v\n    basedOn: w\n    changes: [{placement: Spread}]\n", "bad.yaml:5:5: variants[0].basedOn:", "no variant 'w' in this scenario" },
        { Head + "variants:\n  - name: v\n    changes: []\n", "bad.yaml:5:5: variants[0].changes:", "variant 'v' changes nothing" },
        { "name: bad\nbase: {topology: t.json\nhorizon: 30d\n", "bad.yaml:3:", "not valid YAML/JSON" },
        { "name: bad\nbase: [live\n", "bad.yaml:", "not valid YAML/JSON" },
        { Head + "seed: 1\nseed: 2\n", "bad.yaml:5:", "" },
        { "", "bad.yaml:1:1:", "the file is empty" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_scenario_is_refused_naming_file_line_and_field(string yaml, string where, string problem)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioYaml.Read(yaml, "bad.yaml"));
        Assert.StartsWith(where, e.Message);
        Assert.Contains(problem, e.Message);
        Assert.True(e.Line > 0);
    }

    [Fact]
    public async Task The_cli_refuses_a_malformed_scenario_with_exit_2_and_writes_no_report()
    {
        var dir = Directory.CreateTempSubdirectory("twin-whatif-bad-");
        try
        {
            var file = Path.Combine(dir.FullName, "bad.yaml");
            await File.WriteAllTextAsync(file, Head + "replicatons: 5\n", Http.Ct);
            var report = Path.Combine(dir.FullName, "report.html");
            var run = await CliRunner.InProcess("whatif", file, "--report", report);
            Assert.Equal(ExitCodes.Usage, run.ExitCode);
            Assert.Contains("twin: bad.yaml:4:14: replicatons: unknown field 'replicatons' (did you mean 'replications'?)", run.Error);
            Assert.Contains("nothing was run or written", run.Error);
            Assert.Empty(run.Out);
            Assert.False(File.Exists(report));

            // a variant the NIC rules refuse is named at its line too, before anything runs
            await File.WriteAllTextAsync(file, $"""
                name: too-many
                base: {"{"}topology: {Path.Combine(Fixtures.Root, "samples", "topologies", "three-clusters.json")}{"}"}
                horizon: 7d
                variants:
                  - name: v
                    changes:
                      - setNumVfs: {"{"}pfs: {"{"}cluster: a{"}"}, numVfs: 64{"}"}
                """, Http.Ct);
            var refused = await CliRunner.InProcess("whatif", file, "--report", report);
            Assert.Equal(ExitCodes.Usage, refused.ExitCode);
            Assert.Contains("bad.yaml:7:9: variants[0].changes[0]: PF a-01/0000:3b:00.0 (Intel 82599ES 10-Gigabit SFI/SFP+) cannot have 64 VFs: its ceiling is 63", refused.Error);
            Assert.False(File.Exists(report));

            var missing = await CliRunner.InProcess("whatif", file.Replace("bad", "none", StringComparison.Ordinal));
            Assert.Equal(ExitCodes.Usage, missing.ExitCode);
            Assert.Contains("cannot read the scenario", missing.Error);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
