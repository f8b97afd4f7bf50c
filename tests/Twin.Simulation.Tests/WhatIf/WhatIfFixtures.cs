using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Simulation.Engine;
using Twin.Simulation.Model;
using Twin.Simulation.WhatIf;

namespace Twin.Simulation.Tests.WhatIf;

/// <summary>Scenarios, topologies and runs for the what-if tests, built in code (the YAML binding is tested with the host).</summary>
internal static class WhatIfFixtures
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    public static SourcePosition At(int line) => new(line, 7, $"variants[0].changes[{line}]");

    /// <summary>Hosts in clusters: (cluster, platform, hosts, VFs per PF, ceiling, model), with <paramref name="cores"/> cores each.</summary>
    public static Topology Datacenter(int cores, params (string Cluster, Platform Platform, int Hosts, int Vfs, int? Ceiling, string Model)[] clusters)
    {
        var hosts = new List<HostSpec>();
        var nics = new List<NicSpec>();
        var switches = new List<SwitchSpec>();
        foreach (var (cluster, platform, count, vfs, ceiling, model) in clusters)
            for (var i = 1; i <= count; i++)
            {
                var id = new HostId($"{cluster}-{i:00}");
                var os = platform switch { Platform.HyperV => "Windows Server 2022", Platform.VSphere => "ESXi 8.0u3", _ => "libvirt 9.0" };
                var nic = NicId.Of(id, "0000:3b:00.0");
                hosts.Add(new HostSpec(id, platform, os, cores, 1L << 20, cluster));
                nics.Add(new NicSpec(nic, id, "0000:3b:00.0", model, NicVendor.Intel, 10_000, 0, ceiling, vfs > 0, vfs));
                switches.Add(new SwitchSpec(new SwitchId($"{id}/ext"), id, "ext", SwitchKind.External, nic, true));
            }
        return new Topology(hosts.ToValueList(), nics.ToValueList(), switches.ToValueList(), [], [], []);
    }

    public static Topology WithVms(this Topology t, params (string Vm, string Host, int Weight)[] vms) => t with
    {
        Vms = vms.Select(v => new VmSpec(new VmId(v.Vm), new HostId(v.Host), "Windows Server 2022", 1, 1024, true,
            ValueList.Of(new VnicSpec("net0", new SwitchId($"{v.Host}/ext"), v.Weight)))).ToValueList(),
    };

    public static Selector All => new([], [], [], null, null, true, default);

    public static Selector Clusters(params string[] clusters) => new([], [], clusters, null, null, false, default);

    public static Selector Hosts(params string[] hosts) => new([], hosts, [], null, null, false, default);

    public static Selector ModelIs(string model) => new([], [], [], model, null, false, default);

    public static NetworkSpec Network(double share = 1, int vnics = 1, DistributionSpec? weight = null) =>
        new(share, new DistributionSpec.Fixed(vnics), weight ?? new DistributionSpec.Fixed(100), new DistributionSpec.ExponentialMean(1), 800);

    public static WorkloadSpec.Synthetic Synthetic(double perHour, double meanHours, NetworkSpec? network = null, string? cluster = null) =>
        new(perHour, 0, new DistributionSpec.ExponentialMean(meanHours), new DistributionSpec.Choices([1, 2, 4], [1, 1, 1]), new DistributionSpec.Fixed(1), cluster,
            network ?? Network());

    public static VariantSpec Variant(string name, params ChangeSpec[] changes) => new(name, null, null, changes, default);

    public static WhatIfScenario Scenario(WorkloadSpec workload, double hours, int replications, ulong seed, PlacementPolicy placement = PlacementPolicy.FirstFit,
        IReadOnlyList<CohortSpec>? cohorts = null, params VariantSpec[] variants) =>
        new("test", null, "test.yaml", new ScenarioBase(BaseKind.Topology, "test.json", [], null, [], true, true, new SourcePosition(3, 1, "base")), workload,
            SimDuration.FromHours(hours), replications, seed, placement, null, new ModelSettings(SeriesBuckets: 24), cohorts ?? [], variants);

    public static CohortSpec Cohort(string name, double perHour, string? cluster = null, double meanHours = 1000, int? count = null, NetworkSpec? network = null) =>
        new(name, cluster, perHour, 0, 0, null, count, new DistributionSpec.ExponentialMean(meanHours), new DistributionSpec.Fixed(1), new DistributionSpec.Fixed(1),
            network ?? Network(), new SourcePosition(20, 5, "cohorts[0]"));

    public static WhatIfInput Input(WhatIfScenario s, Topology t, IReadOnlyList<CapacityReservation>? reservations = null, Func<string, Stream>? open = null) =>
        new(s, t, "test topology", Epoch, reservations ?? [], open ?? (path => throw new FileNotFoundException(path)));

    public static WhatIfReport Run(WhatIfScenario s, Topology t, IReadOnlyList<CapacityReservation>? reservations = null) => RunEngine(Input(s, t, reservations));

    public static WhatIfReport RunEngine(WhatIfInput input, Action<WhatIfProgress>? progress = null) =>
        WhatIfEngine.Run(input, progress, TestContext.Current.CancellationToken);

    public static (WhatIfReport Report, IReadOnlyList<RunResult[]> Runs) Detailed(WhatIfInput input) =>
        WhatIfEngine.RunWithReplications(input, null, TestContext.Current.CancellationToken);
}
