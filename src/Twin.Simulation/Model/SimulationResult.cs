using Twin.Events.Platforms;

namespace Twin.Simulation.Model;

/// <summary>One PF over one run: the four counters, how its VF requests went, when it first ran out and for how long
/// it stayed out, and its utilisation series (mean and peak VFs allocated per time bucket). Times are hours since
/// simulated zero.</summary>
public sealed record NicResult(
    string Id, string Host, string Cluster, Platform Platform,
    int? Ceiling, int Configured, int Allocatable,
    long VfRequests, long Granted, long FellBackToSynthetic, long FailedStarts, long HandedOver, long Preempted, long Released, int HeldAtEnd,
    int PeakAllocated, double MeanAllocated,
    double? FirstExhaustionHours, double HoursExhausted,
    double[] AllocatedMeanSeries, int[] AllocatedPeakSeries)
{
    /// <summary>Times the PF failed.</summary>
    public long Failures { get; init; }

    /// <summary>VFs taken from their holders by its failures.</summary>
    public long RevokedByFailure { get; init; }

    /// <summary>Hours it was failed.</summary>
    public double HoursFailed { get; init; }
}

/// <summary>One host over one run.</summary>
public sealed record HostResult(
    string Id, string Cluster, Platform Platform,
    long VmsPlaced, long VmsRefusedForRoom, long FailedStarts,
    double NetworkCpuCoreHours, double? FirstExhaustionHours)
{
    /// <summary>Times the host failed.</summary>
    public long Failures { get; init; }

    /// <summary>Hours it was down.</summary>
    public double HoursDown { get; init; }

    /// <summary>Hours it was in maintenance.</summary>
    public double HoursInMaintenance { get; init; }
}

/// <summary>A cluster over one run (sums and the earliest exhaustion of its PFs); the series sums its PFs'.
/// <paramref name="AllPfsExhaustedHours"/> is the first moment every PF of the cluster that can give VFs was out at
/// once: no VF left anywhere in the cluster.</summary>
public sealed record ClusterResult(
    string Cluster, int Hosts, int Pfs, int VfsAllocatable,
    long VfRequests, long FellBackToSynthetic, long FailedStarts,
    double? FirstExhaustionHours, string? MostConstrainedPf,
    double[] AllocatedMeanSeries, double? AllPfsExhaustedHours);

/// <summary>Throughput of the same workload on the datapaths it actually got, and the two references computed in the
/// same run: everything on the synthetic path, and everything on a VF with unlimited pools. Gbit/s means averaged over
/// the horizon; CPU in host cores spent on networking; latency the vNIC-time-weighted mean round-trip in µs.
/// <paramref name="VfPathGbps"/> + <paramref name="SyntheticPathGbps"/> = <paramref name="DeliveredGbps"/>: what went
/// through VFs and what through the host's virtual switch.</summary>
public sealed record ThroughputResult(
    double OfferedGbps, double DeliveredGbps, double AllSyntheticGbps, double AllVfGbps,
    double GainOverSyntheticGbps, double GainOverSyntheticPercent,
    double NetworkCpuCores, double AllSyntheticNetworkCpuCores, double CpuCoresSaved,
    double MeanLatencyUs, double AllSyntheticMeanLatencyUs,
    double VnicHoursOnVf, double VnicHoursSyntheticWanted, double VnicHoursSyntheticByChoice,
    double VfPathGbps, double SyntheticPathGbps);

/// <summary>Per-VM outcome (only when asked for).</summary>
public sealed record VmResult(string Id, string? Host, bool Started, double HoursOnVf, double HoursSyntheticWanted, double MeanDeliveredGbps, string? Reason);

/// <summary>Everything one replication measured. <paramref name="VnicsFellBack"/> counts every vNIC that wanted a VF
/// and got none when its VM started, <paramref name="VnicsInFailedStarts"/> those of them whose VM's start failed for it
/// (vSphere, KVM); the rest run on the synthetic path.</summary>
public sealed record RunResult(
    ulong Seed, ulong Replication, double HorizonHours, long Events, long VmsArrived, long VmsStarted, long VmsRefusedForRoom,
    long FailedStarts, long VnicsWantingVf, long VnicsFellBack,
    IReadOnlyList<NicResult> Nics, IReadOnlyList<HostResult> Hosts, IReadOnlyList<ClusterResult> Clusters,
    ThroughputResult Throughput, IReadOnlyList<VmResult>? Vms, long VnicsInFailedStarts)
{
    /// <summary>What failures, power cycles, migrations and traffic changes did over the run.</summary>
    public DisruptionResult Disruptions { get; init; } = DisruptionResult.None;
}

/// <summary>
/// The events beyond arrivals and departures, over one run. Host failures: the VMs they interrupted, how many were
/// restarted on another host of the cluster (vSphere HA, a Hyper-V failover cluster, nova evacuate, as far as the
/// platform allows: vSphere HA does not restart SR-IOV VMs), how many at their host's repair, how many not before they
/// left or the run ended, and the VM-hours lost. PF failures: the VFs they revoked. Power cycles: stops, starts, and
/// starts refused (room gone, host down) or failed (the platform's VF rules). Live migrations: asked, done, refused for
/// SR-IOV (vSphere) or for room, and the vNICs on a VF before and after the moves done. Traffic changes applied.
/// Maintenance windows: the VMs moved off their host, those shut down for it (vSphere cannot move SR-IOV VMs; or no
/// other host had room) and restarted at its end; their time down counts in <paramref name="VmHoursDown"/>.
/// </summary>
public sealed record DisruptionResult(
    long HostFailures, long NicFailures, long VmsInterrupted, long RestartedElsewhere, long RestartedAtRepair, long NotRestarted,
    double VmHoursDown, long VfsRevokedByNicFailures,
    long Stops, long Starts, long StartsRefused, long StartsFailed,
    long MigrationsAsked, long Migrated, long MigrationsRefusedForSriov, long MigrationsRefusedForRoom,
    long VnicsOnVfBeforeMigration, long VnicsOnVfAfterMigration,
    long DemandChanges,
    long MaintenanceWindows = 0, long VmsMovedForMaintenance = 0, long VmsShutDownForMaintenance = 0, long RestartedAfterMaintenance = 0)
{
    public static readonly DisruptionResult None = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>A value across replications: median and 95th percentile (and the extremes).</summary>
public sealed record Band(double P50, double P95, double Min, double Max)
{
    public static Band Of(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        if (v.Length == 0) return new(double.NaN, double.NaN, double.NaN, double.NaN);
        return new(Quantile(v, 0.5), Quantile(v, 0.95), v[0], v[^1]);
    }

    /// <summary>Linear-interpolation quantile of sorted values.</summary>
    public static double Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 1) return sorted[0];
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((pos - lo) * (sorted[hi] - sorted[lo]));
    }
}

/// <summary>First exhaustion across replications: how many replications exhausted at all, and the band of the time
/// among those that did.</summary>
public sealed record ExhaustionBand(int ReplicationsExhausted, int Replications, Band? Hours);

/// <summary>One PF across replications.</summary>
public sealed record NicSummary(string Id, string Host, string Cluster, int Allocatable, ExhaustionBand FirstExhaustion, Band HoursExhausted,
    Band FellBackToSynthetic, Band FailedStarts, Band PeakAllocated, Band MeanAllocated, Band[] AllocatedSeries);

/// <summary>One cluster across replications.</summary>
public sealed record ClusterSummary(string Cluster, ExhaustionBand FirstExhaustion, string? MostConstrainedPf, Band FellBackToSynthetic,
    Band FailedStarts, Band[] AllocatedSeries);

/// <summary>A simulation: every replication's result and the bands across them.</summary>
public sealed record SimulationSummary(
    ulong Seed, int Replications, double HorizonHours, DateTimeOffset Epoch, PlacementPolicy Placement, string[] ModelParameters,
    Band VmsStarted, Band FailedStarts, Band VnicsFellBack, Band DeliveredGbps, Band AllSyntheticGbps, Band GainOverSyntheticGbps,
    Band GainOverSyntheticPercent, Band CpuCoresSaved, Band MeanLatencyUs,
    ExhaustionBand FirstExhaustion, IReadOnlyList<NicSummary> Nics, IReadOnlyList<ClusterSummary> Clusters, IReadOnlyList<RunResult> Runs);
