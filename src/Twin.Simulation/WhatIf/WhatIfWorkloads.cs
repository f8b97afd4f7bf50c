using System.Globalization;
using Twin.Events.Inventory;
using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;
using Twin.Simulation.Model;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.WhatIf;

/// <summary>
/// Builds the VMs of one replication of one variant: the base's running VMs and the reserved capacity at time zero
/// (pinned to their hosts), the arriving workload (trace or generator) and the cohorts, merged in arrival order.
/// Every source and every network attribute draws from its own random stream of (seed, replication), so a variant that
/// changes one attribute (who wants a VF) leaves every other draw where it was: the baseline and the variants see the
/// same VMs at the same times (common random numbers). A workload or cohort of <c>scope: cluster</c> gives each VM a
/// cluster from a stream of its own, weighted by the base's clusters (not the variant's), so the same VM goes to the
/// same cluster in the baseline and in every variant.
/// </summary>
internal sealed class WhatIfWorkloads
{
    private const ulong MainStream = 100;
    private const ulong BaseVmStream = 200;
    // after a source's four network streams (stream + 0..3)
    private const ulong ScopeStreamOffset = 4;
    private const int MaxVnics = 16;

    private readonly WhatIfScenario _scenario;
    private readonly Func<string, Stream> _open;
    private readonly Dictionary<string, DistributionTable> _tables = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private IReadOnlyList<VmLifecycle>? _sortedTrace;
    private readonly ClusterDraw _clusters;

    /// <summary>A workload builder; <paramref name="scopeBase"/> is the datacenter whose clusters scoped VMs are drawn
    /// among (the base, restricted to the scenario's clusters; the same for every variant).</summary>
    public WhatIfWorkloads(WhatIfScenario scenario, Func<string, Stream> open, Topology? scopeBase = null)
    {
        _scenario = scenario;
        _open = open;
        _clusters = ClusterDraw.Of(scopeBase);
    }

    /// <summary>Whether every VM of <paramref name="variant"/>'s replications names its cluster or host: the base's VMs
    /// and the reserved capacity are on their hosts; the arriving workload and each cohort have a cluster, or
    /// <c>scope: cluster</c>.</summary>
    public bool EveryVmNamesItsCluster(AppliedVariant variant) =>
        _scenario.Workload switch
        {
            WorkloadSpec.Synthetic s => s.Cluster is not null || s.Scope == PlacementScope.Cluster,
            WorkloadSpec.Trace t => t.Cluster is not null || t.Scope == PlacementScope.Cluster,
            _ => true,
        } && variant.Cohorts.All(c => c.Cluster is not null || c.Scope == PlacementScope.Cluster);

    /// <summary>Reads every table and checks every distribution up front, so a bad file fails before any run.</summary>
    public void Prepare(IEnumerable<AppliedVariant> variants)
    {
        foreach (var v in variants)
        {
            foreach (var c in v.Cohorts) Resolve(c.Network, c.Where);
            foreach (var c in v.Cohorts) _ = (Sampler(c.LifetimeHours, c.Where, lifetime: true), Sampler(c.Cores, c.Where, false), Sampler(c.MemoryGiB, c.Where, false));
            if (v.WorkloadNetwork is { } n) Resolve(n, _scenario.Workload.Where);
        }
        switch (_scenario.Workload)
        {
            case WorkloadSpec.Synthetic s:
                Resolve(s.Network, _scenario.Workload.Where);
                _ = (Sampler(s.LifetimeHours, s.Where, lifetime: true), Sampler(s.Cores, s.Where, false), Sampler(s.MemoryGiB, s.Where, false));
                break;
            case WorkloadSpec.Trace t:
                Resolve(t.Network, _scenario.Workload.Where);
                if (NeedsSort(t)) SortedTrace(t);
                break;
        }
    }

    /// <summary>Everything that arrives in replication <paramref name="replication"/> of <paramref name="variant"/>, in arrival order.</summary>
    public IEnumerable<SimVm> For(AppliedVariant variant, IReadOnlyList<CapacityReservation> reservations, bool keepBaseVms, ulong replication)
    {
        var seed = _scenario.Seed;
        var atZero = new List<SimVm>();
        if (keepBaseVms) atZero.AddRange(BaseVms(variant.Topology, seed, replication));
        atZero.AddRange(ReservationHolders(reservations));
        var sources = new List<IEnumerable<SimVm>> { atZero };
        if (Main(variant, seed, replication) is { } main) sources.Add(main);
        sources.AddRange(variant.Cohorts.Select(c => Cohort(c, seed, replication)));
        return Merge(sources);
    }

    /// <summary>The base's running VMs, present from time zero to the horizon on their own hosts. A VM's wish for a VF is
    /// its vNICs' highest IovWeight (the model gives a VM one weight); its traffic per vNIC is drawn from the workload's
    /// network profile, since inventories carry no traffic.</summary>
    public IEnumerable<SimVm> BaseVms(Topology topology, ulong seed, ulong replication)
    {
        var network = Resolve(WorkloadNetwork(null), _scenario.Workload.Where);
        var gbps = Pcg32.ForReplication(seed, replication, BaseVmStream);
        foreach (var vm in topology.Vms.Where(v => v.Running).OrderBy(v => v.Id.Value, StringComparer.Ordinal))
        {
            var g = Math.Max(0, network.Gbps.Sample(gbps));
            var vnics = Math.Min(MaxVnics, vm.Vnics.Count);
            var weight = vm.GuestHasVfDriver && vm.Vnics.Count > 0 ? Math.Clamp(vm.Vnics.Max(n => n.IovWeight), 0, 100) : 0;
            yield return new SimVm(vm.Id.Value, SimTime.Zero, null, Math.Max(1, vm.Vcpus), vm.MemoryMiB / 1024.0, vnics, weight, g, Pps(g, network))
            {
                Host = vm.Host.Value,
            };
        }
    }

    /// <summary>Committed scenarios' reserved VFs as holders present all along on their PFs' hosts: no cores, no memory,
    /// no traffic, the highest weight (so no preemption takes them), at most 16 vNICs each.</summary>
    public static IEnumerable<SimVm> ReservationHolders(IReadOnlyList<CapacityReservation> reservations)
    {
        foreach (var r in reservations)
            foreach (var pf in r.Pfs)
            {
                var left = pf.Vfs;
                for (var k = 0; left > 0; k++)
                {
                    var n = Math.Min(MaxVnics, left);
                    left -= n;
                    yield return new SimVm($"reservation/{r.Scenario}/{pf.Nic}/{k.ToString(CultureInfo.InvariantCulture)}", SimTime.Zero, null, 0, 0, n, 100, 0, 0)
                    {
                        Host = pf.Host,
                    };
                }
            }
    }

    private NetworkSpec WorkloadNetwork(NetworkSpec? overridden) => overridden ?? _scenario.Workload switch
    {
        WorkloadSpec.Trace t => t.Network,
        WorkloadSpec.Synthetic s => s.Network,
        _ => NetworkSpec.Default,
    };

    private IEnumerable<SimVm>? Main(AppliedVariant variant, ulong seed, ulong replication)
    {
        var network = Resolve(WorkloadNetwork(variant.WorkloadNetwork), _scenario.Workload.Where);
        switch (_scenario.Workload)
        {
            case WorkloadSpec.Synthetic s:
                var generated = SyntheticWorkload.Generate(new SyntheticWorkloadOptions
                {
                    Seed = seed,
                    Replication = replication,
                    ArrivalsPerHour = s.ArrivalsPerHour,
                    Horizon = _scenario.Horizon,
                    GrowthPercent = s.GrowthPercent,
                    LifetimeHours = Sampler(s.LifetimeHours, s.Where, lifetime: true),
                    Cores = Sampler(s.Cores, s.Where, false),
                    MemoryGiB = Sampler(s.MemoryGiB, s.Where, false),
                    // network attributes come from their own streams below, so the generator's stream never depends on them
                    VnicCount = new Constant<int>(0),
                    IovWeight = new Constant<int>(0),
                    MeanGbitPerSecondPerVnic = new Constant<double>(0),
                });
                return WithNetwork(generated.Select(v => (v.Lifecycle.Id, v.Lifecycle.Created, Departure(v.Lifecycle.Created, v.Lifetime), v.Lifecycle.Cores, v.Lifecycle.MemoryGiB)),
                    network, seed, replication, MainStream, s.Cluster, s.Scope);
            case WorkloadSpec.Trace t:
                var from = SimTime.FromHours(t.FromHours);
                var until = t.UntilHours is { } u ? SimTime.FromHours(u) : (SimTime?)null;
                // a streamed trace is parsed on a second thread while the model runs (same rows, same order, errors where they are)
                var rows = NeedsSort(t) ? SortedTrace(t) : Window(CheckedOrder(ReadAhead.Of(ReadTrace(t)), t), from, until);
                return WithNetwork(rows.Select(v => (v.Id, SimTime.Zero + (v.Created - from), v.Deleted is { } d ? SimTime.Zero + (d - from) : (SimTime?)null, v.Cores, v.MemoryGiB)),
                    network, seed, replication, MainStream, t.Cluster, t.Scope);
            default:
                return null;
        }
    }

    private SimTime? Departure(SimTime created, SimDuration lifetime) =>
        created + lifetime is var end && end < SimTime.Zero + _scenario.Horizon ? end : null;

    private IEnumerable<SimVm> Cohort(CohortSpec c, ulong seed, ulong replication)
    {
        var start = SimTime.FromHours(c.StartHours);
        var end = SimTime.FromHours(c.UntilHours ?? _scenario.Horizon.TotalHours);
        if (end <= start) return [];
        var cohortSeed = Derive(seed, "cohort:" + c.Name);
        var generated = SyntheticWorkload.Generate(new SyntheticWorkloadOptions
        {
            Seed = cohortSeed,
            Replication = replication,
            ArrivalsPerHour = c.ArrivalsPerHour,
            Horizon = end - start,
            GrowthPercent = c.GrowthPercent,
            LifetimeHours = Sampler(c.LifetimeHours, c.Where, lifetime: true),
            Cores = Sampler(c.Cores, c.Where, false),
            MemoryGiB = Sampler(c.MemoryGiB, c.Where, false),
            VnicCount = new Constant<int>(0),
            IovWeight = new Constant<int>(0),
            MeanGbitPerSecondPerVnic = new Constant<double>(0),
            IdPrefix = $"cohort/{c.Name}/",
        });
        var shifted = generated.Select(v =>
        {
            var created = start + (v.Lifecycle.Created - SimTime.Zero);
            return (v.Lifecycle.Id, created, Departure(created, v.Lifetime), v.Lifecycle.Cores, v.Lifecycle.MemoryGiB);
        });
        if (c.Count is { } n) shifted = shifted.Take(n);
        return WithNetwork(shifted, Resolve(c.Network, c.Where), cohortSeed, replication, MainStream, c.Cluster, c.Scope);
    }

    private IEnumerable<SimVm> WithNetwork(IEnumerable<(string Id, SimTime Arrival, SimTime? Departure, double Cores, double MemoryGiB)> vms,
        ResolvedNetwork n, ulong seed, ulong replication, ulong stream, string? cluster, PlacementScope scope)
    {
        var share = Pcg32.ForReplication(seed, replication, stream);
        var vnics = Pcg32.ForReplication(seed, replication, stream + 1);
        var weights = Pcg32.ForReplication(seed, replication, stream + 2);
        var gbps = Pcg32.ForReplication(seed, replication, stream + 3);
        // a stream of its own: scoping a workload moves none of its other draws
        var clusters = cluster is null && scope == PlacementScope.Cluster ? Pcg32.ForReplication(seed, replication, stream + ScopeStreamOffset) : null;
        foreach (var (id, arrival, departure, cores, memory) in vms)
        {
            // every stream is drawn once per VM whatever the outcome, so changing one attribute moves no other
            var wants = share.NextDouble() < n.Share;
            var count = (int)Math.Clamp(Math.Round(n.Vnics.Sample(vnics)), 0, MaxVnics);
            var weight = (int)Math.Clamp(Math.Round(n.Weight.Sample(weights)), 1, 100);
            var g = Math.Max(0, n.Gbps.Sample(gbps));
            yield return new SimVm(id, arrival, departure, Math.Max(1, (int)Math.Round(cores)), memory, count, wants ? weight : 0, g, Pps(g, n))
            {
                Cluster = clusters is null ? cluster : _clusters.Pick(clusters.NextDouble()),
            };
        }
    }

    /// <summary>The clusters a scoped VM is drawn among (ordinal order of their names), each with a probability
    /// proportional to its host count.</summary>
    private sealed class ClusterDraw(string[] names, double[] cumulative)
    {
        public static ClusterDraw Of(Topology? t)
        {
            var groups = (t?.Hosts ?? []).GroupBy(h => h.Cluster, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
            var total = (double)groups.Sum(g => g.Count());
            var running = 0;
            return new ClusterDraw([.. groups.Select(g => g.Key)], [.. groups.Select(g => (running += g.Count()) / total)]);
        }

        /// <summary>The cluster of uniform draw <paramref name="u"/> in [0, 1).</summary>
        public string Pick(double u)
        {
            if (names.Length == 0) throw new InvalidOperationException("scope: cluster needs a base with clusters");
            for (var i = 0; i < names.Length - 1; i++)
                if (u < cumulative[i]) return names[i];
            return names[^1];
        }
    }

    private static double Pps(double gbps, ResolvedNetwork n) => gbps * 1e9 / 8 / n.PacketBytes;

    /// <summary>Merges sources that are each in arrival order; ties go to the earlier source.</summary>
    internal static IEnumerable<SimVm> Merge(IReadOnlyList<IEnumerable<SimVm>> sources)
    {
        var enumerators = sources.Select(s => s.GetEnumerator()).ToArray();
        try
        {
            var live = enumerators.Select(e => e.MoveNext()).ToArray();
            while (true)
            {
                var best = -1;
                for (var i = 0; i < enumerators.Length; i++)
                    if (live[i] && (best < 0 || enumerators[i].Current.Arrival < enumerators[best].Current.Arrival)) best = i;
                if (best < 0) yield break;
                yield return enumerators[best].Current;
                live[best] = enumerators[best].MoveNext();
            }
        }
        finally
        {
            foreach (var e in enumerators) e.Dispose();
        }
    }

    /// <summary>A seed for a named part of the scenario (a cohort), independent of the others.</summary>
    internal static ulong Derive(ulong seed, string name)
    {
        var hash = 14695981039346656037UL;
        foreach (var ch in name)
        {
            hash ^= ch;
            hash *= 1099511628211UL;
        }
        return Pcg32.ForReplication(seed, hash, 0xC0).NextULong();
    }

    // ---------------- traces ----------------

    private static bool NeedsSort(WorkloadSpec.Trace t) => t.Sort || t.Format == TraceFormat.GoogleTaskEvents;

    private IEnumerable<VmLifecycle> ReadTrace(WorkloadSpec.Trace t)
    {
        var name = Path.GetFileName(t.Path);
        return t.Format switch
        {
            TraceFormat.GoogleTaskEvents => GoogleClusterTrace.ReadTaskLifecycles(TraceInput.OpenText(_open(t.Path)), name,
                new GoogleClusterTraceOptions { MachineCores = t.MachineCores, MachineMemoryGiB = t.MachineMemoryGiB }),
            _ => AzureVmTable.Read(_open(t.Path), name),
        };
    }

    private IReadOnlyList<VmLifecycle> SortedTrace(WorkloadSpec.Trace t)
    {
        lock (_gate)
        {
            if (_sortedTrace is not null) return _sortedTrace;
            var from = SimTime.FromHours(t.FromHours);
            var until = t.UntilHours is { } u ? SimTime.FromHours(u) : (SimTime?)null;
            // a stable sort: VMs created at the same moment keep the file's order
            _sortedTrace = [.. Window(ReadTrace(t), from, until).Select((v, i) => (v, i)).OrderBy(x => x.v.Created).ThenBy(x => x.i).Select(x => x.v)];
            return _sortedTrace;
        }
    }

    private static IEnumerable<VmLifecycle> Window(IEnumerable<VmLifecycle> rows, SimTime from, SimTime? until) =>
        rows.Where(v => v.Created >= from && (until is not { } u || v.Created < u));

    private IEnumerable<VmLifecycle> CheckedOrder(IEnumerable<VmLifecycle> rows, WorkloadSpec.Trace t)
    {
        var last = SimTime.Zero;
        var lastId = "";
        foreach (var v in rows)
        {
            if (v.Created < last)
                throw new ScenarioException(_scenario.Source, t.Where.Line, t.Where.Column, "workload.trace.sort",
                    $"{t.Path} is not in creation order (VM {v.Id} is created at {v.Created} after VM {lastId} at {last}): add sort: true (twin simulate: --sort) to read it whole and sort it");
            (last, lastId) = (v.Created, v.Id);
            yield return v;
        }
    }

    // ---------------- distributions ----------------

    private sealed record ResolvedNetwork(double Share, ISampler<double> Vnics, ISampler<double> Weight, ISampler<double> Gbps, double PacketBytes);

    private ResolvedNetwork Resolve(NetworkSpec n, SourcePosition where) =>
        new(n.SriovShare, Sampler(n.Vnics, where, false), Sampler(n.IovWeight, where, false), Sampler(n.GbpsPerVnic, where, false), n.PacketBytes);

    private ISampler<double> Sampler(DistributionSpec d, SourcePosition where, bool lifetime) => d switch
    {
        DistributionSpec.Fixed f => new Constant<double>(f.Value),
        DistributionSpec.ExponentialMean e => Exponential.WithMean(e.Mean),
        DistributionSpec.Between b => b.Max > b.Min ? new Uniform(b.Min, b.Max) : new Constant<double>(b.Min),
        DistributionSpec.Choices c => new WeightedChoice<double>(c.Values.Zip(c.Weights)),
        DistributionSpec.Azure2019Table t => Table(t.Path, where, lifetime),
        _ => throw new ArgumentOutOfRangeException(nameof(d), d, "unknown distribution"),
    };

    private ISampler<double> Table(string path, SourcePosition where, bool lifetime)
    {
        DistributionTable table;
        lock (_gate)
        {
            if (!_tables.TryGetValue(path, out table!))
            {
                try
                {
                    using var reader = TraceInput.OpenText(_open(path));
                    table = DistributionTable.Read(reader, Path.GetFileName(path));
                }
                catch (TraceFormatException e)
                {
                    throw new ScenarioException(_scenario.Source, where.Line, where.Column, where.Path, $"the table {path} cannot be read: {e.Message}");
                }
                _tables[path] = table;
            }
        }
        // lifetime.txt is a cumulative distribution over hours; cores.txt and memory.txt are percent per bucket
        return lifetime ? Azure2019Distributions.LifetimeHours(table) : table.ToNumericWeightedChoice();
    }
}
