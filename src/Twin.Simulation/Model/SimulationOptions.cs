using System.Text.Json.Serialization;
using Twin.Events.Catalog;
using Twin.Events.Inventory;
using Twin.Events.Platforms;
using Twin.Simulation.Engine;

namespace Twin.Simulation.Model;

/// <summary>Where an arriving VM goes.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PlacementPolicy>))]
public enum PlacementPolicy
{
    /// <summary>The first host (in topology order) with room for its cores and memory.</summary>
    FirstFit,
    /// <summary>The host with the most free cores.</summary>
    Spread,
    /// <summary>A VM that wants a VF goes to the first host with room whose PF has free VFs for all its vNICs; other VMs
    /// (and SR-IOV VMs when no such host exists) go first-fit.</summary>
    SriovAware,
}

/// <summary>What a simulation runs: the datacenter, how VMs are placed, how long, and the model's parameters.</summary>
public sealed record SimulationOptions
{
    /// <summary>The datacenter at time zero (hosts, PFs with their VF configuration, switches).</summary>
    public required Topology Topology { get; init; }

    /// <summary>Simulated time runs from zero to here; VMs still there at the horizon are counted as they are.</summary>
    public required SimDuration Horizon { get; init; }

    /// <summary>Wall-clock time of simulated zero, for reports.</summary>
    public DateTimeOffset Epoch { get; init; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public PlacementPolicy Placement { get; init; } = PlacementPolicy.SriovAware;

    /// <summary>Overrides every PF's scarce-VF policy (Hyper-V), for what-if variants.</summary>
    public ScarceVfPolicy? ScarceVfPolicy { get; init; }

    /// <summary>vCPUs a host may place per physical core.</summary>
    public double CpuOvercommit { get; init; } = 1.0;

    /// <summary>Whether synthetic vNICs spread over several host cores (vRSS).</summary>
    public bool Vrss { get; init; }

    /// <summary>Number of equal time buckets in the utilisation series.</summary>
    public int SeriesBuckets { get; init; } = 96;

    /// <summary>Keep per-VM results (throughput, time on each path) — off for large runs.</summary>
    public bool PerVmResults { get; init; }

    public ThroughputModel Throughput { get; init; } = ThroughputModel.Default;

    /// <summary>How many VMs are expected alive at once: sizes the model's arrays up front (a hint; they grow if needed).</summary>
    public int ExpectedLiveVms { get; init; } = 1024;

    /// <summary>Put events in order on a second thread while the model runs them on the calling one. The results are the
    /// same (the order does not depend on the model's decisions); only the speed differs. Worth it for a single run on a
    /// machine with a core to spare, not when replications already keep every core busy.</summary>
    public bool OrderOnSecondThread { get; init; }

    /// <summary>Hosts and PFs that fail and are repaired during the run (none by default).</summary>
    public FailureOptions Failures { get; init; } = FailureOptions.None;

    /// <summary>Maintenance windows: a host is drained at the start (its running VMs live-migrate to other hosts of its
    /// cluster as their platform allows, the others are shut down), takes no VM during the window, and restarts the VMs
    /// shut down for it at the end. Overlapping windows of one host keep it closed until the last ends.</summary>
    public IReadOnlyList<MaintenanceWindow> Maintenance { get; init; } = [];

    /// <summary>Run independent clusters apart when the workload allows it (every VM names its cluster or host, and
    /// stays there): each cluster's events in their own order, clusters spread over up to this many threads. The results
    /// are the same as one run in global time order, bit for bit. 0 = as many threads as cores; 1 = apart, one thread;
    /// -1 = never apart.</summary>
    public int ClusterParallelism { get; init; } = -1;
}

/// <summary>Failures of hosts and PFs: drawn at random (exponential times to failure and to repair, one seeded stream
/// per host and per PF, so a seed gives the same failures whatever else changes) and/or listed.</summary>
public sealed record FailureOptions
{
    public static readonly FailureOptions None = new();

    /// <summary>Mean time between failures of each host; null = hosts fail only when listed.</summary>
    public SimDuration? HostMtbf { get; init; }

    /// <summary>Mean time to repair a failed host.</summary>
    public SimDuration HostMttr { get; init; } = SimDuration.FromHours(4);

    /// <summary>Mean time between failures of each PF; null = PFs fail only when listed.</summary>
    public SimDuration? NicMtbf { get; init; }

    /// <summary>Mean time to repair a failed PF.</summary>
    public SimDuration NicMttr { get; init; } = SimDuration.FromHours(2);

    /// <summary>Outages at given times (a host or a PF down for a while); overlapping outages of one target keep it
    /// down until the last ends.</summary>
    public IReadOnlyList<Outage> Outages { get; init; } = [];

    /// <summary>Restart the VMs of a failed host on other hosts of its cluster (vSphere HA, a Hyper-V failover cluster,
    /// nova evacuate), as far as their platform allows; false = they wait for their host's repair.</summary>
    public bool RestartElsewhere { get; init; } = true;

    /// <summary>Whether anything fails at all.</summary>
    public bool Any => HostMtbf is not null || NicMtbf is not null || Outages.Count > 0;

    /// <summary>Whether hosts may fail (the model then keeps each host's list of VMs).</summary>
    public bool HostsFail => HostMtbf is not null || Outages.Any(o => o.Kind == OutageKind.Host);
}

/// <summary>Host <paramref name="Host"/> is in maintenance from <paramref name="At"/> for <paramref name="Duration"/>.</summary>
public readonly record struct MaintenanceWindow(string Host, SimTime At, SimDuration Duration);

/// <summary>What an <see cref="Outage"/> takes down.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OutageKind>))]
public enum OutageKind
{
    Host,
    Nic,
}

/// <summary><paramref name="Target"/> (a host id, or a PF id for <see cref="OutageKind.Nic"/>) is down from
/// <paramref name="At"/> for <paramref name="Duration"/>.</summary>
public readonly record struct Outage(OutageKind Kind, string Target, SimTime At, SimDuration Duration);
