using Twin.Host.WhatIf;
using Twin.Simulation.Engine;
using Twin.Simulation.WhatIf;
using static Twin.Host.Tests.WhatIf.ScenarioFileTests;

namespace Twin.Host.Tests.WhatIf;

/// <summary>The <c>maintenance:</c> section and the <c>maintenance:</c> change of a variant in scenario files: one
/// host's windows and rolling maintenances of a cluster, what reads, and what is refused naming the file, line, column
/// and field.</summary>
public sealed class MaintenanceScenarioFileTests
{
    [Fact]
    public void The_maintenance_sample_reads_with_its_rolling_maintenance_its_window_and_the_variants_replacing_them()
    {
        var s = ScenarioYaml.Read(File.ReadAllText(Sample("rolling-maintenance.yaml")), "rolling-maintenance.yaml");
        Assert.Equal(
            [("b", true, 48.0, 4.0, 1.0), ("c-02", false, 120.0, 6.0, 0.0)],
            s.Maintenance.Select(m => (m.Target, m.Rolling, m.At.TotalHours, m.Each.TotalHours, m.Gap.TotalHours)));
        Assert.Equal((29, "maintenance[0]"), (s.Maintenance[0].Where.Line, s.Maintenance[0].Where.Path));

        IReadOnlyList<MaintenanceSpec> Changed(string variant) =>
            Assert.IsType<ChangeSpec.SetMaintenance>(s.Variants.Single(v => v.Name == variant).Changes.Single()).Maintenance;
        Assert.Equal([8.0, 6.0], Changed("longer-windows").Select(m => m.Each.TotalHours));
        Assert.Equal(("a", true), (Changed("patch-a-instead").Single().Target, Changed("patch-a-instead").Single().Rolling));
        Assert.Empty(Changed("no-maintenance"));
    }

    private const string Head = "name: bad\nbase: {topology: t.json}\nhorizon: 30d\n";

    [Fact]
    public void A_window_or_rolling_maintenance_at_simulated_zero_without_a_gap_and_none_read()
    {
        var s = ScenarioYaml.Read(Head + "maintenance:\n  - {host: a-01, at: 0, for: 90m}\n  - {rolling: b, at: 0h, each: 2h, gap: 0}\n  - {rolling: c, at: 1d, each: 1h}\n", "ok.yaml");
        Assert.Equal(
            [
                new MaintenanceSpec("a-01", false, SimDuration.Zero, SimDuration.FromMinutes(90), SimDuration.Zero, new SourcePosition(5, 5, "maintenance[0]")),
                new MaintenanceSpec("b", true, SimDuration.Zero, SimDuration.FromHours(2), SimDuration.Zero, new SourcePosition(6, 5, "maintenance[1]")),
                new MaintenanceSpec("c", true, SimDuration.FromDays(1), SimDuration.FromHours(1), SimDuration.Zero, new SourcePosition(7, 5, "maintenance[2]")),
            ],
            s.Maintenance);
        Assert.Empty(ScenarioYaml.Read(Head + "maintenance: none\n", "none.yaml").Maintenance);
        Assert.Empty(ScenarioYaml.Read(Head, "absent.yaml").Maintenance);
    }

    public static TheoryData<string, string, string> Malformed => new()
    {
        { Head + "maintenence: none\n", "bad.yaml:4:14: maintenence:", "unknown field 'maintenence' (did you mean 'maintenance'?)" },
        { Head + "maintenance: 4h\n", "bad.yaml:4:14: maintenance:", "expected a maintenance window {host: HOST, at: 2d, for: 4h} or a rolling maintenance {rolling: CLUSTER" },
        { Head + "maintenance:\n  - {hots: a-01, at: 1d, for: 1h}\n", "bad.yaml:5:12: maintenance[0].hots:", "unknown field 'hots' (did you mean 'host'?)" },
        { Head + "maintenance:\n  - {host: a-01, rolling: a, at: 1d, for: 1h}\n", "bad.yaml:5:5: maintenance[0]:", "give exactly one of host: HOST (one host's window) and rolling: CLUSTER" },
        { Head + "maintenance:\n  - {host: a-01, for: 1h}\n", "bad.yaml:5:5: maintenance[0].at:", "is required: when the window starts, after simulated zero" },
        { Head + "maintenance:\n  - {host: a-01, at: 1d}\n", "bad.yaml:5:5: maintenance[0].for:", "is required: how long the host is in maintenance: for: 4h" },
        { Head + "maintenance:\n  - {host: a-01, at: 30d, for: 1h}\n", "bad.yaml:5:22: maintenance[0].at:", "is not before the horizon (30d): the maintenance would never happen" },
        { Head + "maintenance:\n  - {host: a-01, at: -1d, for: 1h}\n", "bad.yaml:5:22: maintenance[0].at:", "'-1d' is not a duration" },
        { Head + "maintenance:\n  - {host: a-01, at: 1d, for: 4}\n", "bad.yaml:5:31: maintenance[0].for:", "'4' has no unit: write e.g. 4d" },
        { Head + "maintenance:\n  - {host: a-01, at: 1d, each: 4h}\n", "bad.yaml:5:32: maintenance[0].each:", "each is for a rolling maintenance (rolling: CLUSTER); one host's window lasts for: DURATION" },
        { Head + "maintenance:\n  - {rolling: a, at: 1d, for: 4h}\n", "bad.yaml:5:31: maintenance[0].for:", "a rolling maintenance gives each host each: DURATION" },
        { Head + "maintenance:\n  - {rolling: a, at: 1d}\n", "bad.yaml:5:5: maintenance[0].each:", "is required: how long each host of the cluster is in maintenance: each: 4h" },
        { Head + "maintenance:\n  - {rolling: a, at: 1d, eahc: 4h}\n", "bad.yaml:5:32: maintenance[0].eahc:", "unknown field 'eahc' (did you mean 'each'?)" },
        { Head + "maintenance:\n  - {rolling: a, at: 1d, each: 4h, gap: soon}\n", "bad.yaml:5:41: maintenance[0].gap:", "'soon' is not a duration" },
        { Head + "maintenance:\n  - {rolling: a, at: 31d, each: 4h}\n", "bad.yaml:5:22: maintenance[0].at:", "is not before the horizon (30d)" },
        { Head + "variants:\n  - name: v\n    changes:\n      - maintenace: none\n", "bad.yaml:7:9: variants[0].changes[0]:", "unknown change 'maintenace' (did you mean 'maintenance'?)" },
        { Head + "variants:\n  - name: v\n    changes:\n      - maintenance: [{host: a-01, at: 40d, for: 1h}]\n", "bad.yaml:7:40: variants[0].changes[0].maintenance[0].at:", "is not before the horizon" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_maintenance_section_or_change_is_refused_naming_file_line_and_field(string yaml, string where, string problem)
    {
        var e = Assert.Throws<ScenarioException>(() => ScenarioYaml.Read(yaml, "bad.yaml"));
        Assert.StartsWith(where, e.Message);
        Assert.Contains(problem, e.Message);
    }
}
