using Twin.Events.Inventory;
using Twin.Events.Platforms;
using Twin.Simulation.Engine;
using Twin.Simulation.Model;

namespace Twin.Simulation.WhatIf;

/// <summary>Where a part of a scenario was written (1-based line and column, and its field path), for error messages.</summary>
public readonly record struct SourcePosition(int Line, int Column, string Path)
{
    public static SourcePosition Of(ScenarioNode node) => new(node.Line, node.Column, node.Path);
}

/// <summary>
/// A what-if scenario: the datacenter to start from (<see cref="Base"/>), the workload that arrives, how long, how many
/// replications and the seed, and the variants to compare with the baseline. Every variant stacks on the base (or on
/// another variant, <see cref="VariantSpec.BasedOn"/>) and runs with the same seeds as the baseline (common random
/// numbers), so differences come from the variant, not from chance. Paths are as written (relative to the file).
/// </summary>
public sealed record WhatIfScenario(
    string Name,
    string? Description,
    string Source,
    ScenarioBase Base,
    WorkloadSpec Workload,
    SimDuration Horizon,
    int Replications,
    ulong Seed,
    PlacementPolicy Placement,
    ScarceVfPolicy? ScarceVfPolicy,
    ModelSettings Model,
    IReadOnlyList<CohortSpec> Cohorts,
    IReadOnlyList<VariantSpec> Variants)
{
    /// <summary>Simulated zero on the wall clock, for dates in reports (null: the run decides, e.g. today).</summary>
    public DateTimeOffset? Start { get; init; }

    /// <summary>Hosts and PFs that fail during the run, in the baseline and (unless a variant changes them) every
    /// variant; <see cref="FailureSpec.None"/> when the scenario has no <c>failures:</c> section.</summary>
    public FailureSpec Failures { get; init; } = FailureSpec.None;

    /// <summary>Host maintenance windows, in the baseline and (unless a variant replaces them) every variant; empty when
    /// the scenario has no <c>maintenance:</c> section.</summary>
    public IReadOnlyList<MaintenanceSpec> Maintenance { get; init; } = [];

    /// <summary>Every file the scenario names (base topology or captures, trace, distribution tables), with where.</summary>
    public IEnumerable<(string Path, SourcePosition Where, string Field)> Files()
    {
        if (Base.Path is { } topology) yield return (topology, Base.Where, "base.topology");
        foreach (var c in Base.Captures) yield return (c, Base.Where, "base.captures");
        if (Workload is WorkloadSpec.Trace t) yield return (t.Path, t.Where, "workload.trace.path");
        var distributions = new List<(DistributionSpec, SourcePosition, string)>();
        if (Workload is WorkloadSpec.Synthetic y) distributions.AddRange([(y.LifetimeHours, y.Where, "lifetimeHours"), (y.Cores, y.Where, "cores"), (y.MemoryGiB, y.Where, "memoryGiB")]);
        var cohorts = Cohorts.Concat(Variants.SelectMany(v => v.Changes).OfType<ChangeSpec.AddCohort>().Select(a => a.Cohort));
        foreach (var c in cohorts) distributions.AddRange([(c.LifetimeHours, c.Where, "lifetimeHours"), (c.Cores, c.Where, "cores"), (c.MemoryGiB, c.Where, "memoryGiB")]);
        foreach (var (d, where, field) in distributions)
            if (d is DistributionSpec.Azure2019Table table) yield return (table.Path, where, $"{where.Path}.{field}");
    }
}

/// <summary>Where the base topology comes from.</summary>
public enum BaseKind
{
    /// <summary>The live twin now (needs a server).</summary>
    Live,

    /// <summary>The live twin at a past moment (time travel; needs a server with the history use cases).</summary>
    At,

    /// <summary>A topology JSON file (<c>twin import --out</c> writes them).</summary>
    Topology,

    /// <summary>Inventory captures read by the importer (files or folders).</summary>
    Captures,
}

/// <summary>The datacenter a scenario starts from, and how: only some clusters, with its running VMs present all along
/// or not, and with the capacity committed scenarios reserved or not. <see cref="HostCores"/> and
/// <see cref="HostMemoryGiB"/> size the hosts the base does not size (captures rarely say).</summary>
public sealed record ScenarioBase(
    BaseKind Kind,
    string? Path,
    IReadOnlyList<string> Captures,
    DateTimeOffset? At,
    IReadOnlyList<string> Clusters,
    bool KeepExistingVms,
    bool ApplyReservations,
    SourcePosition Where)
{
    public int? HostCores { get; init; }

    public double? HostMemoryGiB { get; init; }
}

/// <summary>Model settings a scenario may change (each a named modelling assumption).</summary>
public sealed record ModelSettings(double CpuOvercommit = 1.0, bool Vrss = false, int SeriesBuckets = 96);

/// <summary>A distribution of a VM attribute, as written in a scenario.</summary>
public abstract record DistributionSpec
{
    /// <summary>Always <paramref name="Value"/>.</summary>
    public sealed record Fixed(double Value) : DistributionSpec;

    /// <summary>Exponential with this mean.</summary>
    public sealed record ExponentialMean(double Mean) : DistributionSpec;

    /// <summary>Uniform between the bounds.</summary>
    public sealed record Between(double Min, double Max) : DistributionSpec;

    /// <summary>One of the values, with the given weights (equal when none).</summary>
    public sealed record Choices(IReadOnlyList<double> Values, IReadOnlyList<double> Weights) : DistributionSpec;

    /// <summary>One of the Azure 2019 (V2) distribution tables (lifetime.txt, cores.txt, memory.txt) at <paramref name="Path"/>.</summary>
    public sealed record Azure2019Table(string Path) : DistributionSpec;

    private DistributionSpec()
    {
    }
}

/// <summary>The network attributes traces do not carry: which VMs want a VF, how many vNICs, how strongly
/// (IovWeight 1–100), traffic per vNIC (Gbit/s) and the mean packet size (bytes).</summary>
public sealed record NetworkSpec(
    double SriovShare,
    DistributionSpec Vnics,
    DistributionSpec IovWeight,
    DistributionSpec GbpsPerVnic,
    double PacketBytes)
{
    public static readonly NetworkSpec Default = new(0.5, new DistributionSpec.Fixed(1), new DistributionSpec.Fixed(100), new DistributionSpec.ExponentialMean(1), 800);
}

/// <summary>The workload arriving during the run (on top of the base's own VMs and the cohorts).</summary>
public abstract record WorkloadSpec
{
    /// <summary>Where the workload is written.</summary>
    public SourcePosition Where { get; init; }

    /// <summary>VM lifecycles from a trace file. <paramref name="FromHours"/>/<paramref name="UntilHours"/> cut a window
    /// of the trace (times shift so the window starts at zero); <paramref name="Cluster"/> restricts placement;
    /// <paramref name="Sort"/> reads the whole trace and sorts it by creation time (for traces that are not in order;
    /// Google task events always are sorted). <paramref name="MachineCores"/> and <paramref name="MachineMemoryGiB"/> turn
    /// Google's normalised requests into cores and GiB.</summary>
    public sealed record Trace(string Path, TraceFormat Format, double FromHours, double? UntilHours, string? Cluster, bool Sort, NetworkSpec Network,
        double MachineCores = 64, double MachineMemoryGiB = 256) : WorkloadSpec
    {
        /// <summary>Where the trace's VMs may be placed when <see cref="Cluster"/> is not given.</summary>
        public PlacementScope Scope { get; init; }
    }

    /// <summary>The synthetic generator: Poisson arrivals at <paramref name="ArrivalsPerHour"/> growing linearly by
    /// <paramref name="GrowthPercent"/> over the horizon.</summary>
    public sealed record Synthetic(double ArrivalsPerHour, double GrowthPercent, DistributionSpec LifetimeHours, DistributionSpec Cores,
        DistributionSpec MemoryGiB, string? Cluster, NetworkSpec Network) : WorkloadSpec
    {
        /// <summary>Where the generated VMs may be placed when <see cref="Cluster"/> is not given.</summary>
        public PlacementScope Scope { get; init; }
    }

    /// <summary>No arriving workload: only the base's VMs and the cohorts.</summary>
    public sealed record None : WorkloadSpec;

    private WorkloadSpec()
    {
    }
}

/// <summary>Where arriving VMs that name no cluster may be placed.</summary>
public enum PlacementScope
{
    /// <summary>On any host of the datacenter (the placement policy looks at every host).</summary>
    Any,

    /// <summary>Each VM is given a cluster of the base when it arrives — drawn from its own random stream, with a
    /// probability proportional to the cluster's host count — and is placed within it, as vSphere clusters, Hyper-V
    /// failover clusters or OpenStack cells place VMs.</summary>
    Cluster,
}

/// <summary>
/// Hosts and PFs failing during a run: at random (<see cref="Hosts"/>, <see cref="Pfs"/>: exponential times to failure
/// and to repair, one stream per host and per PF), at listed moments (<see cref="Outages"/>), and whether a failed
/// host's VMs restart on another host of its cluster as their platform allows (<see cref="RestartElsewhere"/>). A null
/// field is not given: in a variant's <c>failures:</c> change it keeps what the base (or the variant it is based on)
/// has; in the scenario's own section it takes the default (no random failures, no outages, restarts elsewhere on).
/// </summary>
public sealed record FailureSpec(FailureRate? Hosts, FailureRate? Pfs, IReadOnlyList<OutageSpec>? Outages, bool? RestartElsewhere, SourcePosition Where)
{
    /// <summary>Nothing fails.</summary>
    public static readonly FailureSpec None = new(null, null, null, null, default);

    /// <summary>This over <paramref name="under"/>: the fields given here, the others from <paramref name="under"/>.</summary>
    public FailureSpec Over(FailureSpec under) =>
        new(Hosts ?? under.Hosts, Pfs ?? under.Pfs, Outages ?? under.Outages, RestartElsewhere ?? under.RestartElsewhere, Where);

    /// <summary>Whether anything fails.</summary>
    public bool Any => Hosts?.Mtbf is not null || Pfs?.Mtbf is not null || Outages is { Count: > 0 };

    /// <summary>The model's options (defaults for the fields not given).</summary>
    public FailureOptions ToOptions()
    {
        var defaults = FailureOptions.None;
        return new FailureOptions
        {
            HostMtbf = Hosts?.Mtbf,
            HostMttr = Hosts?.Mttr ?? defaults.HostMttr,
            NicMtbf = Pfs?.Mtbf,
            NicMttr = Pfs?.Mttr ?? defaults.NicMttr,
            Outages = [.. (Outages ?? []).Select(o => new Outage(o.Kind, o.Target, SimTime.Zero + o.At, o.Duration))],
            RestartElsewhere = RestartElsewhere ?? defaults.RestartElsewhere,
        };
    }
}

/// <summary>Random failures of hosts or PFs: mean time between failures (null: none at random) and mean time to repair
/// (null: the model's default, 4 h for hosts and 2 h for PFs).</summary>
public sealed record FailureRate(SimDuration? Mtbf, SimDuration? Mttr);

/// <summary><paramref name="Target"/> (a host id, or a PF id such as <c>host-03/0000:3b:00.0</c>) is down from
/// <paramref name="At"/> after simulated zero for <paramref name="Duration"/>.</summary>
public sealed record OutageSpec(OutageKind Kind, string Target, SimDuration At, SimDuration Duration, SourcePosition Where);

/// <summary>
/// Maintenance as a scenario writes it: one host's window (<see cref="Rolling"/> false: host <see cref="Target"/> from
/// <see cref="At"/> after simulated zero for <see cref="Each"/>), or a rolling maintenance of cluster
/// <see cref="Target"/> (<see cref="Rolling"/> true: its hosts one after another in the datacenter's host order, the
/// first from <see cref="At"/>, each for <see cref="Each"/>, the next <see cref="Gap"/> after the previous ends).
/// </summary>
public sealed record MaintenanceSpec(string Target, bool Rolling, SimDuration At, SimDuration Each, SimDuration Gap, SourcePosition Where)
{
    /// <summary>The windows in <paramref name="topology"/>: this one, or one per host of the rolled cluster (none when
    /// it has no such host or cluster: the engine refuses those before).</summary>
    public IEnumerable<MaintenanceWindow> Windows(Topology topology)
    {
        if (!Rolling)
        {
            yield return new MaintenanceWindow(Target, SimTime.Zero + At, Each);
            yield break;
        }
        var start = SimTime.Zero + At;
        foreach (var host in topology.Hosts.Where(h => string.Equals(h.Cluster, Target, StringComparison.Ordinal)))
        {
            yield return new MaintenanceWindow(host.Id.Value, start, Each);
            start = start + Each + Gap;
        }
    }

    /// <summary>Every window of <paramref name="maintenance"/> in <paramref name="topology"/>, in the order written.</summary>
    public static IReadOnlyList<MaintenanceWindow> Windows(IReadOnlyList<MaintenanceSpec> maintenance, Topology topology) =>
        [.. maintenance.SelectMany(m => m.Windows(topology))];
}

/// <summary>The trace formats a scenario can read VM lifecycles from.</summary>
public enum TraceFormat
{
    /// <summary>Azure Public Dataset vmtable: V1 (2017), the filtered tables with a header, or V2 (2019) with buckets.</summary>
    AzureVmTable,

    /// <summary>Google ClusterData2011 task_events, one VM per task run (requests scaled by the machine size given).</summary>
    GoogleTaskEvents,
}

/// <summary>A group of VMs the plan adds: arrivals per hour from <paramref name="StartHours"/> (until
/// <paramref name="UntilHours"/> or the horizon, at most <paramref name="Count"/> VMs), growing by
/// <paramref name="GrowthPercent"/>, with their lifetime, size and network profile, optionally on one cluster.
/// Each cohort draws from its own random stream (the seed and its name), so adding one never moves another's VMs.</summary>
public sealed record CohortSpec(
    string Name,
    string? Cluster,
    double ArrivalsPerHour,
    double GrowthPercent,
    double StartHours,
    double? UntilHours,
    int? Count,
    DistributionSpec LifetimeHours,
    DistributionSpec Cores,
    DistributionSpec MemoryGiB,
    NetworkSpec Network,
    SourcePosition Where)
{
    /// <summary>Where the cohort's VMs may be placed when <see cref="Cluster"/> is not given.</summary>
    public PlacementScope Scope { get; init; }
}

/// <summary>A variant: a name and the changes it makes to the base (after those of <paramref name="BasedOn"/>, if any).</summary>
public sealed record VariantSpec(string Name, string? Description, string? BasedOn, IReadOnlyList<ChangeSpec> Changes, SourcePosition Where);

/// <summary>Which hosts, PFs, switches or VMs a change applies to: ids (with * wildcards), hosts (ids with *), clusters,
/// a NIC model name fragment, a platform, or everything. Every given criterion must hold.</summary>
public sealed record Selector(
    IReadOnlyList<string> Ids,
    IReadOnlyList<string> Hosts,
    IReadOnlyList<string> Clusters,
    string? Model,
    Platform? Platform,
    bool All,
    SourcePosition Where)
{
    public bool IsEmpty => !All && Ids.Count == 0 && Hosts.Count == 0 && Clusters.Count == 0 && Model is null && Platform is null;
}

/// <summary>One change a variant makes. Changes are data transformations of the topology or of the workload; the
/// model applies the SR-IOV rules to the result.</summary>
public abstract record ChangeSpec
{
    /// <summary>Where the change is written.</summary>
    public SourcePosition Where { get; init; }

    /// <summary>Adds <paramref name="Count"/> hosts to <paramref name="Cluster"/>, each with one PF of catalog model
    /// <paramref name="NicModel"/> (its ceiling from the catalog) with <paramref name="NumVfs"/> VFs (default: the
    /// ceiling) behind an external switch (IOV on unless <paramref name="IovOnSwitch"/> is false).</summary>
    public sealed record AddHosts(int Count, string Cluster, Platform Platform, string Os, int Cores, double MemoryGiB,
        string NicModel, int? NumVfs, int? LinkMbps, bool IovOnSwitch, string IdPrefix) : ChangeSpec;

    /// <summary>Replaces the selected PFs' NICs with catalog model <paramref name="Model"/> (ceiling, vendor and link rate
    /// from the catalog) configured with <paramref name="NumVfs"/> VFs (default: the new ceiling).</summary>
    public sealed record ReplaceNics(Selector Pfs, string Model, int? NumVfs) : ChangeSpec;

    /// <summary>Sets NumVFs of the selected PFs: to <paramref name="NumVfs"/>, by <paramref name="Delta"/>, or to their
    /// ceiling (<paramref name="ToCeiling"/>). Above the ceiling is refused by the NIC rules.</summary>
    public sealed record SetNumVfs(Selector Pfs, int? NumVfs, int? Delta, bool ToCeiling) : ChangeSpec;

    /// <summary>Turns IOV on or off on the selected switches: <paramref name="Recreate"/> deletes and recreates them
    /// (Hyper-V's only way); otherwise the switch rules decide whether the platform allows it in place.</summary>
    public sealed record SwitchIov(Selector Switches, bool Iov, bool Recreate) : ChangeSpec;

    /// <summary>Enables SR-IOV (IovWeight &gt; 0; 0 disables) for the selected VMs of the base, for a cohort, or for the
    /// arriving workload (then <paramref name="Share"/> of its VMs, default all).</summary>
    public sealed record EnableSriov(Selector? Vms, string? Cohort, bool Workload, int IovWeight, double? Share) : ChangeSpec;

    /// <summary>Adds a cohort of VMs.</summary>
    public sealed record AddCohort(CohortSpec Cohort) : ChangeSpec;

    /// <summary>Uses another scarce-VF policy on every PF (a modelling assumption of Hyper-V's arbitration).</summary>
    public sealed record SetScarceVfPolicy(ScarceVfPolicy Policy) : ChangeSpec;

    /// <summary>Uses another placement policy.</summary>
    public sealed record SetPlacement(PlacementPolicy Placement) : ChangeSpec;

    /// <summary>Changes the failures: the fields <paramref name="Failures"/> gives replace those of the base (or of the
    /// variant this one is based on); <c>failures: none</c> turns every failure off.</summary>
    public sealed record SetFailures(FailureSpec Failures) : ChangeSpec;

    /// <summary>Replaces the maintenance windows of the base (or of the variant this one is based on) with
    /// <paramref name="Maintenance"/>; <c>maintenance: none</c> (an empty list) drops them all.</summary>
    public sealed record SetMaintenance(IReadOnlyList<MaintenanceSpec> Maintenance) : ChangeSpec;

    private ChangeSpec()
    {
    }
}
