using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Twin.Simulation.Engine;

namespace Twin.Simulation.Model;

/// <summary>
/// Clusters run apart. When every VM names its cluster (or the host it is on) and stays in it — placement, live
/// migrations and HA restarts never leave a cluster — no event of one cluster changes anything another reads: each
/// cluster is a simulation of its own. So each runs on its own, start to end, in its own event order: its hosts, PFs
/// and VMs then fit in the processor's caches, where one run in global time order walks the whole datacenter at every
/// step, and clusters can run on several threads. The results are the same, bit for bit: each PF, host and cluster sees
/// the same events in the same order (ties between a cluster's events are broken the same way), every failure draw
/// comes from the stream of its host or PF, and the figures summed over the datacenter are summed in the same order.
/// </summary>
public sealed partial class SimulationModel
{
    private readonly int[][] _clusterMembers;

    // a lane's future-event list, used again for each cluster it runs
    private Scheduler<int>? _future;
    private SimVm[] _gathered = [];

    /// <summary>A lane of a run whose clusters go apart: it shares the datacenter's state (hosts, PFs, their counters
    /// and series, the cluster indexes) with <paramref name="world"/> and has its own VMs, event order and totals. Lanes
    /// on different threads touch different clusters only.</summary>
    private SimulationModel(SimulationModel world, int expectedVms)
    {
        _o = world._o;
        _perVm = false;
        _hosts = world._hosts;
        _nicOfHost = world._nicOfHost;
        _nics = world._nics;
        _track = world._track;
        _seriesLength = world._seriesLength;
        _series = world._series;
        _clusters = world._clusters;
        _index = world._index;
        _updateGlobalIndex = false;
        _fetchAhead = false;
        _hostById = world._hostById;
        _clusterById = world._clusterById;
        _byCluster = world._byCluster;
        _clusterUsablePfs = world._clusterUsablePfs;
        _clusterExhaustedPfs = world._clusterExhaustedPfs;
        _clusterAllOut = world._clusterAllOut;
        _clusterMembers = world._clusterMembers;
        _holderSlot = world._holderSlot;
        _holderBase = world._holderBase;
        _horizon = world._horizon;
        _bucket = world._bucket;
        _synCap = world._synCap;
        _cpuPerGbps = world._cpuPerGbps;
        (_vfLatency, _nativeLatency, _synLatency, _synLatencyUnderContention) =
            (world._vfLatency, world._nativeLatency, world._synLatency, world._synLatencyUnderContention);
        _failures = world._failures;
        _trackHosts = world._trackHosts;
        _firstOnHost = world._firstOnHost;
        _hostDown = world._hostDown;
        _hostClosed = world._hostClosed;
        _hostMaintenance = world._hostMaintenance;
        _hostMaintenanceMicros = world._hostMaintenanceMicros;
        _hostMaintenanceSince = world._hostMaintenanceSince;
        _hostOutages = world._hostOutages;
        _hostDownSince = world._hostDownSince;
        _hostFailures = world._hostFailures;
        _hostDownMicros = world._hostDownMicros;
        _nicOutages = world._nicOutages;
        _listedOutages = world._listedOutages;

        _vms = new VmRt[Math.Max(1024, expectedVms)];
        _vmNames = new string[_vms.Length];
        _cold = new VmCold[_vms.Length];
        _changesOf = new VmChange[]?[_vms.Length];
        if (_trackHosts)
        {
            _nextOnHost = new int[_vms.Length];
            _prevOnHost = new int[_vms.Length];
            _downSince = new long[_vms.Length];
        }
    }

    /// <summary>The workload's VMs (their indexes, in arrival order) per cluster, or null when the clusters cannot go
    /// apart: a VM free to go to any host, or naming a cluster or host that is not there (it is refused, in global
    /// order), or a migration to another cluster.</summary>
    private int[][]? ClustersApart(SimVm[] workload)
    {
        // two passes (count, then fill) rather than a cluster per VM kept in between: nothing the size of the workload
        var counts = new int[_clusters.Length];
        for (var i = 0; i < workload.Length; i++)
        {
            var c = ClusterOf(in workload[i]);
            if (c < 0) return null;
            counts[c]++;
        }
        var byCluster = counts.Select(n => new int[n]).ToArray();
        Array.Clear(counts);
        for (var i = 0; i < workload.Length; i++)
        {
            var c = ClusterOf(in workload[i]);
            byCluster[c][counts[c]++] = i;
        }
        return byCluster;
    }

    /// <summary>The cluster VM <paramref name="v"/> stays in (its host's, or the one it names), or -1 when it may go to
    /// any host, names what is not there, or may migrate to another cluster.</summary>
    private int ClusterOf(in SimVm v)
    {
        int c;
        if (v.Host is { } host)
        {
            if (!_hostById.TryGetValue(host, out var h)) return -1;
            c = _hosts[h].Cluster;
        }
        else if (v.Cluster is not { } name || (c = ClusterNamed(name)) < 0) return -1;
        if (v.Changes is { } changes)
            foreach (var change in changes)
                if (change.ToHost is { } to && (!_hostById.TryGetValue(to, out var t) || _hosts[t].Cluster != c)) return -1;
        return c;
    }

    /// <summary>Runs each cluster on its own, the largest first, on up to <see cref="SimulationOptions.ClusterParallelism"/>
    /// threads (each with one lane, taking the next cluster when done), then adds the lanes' totals up.</summary>
    private void RunApart(SimVm[] workload, int[][] byCluster, ulong seed, ulong replication)
    {
        _byCluster ??= BuildClusterIndexes();
        int Size(int c) => byCluster[c].Length;
        var order = Enumerable.Range(0, _clusters.Length).OrderByDescending(Size).ThenBy(c => c).ToArray();
        var threads = Math.Clamp(_o.ClusterParallelism == 0 ? Environment.ProcessorCount : _o.ClusterParallelism, 1, Math.Max(1, order.Length));
        // a lane's VM arrays are sized for the busiest cluster's share of the VMs alive at once (they grow if needed)
        var busiest = order.Length == 0 ? 0 : Size(order[0]);
        var expected = workload.Length == 0 ? 1024 : (int)Math.Min(int.MaxValue / 2, (long)_vms.Length * busiest / workload.Length * 2);
        var lanes = new SimulationModel[threads];
        var next = -1;
        void Work(int w)
        {
            var lane = lanes[w] = new SimulationModel(this, expected);
            int i;
            while ((i = Interlocked.Increment(ref next)) < order.Length) lane.RunCluster(workload, byCluster[order[i]], order[i], seed, replication);
        }
        if (threads == 1) Work(0);
        else
        {
            try
            {
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, Work);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            }
        }
        foreach (var lane in lanes) Absorb(lane);
    }

    private void RunCluster(SimVm[] workload, int[] vms, int cluster, ulong seed, ulong replication)
    {
        var hosts = _clusterMembers[cluster];
        // the cluster's VMs side by side first, read from all over the workload in one tight loop that asks for the
        // coming ones ahead, so their cache misses overlap (the event order reading them one by one would wait for each)
        if (_gathered.Length < vms.Length) _gathered = new SimVm[Math.Max(vms.Length, _gathered.Length * 2)];
        for (var i = 0; i < vms.Length; i++)
        {
            if (i + GatherAhead < vms.Length)
            {
                // a VM's record spans two or three cache lines
                ref var coming = ref Unsafe.As<SimVm, byte>(ref workload[vms[i + GatherAhead]]);
                Prefetch(ref coming);
                Prefetch(ref Unsafe.Add(ref coming, 64));
                if (Unsafe.SizeOf<SimVm>() > 64) Prefetch(ref Unsafe.Add(ref coming, Unsafe.SizeOf<SimVm>() - 1));
            }
            _gathered[i] = workload[vms[i]];
        }
        var order = EventOrder.Of(_gathered, _horizon, _vms.Length, reuseSlots: true, InlineTicks, FailuresIn(hosts, seed, replication),
            0, vms.Length, _future ??= new Scheduler<int>(_vms.Length));
        _store = order.Store;
        _storeMask = order.StoreMask;
        _waitingVms.Clear();
        RunInline(order);
        EndOfRun(hosts);
    }

    private const int GatherAhead = 24;

    /// <summary>Adds a lane's totals to this run's.</summary>
    private void Absorb(SimulationModel? lane)
    {
        if (lane is null) return;
        _events += lane._events;
        _arrived += lane._arrived;
        _started += lane._started;
        _refusedRoom += lane._refusedRoom;
        _failedStarts += lane._failedStarts;
        _wanting += lane._wanting;
        _fellBack += lane._fellBack;
        _failedStartVnics += lane._failedStartVnics;
        _hostFailureCount += lane._hostFailureCount;
        _nicFailureCount += lane._nicFailureCount;
        _interrupted += lane._interrupted;
        _restartedElsewhere += lane._restartedElsewhere;
        _restartedAtRepair += lane._restartedAtRepair;
        _notRestarted += lane._notRestarted;
        _vmDownMicros += lane._vmDownMicros;
        _revokedByNicFailures += lane._revokedByNicFailures;
        _stops += lane._stops;
        _starts += lane._starts;
        _startsRefused += lane._startsRefused;
        _startsFailed += lane._startsFailed;
        _migrationsAsked += lane._migrationsAsked;
        _migrated += lane._migrated;
        _migrationsRefusedSriov += lane._migrationsRefusedSriov;
        _migrationsRefusedRoom += lane._migrationsRefusedRoom;
        _vnicsOnVfBefore += lane._vnicsOnVfBefore;
        _vnicsOnVfAfter += lane._vnicsOnVfAfter;
        _demandChanges += lane._demandChanges;
        _maintenanceWindows += lane._maintenanceWindows;
        _movedForMaintenance += lane._movedForMaintenance;
        _shutDownForMaintenance += lane._shutDownForMaintenance;
        _restartedAfterMaintenance += lane._restartedAfterMaintenance;
    }
}
