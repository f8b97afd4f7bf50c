using System.Text.Json.Serialization;
using Twin.Simulation.Model;

namespace Twin.Simulation.WhatIf;

/// <summary>
/// A what-if run side by side: the baseline first, then every variant, each over the same replications with the same
/// seeds. Times are days since <see cref="Epoch"/> (simulated zero); bands are P50/P95 (and min/max) across
/// replications. <see cref="Notes"/> are things a planner should know about this run (what was reserved, what the base
/// lacked); <see cref="Assumptions"/> the model's named parameters.
/// </summary>
public sealed record WhatIfReport(
    string Scenario,
    string? Description,
    string Source,
    ulong Seed,
    int Replications,
    double HorizonDays,
    DateTimeOffset Epoch,
    string Base,
    IReadOnlyList<string> Notes,
    IReadOnlyList<string> Assumptions,
    IReadOnlyList<CapacityReservation> ReservationsApplied,
    IReadOnlyList<VariantOutcome> Variants)
{
    [JsonIgnore]
    public VariantOutcome Baseline => Variants[0];

    /// <summary>The variant called <paramref name="name"/> (or "baseline").</summary>
    public VariantOutcome? Variant(string name) => Variants.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.Ordinal));
}

/// <summary>
/// When VFs first ran out, in days since simulated zero, across replications: how many replications ran out at all,
/// the P50 and P95 day over ALL replications (one that never ran out counts as after the horizon, so a quantile that
/// falls there is null: "lasts the horizon"), and the earliest and latest day among those that ran out. Counting the
/// replications that lasted keeps the quantiles comparable between variants: a variant that runs out later in every
/// replication has a later (or null) P50 and P95.
/// </summary>
public sealed record ExhaustionDays(int ReplicationsExhausted, int Replications, double? P50, double? P95, double? Earliest, double? Latest)
{
    internal static ExhaustionDays FromHours(IReadOnlyList<double?> hours)
    {
        var days = hours.Select(h => h is { } x ? x / 24 : double.PositiveInfinity).Order().ToArray();
        var exhausted = days.Where(double.IsFinite).ToList();
        double? Q(double q) => days.Length == 0 ? null : Band.Quantile(days, q) is var v && double.IsFinite(v) ? v : null;
        return new(exhausted.Count, hours.Count, Q(0.5), Q(0.95), exhausted.Count == 0 ? null : exhausted[0], exhausted.Count == 0 ? null : exhausted[^1]);
    }
}

/// <summary>One variant (or the baseline) across the replications. <see cref="FirstExhaustion"/> is the first PF to run
/// out anywhere; <see cref="FirstClusterRunsOut"/> the first moment a whole cluster had no VF left.</summary>
public sealed record VariantOutcome(
    string Name,
    string? Description,
    string? BasedOn,
    IReadOnlyList<string> Changes,
    int Hosts,
    int Pfs,
    int VfsAllocatable,
    PlacementPolicy Placement,
    string ScarceVfPolicy,
    ExhaustionDays FirstExhaustion,
    string? MostConstrainedPf,
    ExhaustionDays FirstClusterRunsOut,
    DemandOutcome Demand,
    ThroughputOutcome Throughput,
    UtilisationSeries Utilisation,
    IReadOnlyList<ClusterOutcome> Clusters,
    IReadOnlyList<HostOutcome> HostResults,
    IReadOnlyList<PfOutcome> PfResults,
    Comparison? VersusBaseline)
{
    /// <summary>What host and PF failures, power cycles, live migrations, traffic changes and host maintenance did (null
    /// in reports made before they were simulated).</summary>
    public DisruptionOutcome? Disruptions { get; init; }
}

/// <summary>
/// The events beyond arrivals and departures, across replications (P50/P95 bands). Host and PF failures (and the hours
/// hosts were down and PFs failed, summed over them); the VMs a host failure interrupted, and of those how many were
/// restarted on another host of the cluster (as far as their platform allows: vSphere HA leaves SR-IOV VMs), when their
/// host was repaired, or not at all before they left or the run ended; the VM-hours lost; the VFs PF failures took from
/// their vNICs. Power cycles (stops, starts, starts refused for room or a down host, starts failed by the platform's VF
/// rules), live migrations (asked, done, refused for SR-IOV or for room; vNICs on a VF before and after the moves done)
/// and traffic changes. Host maintenance windows (the hours hosts spent in them, summed), the VMs moved off their host by
/// live migration, those shut down for it (vSphere cannot move SR-IOV VMs; or no other host had room) and of those the
/// ones restarted when it ended; their time down counts in <see cref="VmHoursDown"/>, and those never restarted in
/// <see cref="NotRestarted"/>. <see cref="Failures"/>, <see cref="PowerCycles"/>, <see cref="Migrations"/>,
/// <see cref="TrafficChanges"/> and <see cref="Maintenance"/> say whether any replication had any.
/// </summary>
public sealed record DisruptionOutcome(
    Band HostFailures,
    Band PfFailures,
    Band HostHoursDown,
    Band PfHoursFailed,
    Band VmsInterrupted,
    Band RestartedElsewhere,
    Band RestartedAtRepair,
    Band NotRestarted,
    Band VmHoursDown,
    Band VfsRevokedByPfFailures,
    Band Stops,
    Band Starts,
    Band StartsRefused,
    Band StartsFailed,
    Band MigrationsAsked,
    Band Migrated,
    Band MigrationsRefusedForSriov,
    Band MigrationsRefusedForRoom,
    Band VnicsOnVfBeforeMigration,
    Band VnicsOnVfAfterMigration,
    Band DemandChanges)
{
    private static readonly Band Nothing = new(0, 0, 0, 0);

    /// <summary>Maintenance windows that started (zero in reports made before maintenance was simulated, as the four
    /// below).</summary>
    public Band MaintenanceWindows { get; init; } = Nothing;

    /// <summary>Hours hosts spent in maintenance, summed over them.</summary>
    public Band HostHoursInMaintenance { get; init; } = Nothing;

    /// <summary>VMs moved off a host going into maintenance (live migration within its cluster).</summary>
    public Band VmsMovedForMaintenance { get; init; } = Nothing;

    /// <summary>VMs shut down for a maintenance, which could not move.</summary>
    public Band VmsShutDownForMaintenance { get; init; } = Nothing;

    /// <summary>VMs shut down for a maintenance and started again on their host when it ended.</summary>
    public Band RestartedAfterMaintenance { get; init; } = Nothing;

    [JsonIgnore]
    public bool Failures => HostFailures.Max > 0 || PfFailures.Max > 0 || VmsInterrupted.Max > 0 || VfsRevokedByPfFailures.Max > 0;

    [JsonIgnore]
    public bool PowerCycles => Stops.Max > 0 || Starts.Max > 0 || StartsRefused.Max > 0 || StartsFailed.Max > 0;

    [JsonIgnore]
    public bool Migrations => MigrationsAsked.Max > 0;

    [JsonIgnore]
    public bool TrafficChanges => DemandChanges.Max > 0;

    [JsonIgnore]
    public bool Maintenance => MaintenanceWindows.Max > 0;

    [JsonIgnore]
    public bool Any => Failures || PowerCycles || Migrations || TrafficChanges || Maintenance;
}

/// <summary>VF demand and what could not be met: vNICs that wanted a VF; those that fell back to the synthetic path
/// (Hyper-V, or a host whose PF gives none); VM starts that failed for want of VFs (vSphere, KVM) and their vNICs; the
/// share of wanting vNICs left without a VF either way; per platform; and VMs no host had room for.</summary>
public sealed record DemandOutcome(
    Band VmsArrived,
    Band VmsStarted,
    Band VmsRefusedForRoom,
    Band VnicsWantingVf,
    Band VnicsFellBack,
    Band VnicsInFailedStarts,
    Band UnmetPercent,
    Band FailedStarts,
    IReadOnlyList<PlatformDemand> ByPlatform);

/// <summary>One platform's VF requests and failed power-ons.</summary>
public sealed record PlatformDemand(string Platform, Band VfRequests, Band FellBack, Band FailedStarts);

/// <summary>Mean throughput over the horizon (Gbit/s) on VFs and on the synthetic path, the all-synthetic reference
/// computed in the same run, the gain, host cores spent on networking and saved, and round-trip latency (µs).</summary>
public sealed record ThroughputOutcome(
    Band OfferedGbps,
    Band DeliveredGbps,
    Band VfPathGbps,
    Band SyntheticPathGbps,
    Band AllSyntheticGbps,
    Band AllVfGbps,
    Band GainGbps,
    Band GainPercent,
    Band NetworkCpuCores,
    Band CpuCoresSaved,
    Band MeanLatencyUs,
    Band AllSyntheticLatencyUs);

/// <summary>VFs allocated over time, in percent of the VFs that can be allocated, for the whole datacenter: one value
/// per bucket of <see cref="BucketHours"/>, P50 and P95 (and extremes) across replications.</summary>
public sealed record UtilisationSeries(double BucketHours, int VfsAllocatable, double[] P50, double[] P95, double[] Min, double[] Max);

/// <summary>A cluster: when a PF of it first ran out (its earliest), the pool that ran out first most often, when the
/// whole cluster ran out (every PF that can give VFs out at once), unmet demand and peak utilisation.</summary>
public sealed record ClusterOutcome(
    string Cluster,
    int Hosts,
    int Pfs,
    int VfsAllocatable,
    ExhaustionDays FirstExhaustion,
    string? MostConstrainedPf,
    ExhaustionDays RunsOut,
    Band FellBack,
    Band FailedStarts,
    Band PeakUtilisationPercent);

/// <summary>A host: when its PF first ran out, VMs placed, failed starts and host cores spent on networking (core-hours).</summary>
public sealed record HostOutcome(string Host, string Cluster, string Platform, ExhaustionDays FirstExhaustion, Band VmsPlaced, Band FailedStarts, Band NetworkCpuCoreHours);

/// <summary>One PF: the counters it started with, its VF requests and how they went, peak and mean VFs allocated,
/// when it first ran out and how long it stayed out (hours).</summary>
public sealed record PfOutcome(
    string Nic,
    string Host,
    string Cluster,
    string Platform,
    int? Ceiling,
    int Configured,
    int Allocatable,
    Band VfRequests,
    Band Granted,
    Band FellBack,
    Band FailedStarts,
    Band PeakAllocated,
    Band MeanAllocated,
    ExhaustionDays FirstExhaustion,
    Band HoursExhausted);

/// <summary>A variant against the baseline, P50 against P50 (same seeds): days gained before the first exhaustion
/// (null when neither exhausts in most replications; +inf is written as the horizon), and the changes in unmet
/// demand, throughput, CPU and latency.</summary>
public sealed record Comparison(
    double? FirstExhaustionDayBaseline,
    double? FirstExhaustionDayVariant,
    double? DaysGained,
    double VnicsFellBackChange,
    double FailedStartsChange,
    double DeliveredGbpsChange,
    double GainGbpsChange,
    double CpuCoresSavedChange,
    double MeanLatencyUsChange,
    string Verdict)
{
    /// <summary>VM-hours lost to host failures and maintenance, variant's P50 less the baseline's.</summary>
    public double VmHoursDownChange { get; init; }
}
