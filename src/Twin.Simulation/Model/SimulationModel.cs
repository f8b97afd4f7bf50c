using System.Runtime.CompilerServices;
using Twin.Events.Catalog;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sriov;
using Twin.Events.Switches;

namespace Twin.Simulation.Model;

/// <summary>
/// One replication of a workload against a datacenter. VMs arrive (and start), hold VFs by the rules of their PF's
/// platform, and depart; placement, the VF pools, the datapaths and the throughput model are updated at each event.
/// The VF decisions are the core's own: <see cref="NicRules"/> decides and the PF state's <c>Apply…</c> methods (which
/// its Evolve uses) change it, so a simulated pool behaves exactly as the live twin's. The loop creates no objects:
/// per-VM and per-PF state live in arrays.
/// </summary>
public sealed partial class SimulationModel
{
    private const int MaxVnics = 16;
    private static readonly string[] VnicNames = [.. Enumerable.Range(0, MaxVnics).Select(i => $"net{i}")];
    private static readonly GuestOs SupportedGuest = GuestOs.Parse("Windows Server 2022");

    private readonly SimulationOptions _o;
    private readonly SimHost[] _hosts;
    private readonly int[] _nicOfHost;
    private readonly Nic[] _nics;
    private readonly NicTrack[] _track;
    // the utilisation series of all PFs in one array: PF i's buckets are at [i * _seriesLength, (i + 1) * _seriesLength),
    // a bucket's time-weighted sum and peak side by side (an event updates both: one cache line, not two)
    private readonly int _seriesLength;
    private readonly SeriesCell[] _series;
    private readonly string[] _clusters;
    private readonly HostIndex _index;
    private readonly Dictionary<string, int> _hostById;
    private readonly Dictionary<string, int> _clusterById;
    // per-cluster placement indexes, built on the first VM restricted to a cluster and kept up to date after that
    private ClusterIndex[]? _byCluster;
    // per cluster: PFs that can run out (SR-IOV usable, something allocatable), how many are out now, and when all first were
    private readonly int[] _clusterUsablePfs, _clusterExhaustedPfs;
    private readonly long[] _clusterAllOut;
    // VM slot of each VF's holder, per PF (for preemption), and of VMs with a waiting vNIC (for hand-overs): the only
    // look-ups from a PF back to a VM, so nothing is hashed on the common path. The holders of all PFs share one array:
    // PF i's VFs are at [_holderBase[i], _holderBase[i + 1]).
    private readonly int[] _holderSlot, _holderBase;
    private readonly Dictionary<string, int> _waitingVms = new(StringComparer.Ordinal);
    // where arrival n is read: _store[n & _storeMask] (the workload itself when it is an array, else a ring of copies)
    private SimVm[] _store = [];
    private int _storeMask;
    private readonly long _horizon;
    private readonly long _bucket;
    private readonly double _synCap;
    private readonly double _cpuPerGbps;
    private readonly double _vfLatency, _nativeLatency, _synLatency, _synLatencyUnderContention;
    private readonly bool _perVm;
    // per VM slot: what every event of the VM reads (64 bytes), its name, and what only per-VM results need
    private VmRt[] _vms;
    private string[] _vmNames;
    private VmCold[] _cold;
    private int _vmCount;
    private long _events, _arrived, _started, _refusedRoom, _failedStarts, _wanting, _fellBack, _failedStartVnics;
    // per VM slot, for VMs with changes: their changes (read when a change comes due)
    private VmChange[]?[] _changesOf;
    // whether the global placement index is kept (not in the lanes of a run whose clusters go apart: each cluster's own is)
    private readonly bool _updateGlobalIndex = true;
    // whether a coming departure's memory is fetched ahead (not in the lanes of clusters apart: a cluster's state is in
    // the caches already, and the hints would only cost instructions)
    private readonly bool _fetchAhead = true;

    public SimulationModel(SimulationOptions options)
    {
        _o = options;
        _perVm = options.PerVmResults;
        _vms = new VmRt[Math.Max(1024, options.ExpectedLiveVms)];
        _vmNames = new string[_vms.Length];
        _cold = new VmCold[_vms.Length];
        _changesOf = new VmChange[]?[_vms.Length];
        _horizon = options.Horizon.Microseconds;
        _bucket = Math.Max(1, _horizon / Math.Max(1, options.SeriesBuckets));
        var t = options.Throughput;
        _synCap = t.SyntheticGbpsPerCore.Value * (options.Vrss ? t.SyntheticCoresWithVrss.Value : t.SyntheticCoresWithoutVrss.Value);
        _cpuPerGbps = t.SyntheticHostCpuCoresPerGbps.Value;
        _vfLatency = t.VfLatencyUs.Value;
        _nativeLatency = t.NativeLatencyUs.Value;
        _synLatency = t.SyntheticLatencyUs.Value;
        _synLatencyUnderContention = t.SyntheticLatencyUnderContentionUs.Value;

        var topo = options.Topology;
        _clusters = [.. topo.Hosts.Select(h => h.Cluster).Distinct(StringComparer.Ordinal)];
        var clusterIndex = _clusters.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var nicsByHost = topo.Nics.GroupBy(n => n.Host).ToDictionary(g => g.Key, g => g.OrderBy(n => n.Id.Value, StringComparer.Ordinal).ToList());
        var switchesByHost = topo.Switches.GroupBy(s => s.Host).ToDictionary(g => g.Key, g => g.ToList());
        var poolsByNic = topo.ResourcePools.GroupBy(p => p.Nic).ToDictionary(g => g.Key, g => g.ToList());
        var nics = new List<Nic>();
        var tracks = new List<NicTrack>();
        _hosts = new SimHost[topo.Hosts.Count];
        var clusterSizes = new int[_clusters.Length];
        var at = options.Epoch;
        for (var h = 0; h < topo.Hosts.Count; h++)
        {
            var spec = topo.Hosts[h];
            var hostNics = nicsByHost.GetValueOrDefault(spec.Id) ?? [];
            var switches = switchesByHost.GetValueOrDefault(spec.Id) ?? [];
            // the PF a host's vNICs use: the one behind an IOV-enabled external switch, else one behind any switch, else
            // (captures often show no switch) the first with VFs configured, else the first SR-IOV capable, else the first
            var chosen = hostNics.FirstOrDefault(n => switches.Any(s => s.BoundNic == n.Id && s.IovEnabled))
                         ?? hostNics.FirstOrDefault(n => switches.Any(s => s.BoundNic == n.Id))
                         ?? hostNics.FirstOrDefault(n => n.SriovEnabled && n.ConfiguredVfs > 0)
                         ?? hostNics.FirstOrDefault(n => n.MaxVfs > 0) ?? hostNics.FirstOrDefault();
            var nicIndex = -1;
            SriovBlocker? blocker = null;
            if (chosen is not null)
            {
                nicIndex = nics.Count;
                var nic = BuildNic(chosen, spec.Platform, poolsByNic.GetValueOrDefault(chosen.Id) ?? [], options, at);
                nics.Add(nic);
                tracks.Add(new NicTrack(chosen.LinkMbps / 1000.0 * t.VfGoodputFraction.Value) { Host = h, HostCores = spec.Cores });
                var sw = switches.FirstOrDefault(s => s.BoundNic == chosen.Id && s.IovEnabled) ?? switches.FirstOrDefault(s => s.BoundNic == chosen.Id);
                var hostFacts = new HostFacts(spec.Id, spec.Platform, spec.Os, HostStatus.Up, 0);
                var swFacts = sw is null ? null : new SwitchFacts(sw.Id, sw.Host, sw.Kind, sw.BoundNic, sw.IovEnabled, SwitchStatus.Active);
                // the PF's own state (enabled, VFs) is decided at each request; only the static prerequisites are here
                var nicFacts = NicFacts.Of(nic) with { SriovEnabled = true, Configured = Math.Max(1, nic.Configured) };
                blocker = SriovPrerequisites.Check(hostFacts, spec.Chipset ?? ChipsetCapabilities.Full, swFacts, nicFacts, SupportedGuest, 100)
                    .Cast<SriovBlocker?>().FirstOrDefault();
            }
            var rules = PlatformRules.For(spec.Platform);
            _hosts[h] = new SimHost
            {
                Id = spec.Id.Value,
                Cluster = clusterIndex[spec.Cluster],
                LocalInCluster = clusterSizes[clusterIndex[spec.Cluster]]++,
                Platform = spec.Platform,
                FreeVcpu = spec.Cores * options.CpuOvercommit,
                FreeMem = spec.MemoryMiB / 1024.0,
                Cores = spec.Cores,
                Nic = nicIndex,
                Blocker = blocker,
                VectorBudget = rules.HasInterruptVectorBudget ? spec.InterruptVectorBudget ?? InterruptVectors.DefaultPassthroughBudget.Value : 0,
                VectorsPerVf = chosen is null ? 0 : InterruptVectors.PerVf(chosen.Vendor),
                FirstExhaustion = -1,
            };
        }
        _nics = [.. nics];
        _nicOfHost = [.. _hosts.Select(x => x.Nic)];
        _track = [.. tracks];
        _holderBase = new int[_nics.Length + 1];
        for (var i = 0; i < _nics.Length; i++) _holderBase[i + 1] = _holderBase[i] + Math.Max(_nics[i].Pool.Configured, _nics[i].Ceiling ?? 0) + 1;
        _holderSlot = new int[_holderBase[^1]];
        _seriesLength = Math.Max(1, options.SeriesBuckets);
        _series = new SeriesCell[_nics.Length * _seriesLength];
        _index = new HostIndex(_hosts.Length);
        _hostById = new Dictionary<string, int>(_hosts.Length, StringComparer.Ordinal);
        for (var h = 0; h < _hosts.Length; h++) _hostById.TryAdd(_hosts[h].Id, h);
        _clusterById = clusterIndex;
        _clusterUsablePfs = new int[_clusters.Length];
        _clusterExhaustedPfs = new int[_clusters.Length];
        _clusterAllOut = [.. _clusters.Select(_ => -1L)];
        foreach (var host in _hosts)
            if (host.Nic >= 0 && host.Blocker is null && _nics[host.Nic].Allocatable > 0) _clusterUsablePfs[host.Cluster]++;
        _failures = options.Failures;
        _trackHosts = _failures.Any || options.Maintenance.Count > 0;
        _hostDown = new bool[_hosts.Length];
        _hostClosed = new bool[_hosts.Length];
        _hostMaintenance = new int[_hosts.Length];
        _hostMaintenanceMicros = new long[_hosts.Length];
        _hostOutages = new int[_hosts.Length];
        _hostDownSince = new long[_hosts.Length];
        _hostFailures = new long[_hosts.Length];
        _hostDownMicros = new long[_hosts.Length];
        _firstOnHost = new int[_trackHosts ? _hosts.Length : 0];
        Array.Fill(_firstOnHost, -1);
        if (_trackHosts)
        {
            _nextOnHost = new int[_vms.Length];
            _prevOnHost = new int[_vms.Length];
            _downSince = new long[_vms.Length];
        }
        var members = _clusters.Select(_ => new List<int>()).ToArray();
        for (var h = 0; h < _hosts.Length; h++) members[_hosts[h].Cluster].Add(h);
        _clusterMembers = [.. members.Select(m => m.ToArray())];
        _nicOutages = new int[_nics.Length];
        _listedOutages = [.. ResolveOutages(_failures.Outages), .. ResolveMaintenance(options.Maintenance)];
        for (var h = 0; h < _hosts.Length; h++) Reindex(h);
    }

    /// <summary>A PF as the twin would hold it after installing and observing it: built with the NIC decider itself.</summary>
    private static Nic BuildNic(NicSpec n, Platform platform, List<ResourcePoolSpec> pools, SimulationOptions o, DateTimeOffset at)
    {
        var nic = Nic.Initial();
        void Run(NicCommand c) => (_, nic) = NicDecider.Decider.Run(c, nic);
        Run(new NicCommand.InstallNic(n.Id, n.Host, platform, n.Model, n.Vendor, n.PciAddress, n.LinkMbps, n.NumaNode, n.MaxVfs,
            n.PfDriverSupportsSriov, n.VPorts, n.QueuePairs, at));
        Run(new NicCommand.ObserveVfConfiguration(n.Id, n.MaxVfs, n.SriovEnabled, n.ConfiguredVfs, n.RequestedVfs, OperationId.None, at));
        foreach (var p in pools) Run(new NicCommand.DefineResourcePool(p.Nic, p.Name, p.VfIndices, at));
        if (o.ScarceVfPolicy is { } policy) Run(new NicCommand.SetScarceVfPolicy(n.Id, policy, at));
        return nic;
    }

    /// <summary>Runs the workload (in arrival order) to the horizon.</summary>
    public RunResult Run(IEnumerable<SimVm> workload, ulong seed = 0, ulong replication = 0)
    {
        ArgumentNullException.ThrowIfNull(workload);
        if (_ran) throw new InvalidOperationException("a model runs once: make a new one for another run");
        _ran = true;
        if (_o.ClusterParallelism >= 0 && !_perVm && workload is SimVm[] array && ClustersApart(array) is { } byCluster)
        {
            RunApart(array, byCluster, seed, replication);
            return Finish(seed, replication);
        }
        var ring = _o.OrderOnSecondThread ? new TickRing(RingTicks) : null;
        // without per-VM results a departed VM's slot is reused, so memory follows the VMs present, not all that came
        var order = EventOrder.Of(workload, _horizon, _vms.Length, reuseSlots: !_perVm, ring?.Capacity ?? InlineTicks,
            FailuresIn(Enumerable.Range(0, _hosts.Length), seed, replication));
        _store = order.Store;
        _storeMask = order.StoreMask;
        if (ring is null) RunInline(order);
        else RunPipelined(order, ring);
        EndOfRun(Enumerable.Range(0, _hosts.Length));
        return Finish(seed, replication);
    }

    private bool _ran;

    private const int InlineTicks = 2048, RingTicks = 1 << 15;

    /// <summary>Orders a batch of events, runs it, and so on, on this thread.</summary>
    private void RunInline(EventOrder order)
    {
        var ticks = new Tick[InlineTicks];
        try
        {
            int n;
            while ((n = order.Fill(ticks)) > 0) Consume(ticks.AsSpan(0, n));
        }
        finally
        {
            order.Dispose();
        }
    }

    /// <summary>Orders events on a second thread while this one runs them.</summary>
    private void RunPipelined(EventOrder order, TickRing ring)
    {
        var producer = new Thread(() => order.FillAll(ring)) { IsBackground = true, Name = "twin-simulation-event-order" };
        producer.Start();
        try
        {
            while (true)
            {
                var ticks = ring.Take();
                if (ticks.IsEmpty) break;
                Consume(ticks);
                ring.Consumed(ticks.Length);
            }
        }
        finally
        {
            ring.Stop();
            producer.Join();
        }
        ring.ThrowIfFailed();
    }

    // how far ahead (in ticks) a departure's VM slot, then its host's and PF's state are fetched
    private const int AheadVm = 16, AheadState = 8;

    /// <summary>Runs ticks in order. The order is known in advance, so the memory a coming departure needs is fetched
    /// into the cache in stages, a few events ahead: each stage reads what the previous one fetched. A stage may read
    /// something stale (a slot not assigned yet, or reused); that costs a useless fetch, never a wrong result.</summary>
    private void Consume(ReadOnlySpan<Tick> ticks)
    {
        for (var k = 0; k < ticks.Length; k++)
        {
            if (_fetchAhead)
            {
                if (k + AheadVm < ticks.Length) FetchVm(ticks[k + AheadVm]);
                if (k + AheadState < ticks.Length) FetchState(ticks[k + AheadState]);
            }
            var t = ticks[k];
            if (t.IsDeparture)
            {
                ref var vm = ref _vms[t.Slot];
                if (!vm.Started || vm.Departed) continue; // never started (refused, or failed to power on): nothing departs
                _events++;
                Depart(t.Slot, vm.Host, t.Time);
            }
            else if (t.Arrival >= 0)
            {
                _events++;
                Arrive(in _store[t.Arrival & _storeMask], t.Slot, t.Time);
            }
            else Other(t);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FetchVm(Tick t)
    {
        if (t.IsDeparture && (uint)t.Slot < (uint)_vms.Length) Prefetch(ref _vms[t.Slot]);
    }

    /// <summary>The departing VM's host, its PF's state (four lines) and the series bucket the event will write.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FetchState(Tick t)
    {
        if (!t.IsDeparture || (uint)t.Slot >= (uint)_vms.Length) return;
        var h = _vms[t.Slot].Host;
        if ((uint)h >= (uint)_hosts.Length) return;
        Prefetch(ref _hosts[h]);
        if (_nicOfHost[h] is var n and >= 0)
        {
            ref var track = ref Unsafe.As<NicTrack, byte>(ref _track[n]);
            Prefetch(ref track);
            Prefetch(ref Unsafe.Add(ref track, 64));
            Prefetch(ref Unsafe.Add(ref track, 128));
            Prefetch(ref Unsafe.Add(ref track, 192));
            ref var nic = ref Unsafe.As<RawObject>(_nics[n]).Data;
            Prefetch(ref nic);
            Prefetch(ref Unsafe.Add(ref nic, 64));
            Prefetch(ref Unsafe.Add(ref nic, 128));
            Prefetch(ref _series[(n * _seriesLength) + (int)Math.Min(t.Time / _bucket, _seriesLength - 1)]);
        }
    }

    /// <summary>Any object seen as its first byte of data, to hint the cache about it.</summary>
    private sealed class RawObject
    {
        public byte Data;
    }

    // ---------------- arrival ----------------

    private void Arrive(in SimVm v, int vi, long now)
    {
        if (vi >= _vms.Length) Grow(vi);
        _arrived++;
        if (v.Vnics > MaxVnics) ThrowTooManyVnics(v);
        var wants = v.IovWeight > 0 && v.Vnics > 0;
        var h = Place(v, wants ? v.Vnics : 0);
        if (h < 0)
        {
            _refusedRoom++;
            _vms[vi] = new VmRt { Host = -1 }; // not started: its departure and changes find nothing to do
            return;
        }
        if (_nicOfHost[h] is var n and >= 0) Touch(ref Unsafe.As<NicTrack, long>(ref _track[n])); // overlaps the host's cache miss
        NewVm(v, vi, h);
        // the first power-on, as every later one (a failed start leaves the VM off: its departure finds nothing to do)
        StartOn(vi, h, now, atomic: true);
    }

    /// <summary>The VM's vNICs ask its PF for VFs, one by one, as the NIC decider would decide them; false when the
    /// platform refused the power-on (<paramref name="atomic"/>, on platforms where a start fails without its VFs: not
    /// enough VFs or interrupt vectors for all vNICs). Without <paramref name="atomic"/> (a VF re-plugged after a live
    /// migration) a vNIC that gets none stays on the synthetic path.</summary>
    private bool RequestVfs(string id, int vnics, int weight, int vi, int h, int nicIndex, long now, bool atomic)
    {
        ref var host = ref _hosts[h];
        ref var vm = ref _vms[vi];
        var nic = _nics[nicIndex];
        ref var track = ref _track[nicIndex];
        track.Requests += vnics;
        var blocker = host.Blocker ?? NicRules.PoolBlocker(nic);
        if (atomic && nic.Rules.OnExhaustion != ExhaustionBehaviour.SyntheticFallback)
        {
            var need = vnics * host.VectorsPerVf;
            if (blocker is null && host.VectorBudget > 0 && host.VectorsUsed + need >= host.VectorBudget) blocker = SriovBlocker.OutOfInterruptVectors;
            if (blocker is null && nic.Free < vnics) blocker = SriovBlocker.VfPoolExhausted;
            if (blocker is not null)
            {
                FailStart(vi, h, nicIndex, vnics, blocker.Value);
                return false;
            }
            host.VectorsUsed += need;
            vm.Vectors = need;
        }
        for (var k = 0; k < vnics; k++)
        {
            if (blocker is { } b)
            {
                SetReason(vi, b);
                vm.WaitingMask |= 1 << k;
                track.FellBack++;
                _fellBack++;
                continue;
            }
            var me = Vnic(id, k);
            var d = NicRules.Decide(nic, weight, 1, null, default, default, nic.VPortsFree, nic.QueuePairsFree);
            if (d.Kind == VfDecisionKind.Grant)
            {
                nic.ApplyAllocated(d.Vf, me, OperationId.None, weight, 1);
                vm.OnVfMask |= 1 << k;
                SetVf(vi, k, d.Vf);
                SetHolder(nicIndex, d.Vf, vi);
                track.Granted++;
            }
            else if (d.Kind == VfDecisionKind.Preempt)
            {
                Preempt(nic, nicIndex, d.Vf, me, weight, vi, k, now);
            }
            else
            {
                if (d.Queued)
                {
                    nic.ApplyQueued(me, weight, 1, OperationId.None);
                    _waitingVms[id] = vi;
                }
                SetReason(vi, d.Reason);
                vm.WaitingMask |= 1 << k;
                track.FellBack++;
                _fellBack++;
            }
        }
        return true;
    }

    /// <summary>vNIC <paramref name="k"/> of VM <paramref name="vi"/> takes VF <paramref name="vf"/> from its lighter
    /// holder, who waits on the synthetic path (Hyper-V's WeightPreemptive policy).</summary>
    private void Preempt(Nic nic, int nicIndex, int vf, VnicRef me, int weight, int vi, int k, long now)
    {
        var victim = nic.Pool[vf].Holder!.Value;
        var victimSlot = _holderSlot[_holderBase[nicIndex] + vf];
        nic.ApplyRevoked(vf, victim, queued: true, OperationId.None);
        MoveVnic(victimSlot, victim.Name, nicIndex, toVf: false, now, -1);
        nic.ApplyAllocated(vf, me, OperationId.None, weight, 1);
        _vms[vi].OnVfMask |= 1 << k;
        SetVf(vi, k, vf);
        SetHolder(nicIndex, vf, vi);
        _track[nicIndex].Granted++;
        _track[nicIndex].Preempted++;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooManyVnics(in SimVm v) =>
        throw new ArgumentException($"VM {v.Id} has {v.Vnics} vNICs; the model takes at most {MaxVnics}");

    /// <summary>The platform refused the power-on: the VM gives back the room it took and stays off (on its host's
    /// books: a later start tries there again).</summary>
    private void FailStart(int vi, int h, int nicIndex, int vnics, SriovBlocker reason)
    {
        ref var vm = ref _vms[vi];
        ref var host = ref _hosts[h];
        host.FreeVcpu += vm.Vcpu;
        host.FreeMem += vm.Mem;
        host.FailedStarts++;
        host.Placed--;
        _track[nicIndex].FailedStarts++;
        _failedStarts++;
        _fellBack += vnics;
        _failedStartVnics += vnics;
        SetReason(vi, reason);
        vm.OnVfMask = vm.WaitingMask = 0;
        Reindex(h);
    }

    // ---------------- departure ----------------

    private void Depart(int vi, int h, long now)
    {
        // the VM's slot, its host and its PF's state are in memory far apart: start reading all of them before using
        // any, so their cache misses overlap
        var nicIndex = _nicOfHost[h];
        if (nicIndex >= 0)
        {
            Touch(ref Unsafe.As<NicTrack, long>(ref _track[nicIndex]));
            Touch(ref Unsafe.As<SimHost, long>(ref _hosts[h]));
        }
        ref var vm = ref _vms[vi];
        if (!vm.Started || vm.Departed) return;
        if (!vm.Running)
        {
            DepartIdle(vi, now);
            return;
        }
        Release(vi, h, nicIndex, now);
        vm.Departed = true;
        if (_perVm) _cold[vi].End = now;
    }

    /// <summary>A running VM lets go of everything it holds on its host: its vNICs leave the PF's traffic, its VFs are
    /// freed (a freed VF goes to a waiting vNIC by the scarce-VF policy) or it stops waiting, and its interrupt vectors,
    /// cores and memory are given back. It is no longer running.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Release(int vi, int h, int nicIndex, long now)
    {
        ref var vm = ref _vms[vi];
        if (nicIndex >= 0)
        {
            Advance(nicIndex, now);
            if (_perVm) Settle(vi, nicIndex, now);
            AddFlows(nicIndex, ref vm, -1);
            var nic = _nics[nicIndex];
            ReturnVfs(vi, nicIndex);
            // only a VM with a waiting vNIC can be listed as waiting (an entry goes when its last vNIC stops waiting)
            var waited = vm.WaitingMask != 0;
            vm.OnVfMask = vm.WaitingMask = 0;
            // Hyper-V: freed VFs go to waiting vNICs by the scarce-VF policy (the same function the decider uses)
            if (waited) _waitingVms.Remove(_vmNames[vi]);
            while (NicRules.NextHandover(nic, out var waiter, out var vf))
            {
                nic.ApplyAllocated(vf, waiter.Vnic, waiter.Op, waiter.Weight, waiter.QueuePairs);
                _track[nicIndex].HandedOver++;
                var slot = _waitingVms[waiter.Vnic.Vm.Value];
                SetHolder(nicIndex, vf, slot);
                MoveVnic(slot, waiter.Vnic.Name, nicIndex, toVf: true, now, vf);
                if (_vms[slot].WaitingMask == 0) _waitingVms.Remove(waiter.Vnic.Vm.Value);
            }
            _hosts[h].VectorsUsed -= vm.Vectors;
            CheckExhaustion(nicIndex, now);
        }
        vm.Vectors = 0;
        _hosts[h].FreeVcpu += vm.Vcpu;
        _hosts[h].FreeMem += vm.Mem;
        vm.Running = false;
        if (_trackHosts) Unlink(vi, h);
        Reindex(h);
    }

    /// <summary>VM <paramref name="vi"/>'s vNICs give their VFs back to its PF, and those waiting stop waiting (its masks
    /// are left for the caller).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ReturnVfs(int vi, int nicIndex)
    {
        ref var vm = ref _vms[vi];
        var nic = _nics[nicIndex];
        for (var k = 0; k < vm.Vnics; k++)
        {
            if ((vm.OnVfMask & (1 << k)) != 0)
            {
                nic.ApplyReleased(VfOf(vi, k));
                _track[nicIndex].Released++;
            }
            else if ((vm.WaitingMask & (1 << k)) != 0) nic.ApplyWithdrawn(Vnic(_vmNames[vi], k));
        }
    }

    /// <summary>A vNIC of another VM changes path (a VF handed over, or taken by preemption).</summary>
    private void MoveVnic(int vi, string vnicName, int nicIndex, bool toVf, long now, int vf)
    {
        ref var vm = ref _vms[vi];
        var k = Array.IndexOf(VnicNames, vnicName);
        if (_perVm) Settle(vi, nicIndex, now);
        AddFlows(nicIndex, ref vm, -1);
        if (toVf)
        {
            vm.OnVfMask |= 1 << k;
            vm.WaitingMask &= ~(1 << k);
            SetVf(vi, k, vf);
        }
        else
        {
            vm.OnVfMask &= ~(1 << k);
            vm.WaitingMask |= 1 << k;
            SetReason(vi, SriovBlocker.VfPoolExhausted);
            _waitingVms[_vmNames[vi]] = vi;
        }
        AddFlows(nicIndex, ref vm, +1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Touch(ref long field) => Volatile.Read(ref field);

    /// <summary>A cache prefetch hint for the line holding <paramref name="at"/> (nothing is read: a hint never faults
    /// and changes no result).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch<TValue>(ref TValue at)
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported) System.Runtime.Intrinsics.X86.Sse.Prefetch0(Unsafe.AsPointer(ref at));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetHolder(int nicIndex, int vf, int vi)
    {
        // the simulator only hands out configured VFs, and a run never resizes a pool
        var at = _holderBase[nicIndex] + vf;
        if ((uint)vf >= (uint)(_holderBase[nicIndex + 1] - _holderBase[nicIndex])) ThrowBeyondPool(nicIndex, vf);
        _holderSlot[at] = vi;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowBeyondPool(int nicIndex, int vf) =>
        throw new InvalidOperationException($"{_nics[nicIndex].Id}: VF {vf} is beyond the {_holderBase[nicIndex + 1] - _holderBase[nicIndex]} slots the pool had");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetReason(int vi, SriovBlocker reason)
    {
        // only per-VM results report why a VM got no VF
        if (_perVm) _cold[vi].Reason = reason;
    }

    /// <summary>Records that vNIC <paramref name="k"/> of VM slot <paramref name="vi"/> holds VF <paramref name="vf"/>:
    /// vNICs 0 and 1 in the VM's hot slot, others in an array of its cold slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetVf(int vi, int k, int vf)
    {
        switch (k)
        {
            case 0: _vms[vi].Vf0 = vf; break;
            case 1: _vms[vi].Vf1 = vf; break;
            default: (_cold[vi].VfMore ??= new int[MaxVnics])[k] = vf; break;
        }
    }

    private int VfOf(int vi, int k) => k switch { 0 => _vms[vi].Vf0, 1 => _vms[vi].Vf1, _ => _cold[vi].VfMore![k] };

    // ---------------- placement ----------------

    private int Place(in SimVm v, int vfs)
    {
        // a VM already on a host stays there, whatever the room: that is where the datacenter has it
        if (v.Host is { } pinned) return _hostById.TryGetValue(pinned, out var p) && !_hostClosed[p] ? p : -1;
        if (v.Cluster is { } cluster)
        {
            var c = ClusterNamed(cluster);
            if (c < 0) return -1;
            var ci = (_byCluster ??= BuildClusterIndexes())[c];
            var local = Place(ci.Index, v.Cores, v.MemoryGiB, vfs);
            return local < 0 ? -1 : ci.Hosts[local];
        }
        return Place(_index, v.Cores, v.MemoryGiB, vfs);
    }

    private string? _lastClusterName;
    private int _lastCluster;

    /// <summary>The index of cluster <paramref name="name"/>, or -1. VMs of one cluster usually share its name's string:
    /// the same one as last time needs no hashing.</summary>
    private int ClusterNamed(string name)
    {
        if (ReferenceEquals(name, _lastClusterName)) return _lastCluster;
        if (!_clusterById.TryGetValue(name, out var c)) return -1;
        (_lastClusterName, _lastCluster) = (name, c);
        return c;
    }

    private int Place(HostIndex index, int cores, double mem, int vfs) => _o.Placement switch
    {
        PlacementPolicy.Spread => index.MostFree(cores, mem),
        PlacementPolicy.SriovAware when vfs > 0 => index.FirstFit(cores, mem, vfs) is var h && h >= 0 ? h : index.FirstFit(cores, mem, 0),
        _ => index.FirstFit(cores, mem, 0),
    };

    private ClusterIndex[] BuildClusterIndexes()
    {
        var members = _clusters.Select(_ => new List<int>()).ToArray();
        for (var h = 0; h < _hosts.Length; h++) members[_hosts[h].Cluster].Add(h);
        var indexes = members.Select(m => new ClusterIndex([.. m], new HostIndex(m.Count))).ToArray();
        _byCluster = indexes;
        for (var h = 0; h < _hosts.Length; h++) Reindex(h);
        return indexes;
    }

    private void Reindex(int h)
    {
        ref var host = ref _hosts[h];
        var freeVfs = host.Nic >= 0 && host.Blocker is null ? _nics[host.Nic].Free : 0;
        double vcpu = host.FreeVcpu, mem = host.FreeMem;
        // a failed host, or one in maintenance, takes nothing
        if (_hostClosed[h]) (vcpu, mem, freeVfs) = (0, 0, 0);
        if (_updateGlobalIndex) _index.Update(h, vcpu, mem, freeVfs);
        if (_byCluster is not null) _byCluster[host.Cluster].Index.Update(host.LocalInCluster, vcpu, mem, freeVfs);
    }

    private void NewVm(in SimVm v, int vi, int h)
    {
        // the event order gives the slot (reused after a departure unless every VM keeps its own)
        if (vi >= _vmCount) _vmCount = vi + 1;
        _vms[vi] = new VmRt
        {
            Host = h, Vnics = (byte)v.Vnics, Vcpu = v.Cores, Mem = v.MemoryGiB, Gbps = Math.Max(0, v.GbpsPerVnic), IovWeight = v.IovWeight,
            Wants = v.IovWeight > 0 && v.Vnics > 0,
        };
        _vmNames[vi] = v.Id;
        if (v.Changes is { } changes) _changesOf[vi] = changes;
        // a reused slot (no per-VM results) keeps its cold part: only VfMore is read from it, and only where set
        if (_perVm) _cold[vi] = new VmCold { Start = v.Arrival.Microseconds };
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int slot)
    {
        var length = Math.Max(_vms.Length * 2, slot + 1);
        Array.Resize(ref _vms, length);
        Array.Resize(ref _vmNames, length);
        Array.Resize(ref _cold, length);
        Array.Resize(ref _changesOf, length);
        if (_trackHosts)
        {
            Array.Resize(ref _nextOnHost, length);
            Array.Resize(ref _prevOnHost, length);
            Array.Resize(ref _downSince, length);
        }
    }

    private static VnicRef Vnic(string vm, int k) => new(new VmId(vm), VnicNames[k]);

    // ---------------- flows, integrals and exhaustion ----------------

    /// <summary>Adds (sign +1) or removes (-1) a VM's vNICs from its PF's traffic sums.</summary>
    private void AddFlows(int nicIndex, ref VmRt vm, int sign)
    {
        ref var t = ref _track[nicIndex];
        var onVf = System.Numerics.BitOperations.PopCount((uint)vm.OnVfMask);
        var syn = vm.Vnics - onVf;
        var capped = Math.Min(vm.Gbps, _synCap);
        t.SumVfDemand += sign * onVf * vm.Gbps;
        t.SumSynCapped += sign * syn * capped;
        t.SumAllDemand += sign * vm.Vnics * vm.Gbps;
        t.SumAllCapped += sign * vm.Vnics * capped;
        t.VfVnics += sign * onVf;
        var waiting = System.Numerics.BitOperations.PopCount((uint)vm.WaitingMask);
        t.WaitingVnics += sign * waiting;
        t.ChoiceVnics += sign * (syn - waiting);
        if (sign > 0) vm.F0 = t.F;
        // clamp float drift when the PF empties
        if (t.VfVnics == 0) t.SumVfDemand = 0;
        if (t.VfVnics + t.WaitingVnics + t.ChoiceVnics == 0) t.SumSynCapped = t.SumAllDemand = t.SumAllCapped = 0;
    }

    /// <summary>Books what a VM got since its last change (throughput through the PF's cumulative share, time on each
    /// path); only per-VM results report it.</summary>
    private void Settle(int vi, int nicIndex, long now)
    {
        ref var t = ref _track[nicIndex];
        ref var vm = ref _vms[vi];
        ref var cold = ref _cold[vi];
        var onVf = System.Numerics.BitOperations.PopCount((uint)vm.OnVfMask);
        var waiting = System.Numerics.BitOperations.PopCount((uint)vm.WaitingMask);
        var offered = (onVf * vm.Gbps) + ((vm.Vnics - onVf) * Math.Min(vm.Gbps, _synCap));
        cold.DeliveredGbpsSeconds += offered * (t.F - vm.F0);
        vm.F0 = t.F;
        var dt = (now - cold.LastT) / 1e6;
        cold.VfSeconds += onVf * dt;
        cold.WaitingSeconds += waiting * dt;
        cold.LastT = now;
    }

    /// <summary>Integrates a PF's rates from its last change to <paramref name="now"/>.</summary>
    private void Advance(int nicIndex, long now)
    {
        ref var t = ref _track[nicIndex];
        if (now <= t.LastT) return;
        var dt = (now - t.LastT) / 1e6;
        var allocated = _nics[nicIndex].Allocated;
        var offered = t.SumVfDemand + t.SumSynCapped;
        var delivered = Math.Min(offered, t.Cap);
        var f = offered > 0 ? delivered / offered : 1;
        var synDelivered = offered > 0 ? t.SumSynCapped * f : 0;
        var allSyn = Math.Min(t.SumAllCapped, t.Cap);
        t.OfferedInt += offered * dt;
        t.DeliveredInt += delivered * dt;
        t.AllSynInt += allSyn * dt;
        t.AllVfInt += Math.Min(t.SumAllDemand, t.Cap) * dt;
        if (_perVm) t.F += f * dt; // the cumulative share only serves per-VM throughput
        t.SynDeliveredInt += synDelivered * dt;
        t.NetCpuInt += synDelivered * _cpuPerGbps * dt;
        t.AllSynCpuInt += allSyn * _cpuPerGbps * dt;
        // the software path's latency grows under contention: more than half the host's cores busy with packets
        var synLatency = synDelivered * _cpuPerGbps > 0.5 * t.HostCores ? _synLatencyUnderContention : _synLatency;
        var synVnics = t.WaitingVnics + t.ChoiceVnics;
        t.LatencyInt += ((t.VfVnics * _vfLatency) + (synVnics * (_nativeLatency + synLatency))) * dt;
        t.AllSynLatencyInt += (t.VfVnics + synVnics) * (_nativeLatency + synLatency) * dt;
        t.VnicInt += (t.VfVnics + synVnics) * dt;
        t.VfVnicInt += t.VfVnics * dt;
        t.WaitingVnicInt += t.WaitingVnics * dt;
        t.ChoiceVnicInt += t.ChoiceVnics * dt;
        t.AllocInt += allocated * dt;
        // the utilisation series: time-weighted allocated per bucket, and the peak; t.Bucket is LastT's bucket
        // (LastT / _bucket, the last bucket taking the rest), followed forward without dividing
        var from = t.LastT;
        var last = _seriesLength - 1;
        var series = _series.AsSpan(nicIndex * _seriesLength, _seriesLength);
        if (t.Bucket == last || now < (t.Bucket + 1) * _bucket)
        {
            // the common case, all within LastT's bucket: the span is dt itself
            ref var cell = ref series[t.Bucket];
            cell.Sum += allocated * dt;
            if (allocated > cell.Peak) cell.Peak = allocated;
            t.LastT = now;
            return;
        }
        while (from < now)
        {
            var b = t.Bucket;
            var end = b == last ? now : Math.Min(now, (b + 1) * _bucket);
            ref var cell = ref series[b];
            cell.Sum += allocated * ((end - from) / 1e6);
            if (allocated > cell.Peak) cell.Peak = allocated;
            from = end;
            if (b < last && from == (b + 1) * _bucket) t.Bucket = b + 1;
        }
        t.LastT = now;
    }

    private void CheckExhaustion(int nicIndex, long now)
    {
        ref var t = ref _track[nicIndex];
        var nic = _nics[nicIndex];
        var allocated = nic.Allocated;
        if (allocated > t.Peak) t.Peak = allocated;
        // every caller advanced the PF to now first, so LastT's bucket is now's
        ref var cell = ref _series[(nicIndex * _seriesLength) + t.Bucket];
        if (allocated > cell.Peak) cell.Peak = allocated;
        var exhausted = nic.Allocatable > 0 && nic.Free == 0;
        if (exhausted && t.ExhaustedSince < 0)
        {
            t.ExhaustedSince = now;
            if (t.FirstExhaustion < 0) t.FirstExhaustion = now;
            ref var host = ref _hosts[t.Host];
            if (host.FirstExhaustion < 0) host.FirstExhaustion = now;
            if (host.Blocker is null && ++_clusterExhaustedPfs[host.Cluster] == _clusterUsablePfs[host.Cluster] && _clusterAllOut[host.Cluster] < 0)
                _clusterAllOut[host.Cluster] = now;
        }
        else if (!exhausted && t.ExhaustedSince >= 0)
        {
            t.ExhaustedTotal += now - t.ExhaustedSince;
            t.ExhaustedSince = -1;
            if (_hosts[t.Host].Blocker is null) _clusterExhaustedPfs[_hosts[t.Host].Cluster]--;
        }
    }

    // ---------------- results ----------------

    private RunResult Finish(ulong seed, ulong replication)
    {
        var end = _horizon;
        for (var i = 0; i < _track.Length; i++)
        {
            Advance(i, end);
            if (_track[i].ExhaustedSince >= 0) _track[i].ExhaustedTotal += end - _track[i].ExhaustedSince;
            if (_nicOutages[i] > 0) _track[i].FailedMicros += end - _track[i].FailedSince;
        }
        for (var h = 0; h < _hosts.Length; h++)
        {
            if (_hostDown[h]) _hostDownMicros[h] += end - _hostDownSince[h];
            if (_hostMaintenance[h] > 0) _hostMaintenanceMicros[h] += end - _hostMaintenanceSince[h];
        }
        for (var vi = 0; _perVm && vi < _vmCount; vi++)
        {
            ref var vm = ref _vms[vi];
            if (vm.Running && _hosts[vm.Host].Nic is var n and >= 0) Settle(vi, n, end);
        }

        var hours = _horizon / 3.6e9;
        var seconds = _horizon / 1e6;
        var nics = new List<NicResult>(_nics.Length);
        for (var i = 0; i < _nics.Length; i++)
        {
            var nic = _nics[i];
            ref var t = ref _track[i];
            var host = _hosts[t.Host];
            var bucketSeconds = _bucket / 1e6;
            var raw = _series.AsSpan(i * _seriesLength, _seriesLength);
            var series = new double[raw.Length];
            var peaks = new int[raw.Length];
            for (var b = 0; b < raw.Length; b++)
            {
                series[b] = raw[b].Sum / (b == raw.Length - 1 ? Math.Max(1e-9, seconds - (b * bucketSeconds)) : bucketSeconds);
                peaks[b] = raw[b].Peak;
            }
            nics.Add(new NicResult(nic.Id.Value, host.Id, _clusters[host.Cluster], nic.Platform, nic.Ceiling, nic.Configured, nic.Allocatable,
                t.Requests, t.Granted, t.FellBack, t.FailedStarts, t.HandedOver, t.Preempted, t.Released, nic.Allocated, t.Peak, t.AllocInt / seconds,
                t.FirstExhaustion < 0 ? null : t.FirstExhaustion / 3.6e9, t.ExhaustedTotal / 3.6e9, series, peaks)
            {
                Failures = t.Failures, RevokedByFailure = t.RevokedByFailure, HoursFailed = t.FailedMicros / 3.6e9,
            });
        }
        var hosts = _hosts.Select((h, i) => new HostResult(h.Id, _clusters[h.Cluster], h.Platform, h.Placed, 0, h.FailedStarts,
            h.Nic >= 0 ? _track[h.Nic].NetCpuInt / 3600 : 0, h.FirstExhaustion < 0 ? null : h.FirstExhaustion / 3.6e9)
        {
            Failures = _hostFailures[i], HoursDown = _hostDownMicros[i] / 3.6e9, HoursInMaintenance = _hostMaintenanceMicros[i] / 3.6e9,
        }).ToList();
        var clusters = _clusters.Select((c, ci) =>
        {
            var mine = nics.Where(n => n.Cluster == c).ToList();
            var first = mine.Where(n => n.FirstExhaustionHours is not null).OrderBy(n => n.FirstExhaustionHours).FirstOrDefault();
            var series = new double[_o.SeriesBuckets];
            foreach (var n in mine) for (var b = 0; b < series.Length; b++) series[b] += n.AllocatedMeanSeries[b];
            return new ClusterResult(c, _hosts.Count(h => h.Cluster == ci), mine.Count, mine.Sum(n => n.Allocatable), mine.Sum(n => n.VfRequests),
                mine.Sum(n => n.FellBackToSynthetic), mine.Sum(n => n.FailedStarts), first?.FirstExhaustionHours, first?.Id, series,
                _clusterAllOut[ci] < 0 ? null : _clusterAllOut[ci] / 3.6e9);
        }).ToList();

        double Sum(Func<NicTrack, double> f) => _track.Sum(f);
        var delivered = Sum(t => t.DeliveredInt) / seconds;
        var synPath = Sum(t => t.SynDeliveredInt) / seconds;
        var allSyn = Sum(t => t.AllSynInt) / seconds;
        var cpu = Sum(t => t.NetCpuInt) / seconds;
        var allSynCpu = Sum(t => t.AllSynCpuInt) / seconds;
        var vnicTime = Sum(t => t.VnicInt);
        var throughput = new ThroughputResult(
            Sum(t => t.OfferedInt) / seconds, delivered, allSyn, Sum(t => t.AllVfInt) / seconds,
            delivered - allSyn, allSyn > 0 ? 100 * (delivered - allSyn) / allSyn : 0,
            cpu, allSynCpu, allSynCpu - cpu,
            vnicTime > 0 ? Sum(t => t.LatencyInt) / vnicTime : 0, vnicTime > 0 ? Sum(t => t.AllSynLatencyInt) / vnicTime : 0,
            Sum(t => t.VfVnicInt) / 3600, Sum(t => t.WaitingVnicInt) / 3600, Sum(t => t.ChoiceVnicInt) / 3600,
            Math.Max(0, delivered - synPath), synPath);

        List<VmResult>? vms = null;
        if (_o.PerVmResults)
        {
            vms = new List<VmResult>(_vmCount);
            for (var vi = 0; vi < _vmCount; vi++)
            {
                // a VM refused for lack of room never had a slot filled (per-VM results: VM n has slot n)
                if (_vmNames[vi] is null) continue;
                var vm = _vms[vi];
                var cold = _cold[vi];
                var life = ((vm.Departed ? cold.End : end) - cold.Start) / 1e6;
                vms.Add(new VmResult(_vmNames[vi], vm.Started && vm.Host >= 0 ? _hosts[vm.Host].Id : null, vm.Started, cold.VfSeconds / 3600, cold.WaitingSeconds / 3600,
                    life > 0 ? cold.DeliveredGbpsSeconds / life : 0, cold.Reason?.ToString()));
            }
        }
        return new RunResult(seed, replication, hours, _events, _arrived, _started, _refusedRoom, _failedStarts, _wanting, _fellBack,
            nics, hosts, clusters, throughput, vms, _failedStartVnics)
        {
            Disruptions = Disruptions(),
        };
    }

    /// <summary>Checks the pools: no VF held twice, never more held than configured; returns the problems found.</summary>
    internal IEnumerable<string> Invariants()
    {
        foreach (var nic in _nics)
        {
            var holders = nic.Pool.Holders().ToList();
            if (holders.Count > nic.Pool.Configured) yield return $"{nic.Id}: {holders.Count} held of {nic.Pool.Configured}";
            if (holders.Select(h => h.Vnic).Distinct().Count() != holders.Count) yield return $"{nic.Id}: a vNIC holds two VFs";
            if (nic.Allocated != holders.Count) yield return $"{nic.Id}: counter {nic.Allocated} but {holders.Count} holders";
        }
    }

    /// <summary>A cluster's hosts (global indexes, in topology order) and the placement index over them.</summary>
    private sealed record ClusterIndex(int[] Hosts, HostIndex Index);

    private struct SimHost
    {
        public string Id;
        public int Cluster, LocalInCluster;
        public Platform Platform;
        public double FreeVcpu, FreeMem;
        public int Cores;
        public int Nic;
        public SriovBlocker? Blocker;
        public int VectorBudget, VectorsUsed, VectorsPerVf;
        public long Placed, FailedStarts, FirstExhaustion;
    }

    /// <summary>What every event of a VM reads, in 64 bytes.</summary>
    private struct VmRt
    {
        public double Mem, Gbps;

        /// <summary>The PF's cumulative share when the VM was last settled (per-VM results only).</summary>
        public double F0;

        /// <summary>The host it runs on, or was last on (a VM stopped, down or whose start failed keeps it); -1 = never
        /// placed.</summary>
        public int Host;

        public int OnVfMask, WaitingMask;

        /// <summary>vSphere interrupt vectors charged at power-on, given back when it stops.</summary>
        public int Vectors;

        public int Vcpu, IovWeight;

        /// <summary>The VF each of vNICs 0 and 1 holds (valid where its OnVfMask bit is set); others are in the cold part.</summary>
        public int Vf0, Vf1;

        public byte Vnics;

        /// <summary>Started: ran at least once. Running: holds room on its host and runs its traffic (not stopped, not
        /// down, not departed). Down: its host failed and it waits for the repair. Wants: its vNICs want VFs.</summary>
        public bool Started, Departed, Running, Down, Wants;
    }

    /// <summary>What only per-VM results read (and the VFs of vNICs beyond the second).</summary>
    private struct VmCold
    {
        public long Start, End, LastT;
        public double DeliveredGbpsSeconds, VfSeconds, WaitingSeconds;
        public SriovBlocker? Reason;
        public int[]? VfMore;
    }

    private struct SeriesCell
    {
        public double Sum;
        public int Peak;
    }

    private struct NicTrack(double cap)
    {
        public readonly double Cap = cap;
        public int Host = -1;
        public int HostCores = int.MaxValue;
        public long LastT;
        public int Bucket;
        public double SumVfDemand, SumSynCapped, SumAllDemand, SumAllCapped;
        public int VfVnics, WaitingVnics, ChoiceVnics;
        public long Requests, Granted, FellBack, FailedStarts, HandedOver, Preempted, Released;
        public int Peak;
        public long FirstExhaustion = -1, ExhaustedSince = -1, ExhaustedTotal;
        public double F, OfferedInt, DeliveredInt, SynDeliveredInt, AllSynInt, AllVfInt, NetCpuInt, AllSynCpuInt, LatencyInt, AllSynLatencyInt;
        public double VnicInt, VfVnicInt, WaitingVnicInt, ChoiceVnicInt, AllocInt;
        public long Failures, RevokedByFailure, FailedSince, FailedMicros;
    }
}
