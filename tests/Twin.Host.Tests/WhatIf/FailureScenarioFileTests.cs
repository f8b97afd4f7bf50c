using Twin.Host.WhatIf;
using Twin.Simulation.Engine;
using Twin.Simulation.Model;
using Twin.Simulation.WhatIf;
using static Twin.Host.Tests.WhatIf.ScenarioFileTests;

namespace Twin.Host.Tests.WhatIf;

/// <summary>The <c>failures:</c> section, the <c>failures:</c> change of a variant and <c>scope: cluster</c> in scenario
/// files: what reads, and what is refused naming the file, line, column and field.</summary>
public sealed class FailureScenarioFileTests
{
    [Fact]
    public void The_failures_sample_reads_with_its_rates_outages_scope_and_failure_changes()
    {
        var s = ScenarioYaml.Read(File.ReadAllText(Sample("cluster-failures.yaml")), "cluster-failures.yaml");
        var f = s.Failures;
        Assert.Equal((SimDuration.FromDays(60), SimDuration.FromHours(6)), (f.Hosts!.Mtbf!.Value, f.Hosts.Mttr!.Value));
        Assert.Equal((SimDuration.FromDays(120), SimDuration.FromHours(2)), (f.Pfs!.Mtbf!.Value, f.Pfs.Mttr!.Value));
        Assert.Equal(
            [(OutageKind.Host, "a-03", 240.0, 8.0), (OutageKind.Host, "b-02", 480.0, 12.0), (OutageKind.Nic, "c-01/0000:3b:00.0", 120.0, 2.0)],
            f.Outages!.Select(o => (o.Kind, o.Target, o.At.TotalHours, o.Duration.TotalHours)));
        Assert.Equal(31, f.Outages![0].Where.Line);
        Assert.True(f.RestartElsewhere);
        Assert.Equal(PlacementScope.Cluster, Assert.IsType<WorkloadSpec.Synthetic>(s.Workload).Scope);

        var wait = Assert.IsType<ChangeSpec.SetFailures>(s.Variants.Single(v => v.Name == "wait-for-repair").Changes.Single()).Failures;
        Assert.Equal(new FailureSpec(null, null, null, false, wait.Where), wait);
        var nothing = Assert.IsType<ChangeSpec.SetFailures>(s.Variants.Single(v => v.Name == "nothing-fails").Changes.Single()).Failures;
        Assert.False(nothing.Over(f).Any);
        var waiting = wait.Over(f).ToOptions();
        Assert.Equal((3, false, SimDuration.FromDays(60)), (waiting.Outages.Count, waiting.RestartElsewhere, waiting.HostMtbf!.Value));
    }

    private const string Head = "name: bad\nbase: {topology: t.json}\nhorizon: 30d\n";

    [Fact]
    public void An_outage_at_simulated_zero_and_defaults_read()
    {
        var s = ScenarioYaml.Read(Head + "failures:\n  hosts: {mtbf: 2w}\n  outages:\n    - {pf: \"a-01/0000:3b:00.0\", at: 0, for: 90m}\n", "ok.yaml");
        var o = s.Failures.ToOptions();
        Assert.Equal((SimDuration.FromDays(14), FailureOptions.None.HostMttr, (SimDuration?)null, true), (o.HostMtbf!.Value, o.HostMttr, o.NicMtbf, o.RestartElsewhere));
        Assert.Equal(new Outage(OutageKind.Nic, "a-01/0000:3b:00.0", SimTime.Zero, SimDuration.FromMinutes(90)), Assert.Single(o.Outages));
        Assert.False(ScenarioYaml.Read(Head, "none.yaml").Failures.Any);
    }

    public static TheoryData<string, string, string> Malformed => new()
    {
        { Head + "failures: {host: {mtbf: 90d}}\n", "bad.yaml:4:18: failures.host:", "unknown field 'host' (did you mean 'hosts'?)" },
        { Head + "failures:\n  hosts: {mtbf: 90}\n", "bad.yaml:5:17: failures.hosts.mtbf:", "'90' has no unit: write e.g. 90d" },
        { Head + "failures:\n  hosts: {mttr: 4h}\n", "bad.yaml:5:10: failures.hosts.mtbf:", "is required: the mean time between failures of each of the hosts" },
        { Head + "failures:\n  pfs: {mtbf: 90d, mtr: 2h}\n", "bad.yaml:5:25: failures.pfs.mtr:", "unknown field 'mtr' (did you mean 'mttr'?)" },
        { Head + "failures:\n  restartElsewhere: maybe\n", "bad.yaml:5:21: failures.restartElsewhere:", "'maybe' is not true or false" },
        { Head + "failures:\n  outages:\n    - {host: a-01, pf: \"a-01/0000:3b:00.0\", at: 1d, for: 1h}\n", "bad.yaml:6:7: failures.outages[0]:", "give exactly one of host: HOST and pf:" },
        { Head + "failures:\n  outages:\n    - {host: a-01, for: 1h}\n", "bad.yaml:6:7: failures.outages[0].at:", "is required: when it goes down" },
        { Head + "failures:\n  outages:\n    - {host: a-01, at: 1d}\n", "bad.yaml:6:7: failures.outages[0].for:", "is required: how long it stays down" },
        { Head + "failures:\n  outages:\n    - {host: a-01, at: 30d, for: 1h}\n", "bad.yaml:6:24: failures.outages[0].at:", "is not before the horizon (30d): the outage would never happen" },
        { Head + "failures:\n  outages:\n    - {host: a-01, at: -1d, for: 1h}\n", "bad.yaml:6:24: failures.outages[0].at:", "'-1d' is not a duration" },
        { Head + "failures:\n  outages:\n    - {host: a-01, at: 1d, for: 0h}\n", "bad.yaml:6:33: failures.outages[0].for:", "'0h' is not a duration" },
        { Head + "failures:\n  outages:\n    - {hots: a-01, at: 1d, for: 1h}\n", "bad.yaml:6:14: failures.outages[0].hots:", "unknown field 'hots' (did you mean 'host'?)" },
        { Head + "workload:\n  synthetic: {arrivalsPerHour: 1, scope: region}\n", "bad.yaml:5:42: workload.synthetic.scope:", "'region' is not one of any, cluster" },
        { Head + "workload:\n  synthetic: {arrivalsPerHour: 1, cluster: a, scope: cluster}\n", "bad.yaml:5:54: workload.synthetic.scope:", "give cluster: NAME (every VM there) or scope: cluster" },
        { Head + "cohorts:\n  - {name: web, arrivalsPerHour: 1, scope: cluster, cluster: a}\n", "bad.yaml:5:44: cohorts[0].scope:", "not both" },
        { Head + "variants:\n  - name: v\n    changes:\n      - failures: {}\n", "bad.yaml:7:19: variants[0].changes[0].failures:", "changes nothing: give hosts, pfs, outages or restartElsewhere" },
        { Head + "variants:\n  - name: v\n    changes:\n      - failure: none\n", "bad.yaml:7:9: variants[0].changes[0]:", "unknown change 'failure' (did you mean 'failures'?)" },
        { Head + "variants:\n  - name: v\n    changes:\n      - failures: {outages: [{host: a-01, at: 31d, for: 1h}]}\n", "bad.yaml:7:47: variants[0].changes[0].failures.outages[0].at:", "is not before the horizon" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_failures_section_or_scope_is_refused_naming_file_line_and_field(string yaml, string where, string problem)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioYaml.Read(yaml, "bad.yaml"));
        Assert.StartsWith(where, e.Message);
        Assert.Contains(problem, e.Message);
    }
}
