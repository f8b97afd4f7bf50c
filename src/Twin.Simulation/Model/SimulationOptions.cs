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
}
