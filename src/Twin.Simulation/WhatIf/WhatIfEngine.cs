using System.Globalization;
using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Simulation.Engine;
using Twin.Simulation.Model;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.WhatIf;

/// <summary>What a what-if run needs besides the scenario: the base topology (already read by the edge) and a
/// description of where it came from, simulated zero on the wall clock, the capacity committed scenarios reserved, and
/// how to open the files the scenario names (trace, tables).</summary>
public sealed record WhatIfInput(
    WhatIfScenario Scenario,
    Topology Base,
    string BaseDescription,
    DateTimeOffset Epoch,
    IReadOnlyList<CapacityReservation> Reservations,
    Func<string, Stream> OpenFile)
{
    /// <summary>Replications run at once (0 = one per processor).</summary>
    public int MaxParallelism { get; init; }

    /// <summary>Run a replication's clusters apart when every VM names its cluster or host: null (the default) when the
    /// datacenter is large enough for it to pay (<see cref="WhatIfEngine.ClustersApartFromHosts"/>), true whatever its
    /// size, false never. The results are the same either way (the model's guarantee), which the tests check.</summary>
    internal bool? ClustersApart { get; init; }
}

/// <summary>How far a run is: replications done of the total, and the variant of the last one.</summary>
public readonly record struct WhatIfProgress(int Done, int Total, string Variant);

/// <summary>
/// Runs a what-if: the baseline and every variant, each for the scenario's replications with the same seeds (common
/// random numbers), all replications of all variants in parallel, and compares them. Pure: no clock, no files but
/// through <see cref="WhatIfInput.OpenFile"/>; the same input gives the same report.
/// </summary>
public static class WhatIfEngine
{
    public static WhatIfReport Run(WhatIfInput input, Action<WhatIfProgress>? progress = null, CancellationToken ct = default) =>
        RunWithReplications(input, progress, ct).Report;

    /// <summary>The report and every replication's own result, per variant (baseline first), for checks the bands cannot make.</summary>
    internal static (WhatIfReport Report, IReadOnlyList<RunResult[]> Runs) RunWithReplications(WhatIfInput input, Action<WhatIfProgress>? progress = null,
        CancellationToken ct = default)
    {
        var s = input.Scenario;
        var notes = new List<string>();
        var topology = Restrict(input.Base, s, notes);
        var reservations = s.Base.ApplyReservations ? Applicable(input.Reservations, topology, notes) : [];
        if (!s.Base.ApplyReservations && input.Reservations.Count > 0)
            notes.Add($"{input.Reservations.Count} committed reservation(s) ignored (base.reservations: ignore)");
        if (s.Base.KeepExistingVms && topology.Vms.Any(v => v.Running))
            notes.Add($"{topology.Vms.Count(v => v.Running)} running VM(s) of the base stay on their hosts all along, with their SR-IOV wish; their traffic is drawn from the workload's network profile");
        if (topology.Vms.Any(v => v.Vnics.Count > 16)) notes.Add("VMs with more than 16 vNICs are modelled with 16");
        if (s.Failures.Any || s.Failures.RestartElsewhere is false) notes.Add("failures: " + VariantApplier.DescribeFailures(s.Failures));
        if (s.Maintenance.Count > 0) notes.Add("maintenance: " + VariantApplier.DescribeMaintenance(s.Maintenance, topology));
        if (Scoped(s)) notes.Add("VMs of scope: cluster are each given a cluster of the base, drawn with a probability proportional to its host count, and placed within it");

        var variants = Applied(s, topology, input.Epoch);
        foreach (var v in variants)
        {
            CheckClusters(s, v);
            CheckMaintenance(s, v);
        }
        var workloads = new WhatIfWorkloads(s, input.OpenFile, topology);
        workloads.Prepare(variants);
        var apart = variants.Select(v => RunsApart(input, workloads, v)).ToArray();
        var options = variants.Select((v, i) => Options(s, v, input.Epoch) with { ClusterParallelism = apart[i] ? 1 : -1 }).ToList();
        for (var v = 0; v < variants.Count; v++) CheckFailures(s, variants[v], options[v]);

        var reps = s.Replications;
        var runs = variants.Select(_ => new RunResult[reps]).ToArray();
        var total = variants.Count * reps;
        var done = 0;
        try
        {
            Parallel.For(0, total, new ParallelOptions
            {
                MaxDegreeOfParallelism = input.MaxParallelism > 0 ? input.MaxParallelism : Environment.ProcessorCount,
                CancellationToken = ct,
            }, i =>
            {
                var (v, r) = (i / reps, (ulong)(i % reps));
                var workload = workloads.For(variants[v], reservations, s.Base.KeepExistingVms, r);
                // the model runs clusters apart only from an array (it reads each cluster's VMs out of the whole)
                runs[v][r] = new SimulationModel(options[v]).Run(apart[v] ? [.. workload] : workload, s.Seed, r);
                progress?.Invoke(new WhatIfProgress(Interlocked.Increment(ref done), total, variants[v].Name));
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is ScenarioException or TraceFormatException) is { } first)
        {
            throw first is TraceFormatException t
                ? new ScenarioException(s.Source, s.Workload.Where.Line, s.Workload.Where.Column, "workload.trace.path", $"the trace cannot be read: {t.Message}")
                : first;
        }

        var outcomes = new List<VariantOutcome>();
        for (var v = 0; v < variants.Count; v++)
            outcomes.Add(Outcomes.Of(variants[v], options[v], SimulationRunner.Summarize(options[v], s.Seed, runs[v]), outcomes.FirstOrDefault()));
        return (new WhatIfReport(s.Name, s.Description, s.Source, s.Seed, reps, s.Horizon.TotalDays, input.Epoch, input.BaseDescription,
            notes, [.. options[0].Throughput.Describe(), .. Assumptions(s)], reservations, outcomes), runs);
    }

    /// <summary>The baseline and every variant applied to <paramref name="topology"/>.</summary>
    private static List<AppliedVariant> Applied(WhatIfScenario s, Topology topology, DateTimeOffset epoch) =>
        [VariantApplier.Apply(s, topology, null, epoch), .. s.Variants.Select(v => VariantApplier.Apply(s, topology, v, epoch))];

    /// <summary>Whether the baseline and each variant (in that order) would run their clusters apart.</summary>
    internal static IReadOnlyList<bool> RunsApartFor(WhatIfInput input)
    {
        var topology = Restrict(input.Base, input.Scenario, []);
        var workloads = new WhatIfWorkloads(input.Scenario, input.OpenFile, topology);
        return [.. Applied(input.Scenario, topology, input.Epoch).Select(v => RunsApart(input, workloads, v))];
    }

    private static SimulationOptions Options(WhatIfScenario s, AppliedVariant v, DateTimeOffset epoch) => new()
    {
        Topology = v.Topology,
        Horizon = s.Horizon,
        Epoch = epoch,
        Placement = v.Placement,
        ScarceVfPolicy = v.ScarceVfPolicy,
        CpuOvercommit = s.Model.CpuOvercommit,
        Vrss = s.Model.Vrss,
        SeriesBuckets = s.Model.SeriesBuckets,
        ExpectedLiveVms = Math.Max(1024, v.Topology.Vms.Count * 2),
        Failures = v.Failures.ToOptions(),
        Maintenance = MaintenanceSpec.Windows(v.Maintenance, v.Topology),
    };

    /// <summary>Hosts from which a datacenter's clusters run apart by default. Apart, each cluster's hosts, PFs and VMs
    /// stay in the processor's caches, but the replication's whole workload must be held in memory at once (an array
    /// the model reads each cluster's VMs from) instead of streaming through. Measured with twin simulate --scope
    /// cluster on 2 cores (the same results each way): the datacenter-quarter sample's datacenter and workload (240
    /// hosts in 4 clusters, 437,000 VMs per replication) took 30-60 % longer apart, with about 0.5 GB instead of 0.1 GB;
    /// synthetic datacenters in clusters of 100 hosts with 40 VMs per host took 15-30 % longer at 1,000 hosts, about as
    /// long at 2,500, and 13 % less wall time and 20 % less CPU at 10,000 hosts (1.5 GB instead of 0.65 GB).</summary>
    internal const int ClustersApartFromHosts = 5_000;

    /// <summary>Whether <paramref name="v"/>'s replications run their clusters apart: every VM names its cluster or host,
    /// there are clusters to part, and (unless the input says) the datacenter is large enough for it to pay. Replications
    /// already keep every core busy, so each runs its clusters one after the other on its own thread.</summary>
    private static bool RunsApart(WhatIfInput input, WhatIfWorkloads workloads, AppliedVariant v) =>
        input.ClustersApart != false && (input.ClustersApart == true || v.Topology.Hosts.Count >= ClustersApartFromHosts)
        && workloads.EveryVmNamesItsCluster(v) && v.Topology.Hosts.Select(h => h.Cluster).Distinct(StringComparer.Ordinal).Skip(1).Any();

    private static bool Scoped(WhatIfScenario s) =>
        s.Workload is WorkloadSpec.Synthetic { Scope: PlacementScope.Cluster } or WorkloadSpec.Trace { Scope: PlacementScope.Cluster }
        || s.Cohorts.Concat(s.Variants.SelectMany(v => v.Changes).OfType<ChangeSpec.AddCohort>().Select(a => a.Cohort)).Any(c => c.Scope == PlacementScope.Cluster);

    /// <summary>Every outage names a host or PF of the variant's datacenter (the base's, or one the variant adds), and a
    /// PF the model simulates: a ScenarioException at the outage's line otherwise.</summary>
    private static void CheckFailures(WhatIfScenario s, AppliedVariant v, SimulationOptions options)
    {
        var outages = v.Failures.Outages ?? [];
        if (outages.Count == 0) return;
        var who = Who(s, v);
        var hosts = v.Topology.Hosts.Select(h => h.Id.Value).ToList();
        var pfs = v.Topology.Nics.Select(n => n.Id.Value).ToList();
        foreach (var o in outages)
        {
            var (field, known, what) = o.Kind == OutageKind.Host ? ("host", hosts, "host") : ("pf", pfs, "PF");
            if (!known.Contains(o.Target, StringComparer.Ordinal))
                // an outage of a file names its field; one of twin simulate's options, the option as written
                throw new ScenarioException(s.Source, o.Where.Line, o.Where.Column, o.Where.Line > 0 ? $"{o.Where.Path}.{field}" : o.Where.Path,
                    $"{who} has no {what} '{o.Target}'{ScenarioReader.Suggest(o.Target, known)}" + (o.Kind == OutageKind.Nic ? "; a PF is named HOST/PCI, e.g. a-01/0000:3b:00.0" : ""));
        }
        if (outages.All(o => o.Kind == OutageKind.Host)) return;
        try
        {
            // the model simulates one PF per host: it refuses an outage of another
            _ = new SimulationModel(options);
        }
        catch (ArgumentException e)
        {
            var o = outages.FirstOrDefault(x => e.Message.Contains($"'{x.Target}'", StringComparison.Ordinal)) ?? outages[0];
            throw new ScenarioException(s.Source, o.Where.Line, o.Where.Column, o.Where.Path,
                o.Kind == OutageKind.Nic && e.Message.Contains("no such PF", StringComparison.Ordinal)
                    ? $"PF '{o.Target}' is not the PF the model gives its host's VMs (one per host: the one behind an IOV-enabled external switch, else behind any switch, else the first with VFs): name that one"
                    : e.Message);
        }
    }

    /// <summary>Every maintenance names a host or a cluster of the variant's datacenter (the base's, or one the variant
    /// adds), and every host of a rolling maintenance starts its window before the horizon: a ScenarioException at the
    /// maintenance's line otherwise.</summary>
    private static void CheckMaintenance(WhatIfScenario s, AppliedVariant v)
    {
        if (v.Maintenance.Count == 0) return;
        var hosts = v.Topology.Hosts.Select(h => h.Id.Value).ToList();
        var clusters = v.Topology.Hosts.Select(h => h.Cluster).Distinct(StringComparer.Ordinal).ToList();
        foreach (var m in v.Maintenance)
        {
            var (field, known, what) = m.Rolling ? ("rolling", clusters, "cluster") : ("host", hosts, "host");
            if (!known.Contains(m.Target, StringComparer.Ordinal))
                // a maintenance of a file names its field; one of twin simulate's options, the option as written
                throw new ScenarioException(s.Source, m.Where.Line, m.Where.Column, m.Where.Line > 0 ? $"{m.Where.Path}.{field}" : m.Where.Path,
                    $"{Who(s, v)} has no {what} '{m.Target}'{ScenarioReader.Suggest(m.Target, known)}");
            if (!m.Rolling) continue;
            var windows = m.Windows(v.Topology).ToList();
            var late = windows.FindIndex(w => w.At - SimTime.Zero >= s.Horizon);
            if (late >= 0)
                throw new ScenarioException(s.Source, m.Where.Line, m.Where.Column, m.Where.Path,
                    $"the rolling maintenance of cluster {m.Target} does not fit before the horizon ({VariantApplier.Span(s.Horizon)}): {Who(s, v)} has {windows.Count} host(s) there, "
                    + $"and host {windows[late].Host}'s window would start at {VariantApplier.Span(windows[late].At - SimTime.Zero)}; start earlier, shorten each or gap, or lengthen the horizon");
        }
    }

    private static string Who(WhatIfScenario s, AppliedVariant v) =>
        (v.Name == "baseline" ? "the base" : $"variant {v.Name}")
        + (s.Base.Clusters.Count > 0 ? $" (restricted to cluster(s) {string.Join(", ", s.Base.Clusters)})" : "");

    private static IEnumerable<string> Assumptions(WhatIfScenario s)
    {
        yield return $"placement: {s.Placement} (variants may change it); CPU overcommit {s.Model.CpuOvercommit.ToString(CultureInfo.InvariantCulture)} vCPU per core; vRSS {(s.Model.Vrss ? "on" : "off")}";
        yield return "scarce-VF policy: " + (s.ScarceVfPolicy?.ToString() ?? "each PF's own (default FirstComeThenWeight, DESIGN §3.2)");
        yield return "a host's VMs use one PF: the one behind an IOV-enabled external switch, else behind any switch, else the first with VFs, else the first SR-IOV capable";
        yield return "variants describe the datacenter after the change; the change itself (adapter restarts, switch recreation, reboots) is a rehearsal question";
    }

    /// <summary>The base restricted to the scenario's clusters.</summary>
    private static Topology Restrict(Topology t, WhatIfScenario s, List<string> notes)
    {
        if (t.Hosts.Count == 0)
            throw new ScenarioException(s.Source, s.Base.Where.Line, s.Base.Where.Column, s.Base.Where.Path, "the base has no hosts: nothing to simulate");
        t = Sized(t, s, notes);
        if (s.Base.Clusters.Count == 0) return t;
        var known = t.Hosts.Select(h => h.Cluster).Distinct(StringComparer.Ordinal).ToList();
        foreach (var c in s.Base.Clusters.Where(c => !known.Contains(c, StringComparer.Ordinal)))
            throw new ScenarioException(s.Source, s.Base.Where.Line, s.Base.Where.Column, $"{s.Base.Where.Path}.clusters",
                $"the base has no cluster '{c}' (it has {string.Join(", ", known.Select(k => k.Length == 0 ? "''" : k))})");
        var hosts = t.Hosts.Where(h => s.Base.Clusters.Contains(h.Cluster, StringComparer.Ordinal)).Select(h => h.Id).ToHashSet();
        var nics = t.Nics.Where(n => hosts.Contains(n.Host)).Select(n => n.Id).ToHashSet();
        notes.Add($"base restricted to cluster(s) {string.Join(", ", s.Base.Clusters)}: {hosts.Count} of {t.Hosts.Count} hosts");
        return new Topology(
            t.Hosts.Where(h => hosts.Contains(h.Id)).ToValueList(),
            t.Nics.Where(n => hosts.Contains(n.Host)).ToValueList(),
            t.Switches.Where(x => hosts.Contains(x.Host)).ToValueList(),
            t.Vms.Where(v => hosts.Contains(v.Host)).ToValueList(),
            t.ResourcePools.Where(p => nics.Contains(p.Nic)).ToValueList(),
            t.VfHolders.Where(h => nics.Contains(h.Nic)).ToValueList());
    }

    /// <summary>The base with its unsized hosts (no cores or memory known, as from captures) given the scenario's sizes.</summary>
    private static Topology Sized(Topology t, WhatIfScenario s, List<string> notes)
    {
        var unsized = t.Hosts.Where(h => h.Cores <= 0 || h.MemoryMiB <= 0).ToList();
        if (unsized.Count == 0) return t;
        if (s.Base.HostCores is null || s.Base.HostMemoryGiB is null)
        {
            notes.Add($"{unsized.Count} host(s) of the base have no cores or memory ({string.Join(", ", unsized.Take(3).Select(h => h.Id.Value))}"
                      + $"{(unsized.Count > 3 ? ", …" : "")}): no VM fits on them; size them with base.hostCores and base.hostMemoryGiB (twin simulate --host-cores, --host-memory-gib)");
            if (s.Base.HostCores is null && s.Base.HostMemoryGiB is null) return t;
        }
        notes.Add($"{unsized.Count} unsized host(s) given {s.Base.HostCores?.ToString(CultureInfo.InvariantCulture) ?? "their"} cores and "
                  + $"{s.Base.HostMemoryGiB?.ToString(CultureInfo.InvariantCulture) ?? "their"} GiB");
        return t with
        {
            Hosts = t.Hosts.Select(h => h with
            {
                Cores = h.Cores > 0 ? h.Cores : s.Base.HostCores ?? h.Cores,
                MemoryMiB = h.MemoryMiB > 0 ? h.MemoryMiB : s.Base.HostMemoryGiB is { } g ? (long)Math.Round(g * 1024) : h.MemoryMiB,
            }).ToValueList(),
        };
    }

    /// <summary>The reservations that apply to PFs of this base (others are for PFs not in it: another cluster, or gone).</summary>
    private static List<CapacityReservation> Applicable(IReadOnlyList<CapacityReservation> all, Topology t, List<string> notes)
    {
        var nics = t.Nics.Select(n => n.Id.Value).ToHashSet(StringComparer.Ordinal);
        var applied = new List<CapacityReservation>();
        foreach (var r in all.OrderBy(r => r.Scenario, StringComparer.Ordinal))
        {
            var mine = r.Pfs.Where(p => nics.Contains(p.Nic)).ToList();
            if (mine.Count == 0) continue;
            applied.Add(r with { Pfs = mine });
            notes.Add($"reserved by committed scenario {r.Scenario} ({r.Variant}): {mine.Sum(p => p.Vfs)} VF(s) on {mine.Count} PF(s), held from day 0");
        }
        return applied;
    }

    private static void CheckClusters(WhatIfScenario s, AppliedVariant v)
    {
        var clusters = v.Topology.Hosts.Select(h => h.Cluster).ToHashSet(StringComparer.Ordinal);
        foreach (var c in v.Cohorts.Where(c => c.Cluster is not null && !clusters.Contains(c.Cluster)))
            throw new ScenarioException(s.Source, c.Where.Line, c.Where.Column, $"{c.Where.Path}.cluster",
                $"cohort {c.Name} goes to cluster '{c.Cluster}', which {(v.Name == "baseline" ? "the base" : $"variant {v.Name}")} does not have ({string.Join(", ", clusters)})");
        var workloadCluster = s.Workload switch { WorkloadSpec.Trace t => t.Cluster, WorkloadSpec.Synthetic y => y.Cluster, _ => null };
        if (workloadCluster is not null && !clusters.Contains(workloadCluster))
            throw new ScenarioException(s.Source, s.Workload.Where.Line, s.Workload.Where.Column, $"{s.Workload.Where.Path}.cluster",
                $"the workload goes to cluster '{workloadCluster}', which the base does not have ({string.Join(", ", clusters)})");
    }
}
