using System.Numerics;
using System.Runtime.CompilerServices;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;

namespace Twin.Simulation.Model;

/// <summary>
/// The events beyond arrivals and departures: a VM's own changes (power cycles, live migrations, traffic), and hosts
/// and PFs failing and being repaired. They are rare next to arrivals and departures, so they live off the hot path:
/// what they decide about VFs is still the core's (<see cref="NicRules"/>, the PF's <c>Apply…</c> methods, and the NIC
/// decider itself for a PF's failure and repair), and what they do follows each platform's rules
/// (<see cref="PlatformRules"/>: vSphere refuses to move or HA-restart SR-IOV VMs, KVM re-plugs a VF after a move when one
/// is free, Hyper-V runs synthetic during the move and takes a VF on the destination if one is free).
/// </summary>
public sealed partial class SimulationModel
{
    private readonly FailureOptions _failures;
    // hosts may fail: each host's running VMs (and those down with it) are kept in a list, linked through their slots
    private readonly bool _trackHosts;
    private readonly int[] _firstOnHost;
    private int[] _nextOnHost = [], _prevOnHost = [];
    private long[] _downSince = [];
    private readonly bool[] _hostDown;
    // closed: failed or in maintenance, so it takes no VM
    private readonly bool[] _hostClosed;
    private readonly int[] _hostMaintenance;
    private readonly long[] _hostMaintenanceMicros;
    private long[] _hostMaintenanceSince = [];
    private readonly int[] _hostOutages, _nicOutages;
    private readonly long[] _hostDownSince, _hostFailures, _hostDownMicros;
    private readonly (int Code, int Target, long At, long Until)[] _listedOutages;
    private readonly List<int> _scratch = [];
    private long _hostFailureCount, _nicFailureCount, _interrupted, _restartedElsewhere, _restartedAtRepair, _notRestarted, _vmDownMicros;
    private long _revokedByNicFailures, _stops, _starts, _startsRefused, _startsFailed;
    private long _migrationsAsked, _migrated, _migrationsRefusedSriov, _migrationsRefusedRoom, _vnicsOnVfBefore, _vnicsOnVfAfter, _demandChanges;
    private long _maintenanceWindows, _movedForMaintenance, _shutDownForMaintenance, _restartedAfterMaintenance;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Other(Tick t)
    {
        switch (t.Arrival)
        {
            case Tick.HostFailsCode: FailHost(t.Slot, t.Time); break;
            case Tick.HostRepairedCode: RepairHost(t.Slot, t.Time); break;
            case Tick.NicFailsCode: FailNic(t.Slot, t.Time); break;
            case Tick.NicRepairedCode: RepairNic(t.Slot, t.Time); break;
            case Tick.MaintenanceStartsCode: StartMaintenance(t.Slot, t.Time); break;
            case Tick.MaintenanceEndsCode: EndMaintenance(t.Slot, t.Time); break;
            default: ChangeVm(t.Slot, t.Change, t.Time); break;
        }
    }

    // ---------------- a VM's own changes ----------------

    private void ChangeVm(int vi, int k, long now)
    {
        ref var vm = ref _vms[vi];
        if (vm.Host < 0 || vm.Departed) return; // refused at its arrival: it is not there
        var change = _changesOf[vi]![k];
        _events++;
        switch (change.Kind)
        {
            case VmChangeKind.Stop: Stop(vi, now); break;
            case VmChangeKind.Start: Start(vi, now); break;
            case VmChangeKind.Migrate: Migrate(vi, change.ToHost, now); break;
            case VmChangeKind.Demand: ChangeDemand(vi, change.GbpsPerVnic, now); break;
            default: throw new ArgumentException($"VM {_vmNames[vi]}: unknown change {change.Kind}");
        }
    }

    private void Stop(int vi, long now)
    {
        ref var vm = ref _vms[vi];
        if (vm.Down)
        {
            // shut down while its host is down: it no longer waits for the repair
            _vmDownMicros += now - _downSince[vi];
            Unlink(vi, vm.Host);
            vm.Down = false;
            _stops++;
            return;
        }
        if (!vm.Running) return;
        Release(vi, vm.Host, _nicOfHost[vm.Host], now);
        _stops++;
    }

    private void Start(int vi, long now)
    {
        ref var vm = ref _vms[vi];
        if (vm.Running || vm.Down) return;
        var h = vm.Host;
        if (_hostClosed[h] || !Fits(h, vm.Vcpu, vm.Mem))
        {
            _startsRefused++;
            return;
        }
        if (StartOn(vi, h, now, atomic: true)) _starts++;
        else _startsFailed++;
    }

    /// <summary>Powers VM <paramref name="vi"/> on (or lands it after a live migration) on host <paramref name="h"/>,
    /// which has room: its cores and memory, then its VFs by the platform's rules. False when the platform refused the
    /// power-on (<paramref name="atomic"/>: vSphere and KVM without every VF); the VM is then off. An arrival's first
    /// power-on is one of these too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool StartOn(int vi, int h, long now, bool atomic)
    {
        ref var vm = ref _vms[vi];
        ref var host = ref _hosts[h];
        host.Placed++;
        host.FreeVcpu -= vm.Vcpu;
        host.FreeMem -= vm.Mem;
        vm.Host = h;
        vm.OnVfMask = vm.WaitingMask = 0;
        var nicIndex = host.Nic;
        if (nicIndex >= 0) Advance(nicIndex, now);
        if (vm.Wants)
        {
            _wanting += vm.Vnics;
            if (nicIndex >= 0)
            {
                if (!RequestVfs(_vmNames[vi], vm.Vnics, vm.IovWeight, vi, h, nicIndex, now, atomic)) return false;
            }
            else
            {
                SetReason(vi, SriovBlocker.NicNotSriovCapable);
                vm.WaitingMask = (1 << vm.Vnics) - 1;
                _fellBack += vm.Vnics;
            }
        }
        if (!vm.Started)
        {
            vm.Started = true;
            _started++;
        }
        vm.Running = true;
        if (_perVm) _cold[vi].LastT = now;
        if (nicIndex >= 0)
        {
            AddFlows(nicIndex, ref vm, +1);
            CheckExhaustion(nicIndex, now);
        }
        if (_trackHosts) Link(vi, h);
        Reindex(h);
        return true;
    }

    private bool Fits(int h, int vcpu, double mem) => _hosts[h].FreeVcpu >= vcpu && _hosts[h].FreeMem >= mem;

    private void Migrate(int vi, string? toHost, long now)
    {
        ref var vm = ref _vms[vi];
        if (!vm.Running) return; // only a running VM moves live
        _migrationsAsked++;
        var h = vm.Host;
        var platform = _hosts[h].Platform;
        if (PlatformRules.For(platform).RefusesToMove(vm.Wants))
        {
            _migrationsRefusedSriov++;
            return;
        }
        int to;
        if (toHost is not null)
        {
            if (!_hostById.TryGetValue(toHost, out to))
                throw new ArgumentException($"VM {_vmNames[vi]}: migration to host '{toHost}', which is not in the topology");
            if (to == h || _hosts[to].Platform != platform || _hostClosed[to] || !Fits(to, vm.Vcpu, vm.Mem)) to = -1;
        }
        else to = PlaceAmong(_hosts[h].Cluster, platform, vm.Vcpu, vm.Mem, vm.Wants ? vm.Vnics : 0, exclude: h);
        if (to < 0)
        {
            _migrationsRefusedRoom++;
            return;
        }
        var before = BitOperations.PopCount((uint)vm.OnVfMask);
        // the source lets go first (its VFs may go to vNICs waiting there); on the destination a VF if one is free:
        // Hyper-V ran synthetic during the move, KVM re-plugs a VF next to its virtio standby, never atomically
        Release(vi, h, _nicOfHost[h], now);
        StartOn(vi, to, now, atomic: false);
        _migrated++;
        _vnicsOnVfBefore += before;
        _vnicsOnVfAfter += BitOperations.PopCount((uint)_vms[vi].OnVfMask);
    }

    private void ChangeDemand(int vi, double gbps, long now)
    {
        ref var vm = ref _vms[vi];
        _demandChanges++;
        var nicIndex = vm.Running ? _nicOfHost[vm.Host] : -1;
        if (nicIndex < 0)
        {
            vm.Gbps = Math.Max(0, gbps);
            return;
        }
        Advance(nicIndex, now);
        if (_perVm) Settle(vi, nicIndex, now);
        AddFlows(nicIndex, ref vm, -1);
        vm.Gbps = Math.Max(0, gbps);
        AddFlows(nicIndex, ref vm, +1);
    }

    /// <summary>The host the placement policy picks for a VM of <paramref name="vcpu"/> cores among the up hosts of
    /// <paramref name="cluster"/> on <paramref name="platform"/> other than <paramref name="exclude"/>, or -1.</summary>
    private int PlaceAmong(int cluster, Platform platform, int vcpu, double mem, int vfs, int exclude)
    {
        int first = -1, firstWithVfs = -1, mostFree = -1;
        foreach (var h in _clusterMembers[cluster])
        {
            if (h == exclude || _hostClosed[h] || _hosts[h].Platform != platform || !Fits(h, vcpu, mem)) continue;
            if (first < 0) first = h;
            if (firstWithVfs < 0 && vfs > 0 && FreeVfs(h) >= vfs) firstWithVfs = h;
            if (mostFree < 0 || _hosts[h].FreeVcpu > _hosts[mostFree].FreeVcpu) mostFree = h;
        }
        return _o.Placement switch
        {
            PlacementPolicy.Spread => mostFree,
            PlacementPolicy.SriovAware when firstWithVfs >= 0 => firstWithVfs,
            _ => first,
        };
    }

    private int FreeVfs(int h) => _hosts[h] is { Nic: >= 0, Blocker: null } host ? _nics[host.Nic].Free : 0;

    // ---------------- hosts failing ----------------

    private void FailHost(int h, long now)
    {
        _events++;
        if (++_hostOutages[h] > 1) return; // already down
        _hostFailureCount++;
        _hostFailures[h]++;
        _hostDown[h] = true;
        _hostClosed[h] = true;
        _hostDownSince[h] = now;
        ref var host = ref _hosts[h];
        var nicIndex = host.Nic;
        var victims = VmsOn(h, running: true);
        // every VM there stops at once: none of the VFs they free goes to another of them
        if (nicIndex >= 0) Advance(nicIndex, now);
        foreach (var vi in victims)
        {
            ref var vm = ref _vms[vi];
            if (nicIndex >= 0)
            {
                if (_perVm) Settle(vi, nicIndex, now);
                AddFlows(nicIndex, ref vm, -1);
                ReturnVfs(vi, nicIndex);
                if (vm.WaitingMask != 0) _waitingVms.Remove(_vmNames[vi]);
            }
            vm.OnVfMask = vm.WaitingMask = 0;
            host.VectorsUsed -= vm.Vectors;
            vm.Vectors = 0;
            host.FreeVcpu += vm.Vcpu;
            host.FreeMem += vm.Mem;
            vm.Running = false;
            vm.Down = true;
            _downSince[vi] = now;
            _interrupted++;
        }
        if (nicIndex >= 0) CheckExhaustion(nicIndex, now);
        Reindex(h);
        if (!_failures.RestartElsewhere) return;
        foreach (var vi in victims) RestartElsewhere(vi, h, now);
    }

    /// <summary>HA: a VM of failed host <paramref name="h"/> starts on another host of the cluster, as far as its
    /// platform allows (vSphere HA leaves SR-IOV VMs alone); otherwise, or when nowhere takes it, it waits for the repair.</summary>
    private void RestartElsewhere(int vi, int h, long now)
    {
        ref var vm = ref _vms[vi];
        var platform = _hosts[h].Platform;
        if (PlatformRules.For(platform).RefusesToMove(vm.Wants)) return;
        var to = PlaceAmong(_hosts[h].Cluster, platform, vm.Vcpu, vm.Mem, vm.Wants ? vm.Vnics : 0, exclude: h);
        if (to < 0) return;
        Unlink(vi, h);
        vm.Down = false;
        if (StartOn(vi, to, now, atomic: true))
        {
            _restartedElsewhere++;
            return;
        }
        // the platform refused the power-on there (KVM without every VF): it waits for its own host
        vm.Host = h;
        vm.Down = true;
        Link(vi, h);
    }

    private void RepairHost(int h, long now)
    {
        _events++;
        if (_hostOutages[h] == 0 || --_hostOutages[h] > 0) return;
        _hostDown[h] = false;
        _hostDownMicros[h] += now - _hostDownSince[h];
        if (_hostMaintenance[h] == 0) Reopen(h, now, afterMaintenance: false);
    }

    /// <summary>Host <paramref name="h"/> is neither failed nor in maintenance any more: it takes VMs again, and the VMs
    /// that waited for it start there (a start its platform refuses leaves the VM off).</summary>
    private void Reopen(int h, long now, bool afterMaintenance)
    {
        _hostClosed[h] = false;
        Reindex(h);
        foreach (var vi in VmsOn(h, running: false))
        {
            ref var vm = ref _vms[vi];
            _vmDownMicros += now - _downSince[vi];
            vm.Down = false;
            Unlink(vi, h);
            if (!StartOn(vi, h, now, atomic: true)) _notRestarted++;
            else if (afterMaintenance) _restartedAfterMaintenance++;
            else _restartedAtRepair++;
        }
    }

    // ---------------- maintenance ----------------

    /// <summary>Host <paramref name="h"/> goes into maintenance: it takes no VM, and each running VM live-migrates to
    /// another host of its cluster and platform as its platform allows (vSphere cannot move an SR-IOV VM); a VM that
    /// cannot move is shut down and started again on this host when the maintenance ends.</summary>
    private void StartMaintenance(int h, long now)
    {
        _events++;
        if (++_hostMaintenance[h] > 1) return;
        _maintenanceWindows++;
        _hostMaintenanceSince[h] = now;
        _hostClosed[h] = true;
        Reindex(h);
        var platform = _hosts[h].Platform;
        var rules = PlatformRules.For(platform);
        foreach (var vi in VmsOn(h, running: true))
        {
            ref var vm = ref _vms[vi];
            var to = rules.RefusesToMove(vm.Wants) ? -1 : PlaceAmong(_hosts[h].Cluster, platform, vm.Vcpu, vm.Mem, vm.Wants ? vm.Vnics : 0, exclude: h);
            var before = BitOperations.PopCount((uint)vm.OnVfMask);
            Release(vi, h, _nicOfHost[h], now);
            if (to >= 0)
            {
                StartOn(vi, to, now, atomic: false);
                _movedForMaintenance++;
                _vnicsOnVfBefore += before;
                _vnicsOnVfAfter += BitOperations.PopCount((uint)_vms[vi].OnVfMask);
                continue;
            }
            vm.Down = true;
            _downSince[vi] = now;
            Link(vi, h);
            _shutDownForMaintenance++;
        }
    }

    private void EndMaintenance(int h, long now)
    {
        _events++;
        if (_hostMaintenance[h] == 0 || --_hostMaintenance[h] > 0) return;
        _hostMaintenanceMicros[h] += now - _hostMaintenanceSince[h];
        if (!_hostDown[h]) Reopen(h, now, afterMaintenance: true);
    }

    /// <summary>The VMs linked to host <paramref name="h"/> that are running (or down with it), oldest first, copied
    /// out (the caller may unlink them).</summary>
    private List<int> VmsOn(int h, bool running)
    {
        _scratch.Clear();
        for (var vi = _firstOnHost[h]; vi >= 0; vi = _nextOnHost[vi])
            if (running ? _vms[vi].Running : _vms[vi].Down) _scratch.Add(vi);
        _scratch.Reverse();
        return [.. _scratch];
    }

    private void Link(int vi, int h)
    {
        var first = _firstOnHost[h];
        _nextOnHost[vi] = first;
        _prevOnHost[vi] = -1;
        if (first >= 0) _prevOnHost[first] = vi;
        _firstOnHost[h] = vi;
    }

    private void Unlink(int vi, int h)
    {
        var (prev, next) = (_prevOnHost[vi], _nextOnHost[vi]);
        if (prev >= 0) _nextOnHost[prev] = next;
        else _firstOnHost[h] = next;
        if (next >= 0) _prevOnHost[next] = prev;
    }

    /// <summary>A VM that departs while not running (stopped, down with its host, or its start failed).</summary>
    private void DepartIdle(int vi, long now)
    {
        ref var vm = ref _vms[vi];
        if (vm.Down)
        {
            _vmDownMicros += now - _downSince[vi];
            _notRestarted++;
            Unlink(vi, vm.Host);
            vm.Down = false;
        }
        vm.Departed = true;
        if (_perVm) _cold[vi].End = now;
    }

    /// <summary>At the horizon: the VMs still down with their host were not restarted.</summary>
    private void EndOfRun(IEnumerable<int> hosts)
    {
        if (!_trackHosts) return;
        foreach (var h in hosts)
        {
            if (!_hostClosed[h]) continue;
            foreach (var vi in VmsOn(h, running: false))
            {
                _vmDownMicros += _horizon - _downSince[vi];
                _notRestarted++;
            }
        }
    }

    // ---------------- PFs failing ----------------

    private DateTimeOffset At(long now) => _o.Epoch.AddTicks(now * 10);

    private void FailNic(int n, long now)
    {
        _events++;
        if (++_nicOutages[n] > 1) return;
        _nicFailureCount++;
        ref var track = ref _track[n];
        track.Failures++;
        track.FailedSince = now;
        Advance(n, now);
        var nic = _nics[n];
        // the holders' and waiters' VM slots, read before the decider takes their VFs
        var holders = new int[_holderBase[n + 1] - _holderBase[n]];
        Array.Copy(_holderSlot, _holderBase[n], holders, 0, holders.Length);
        var (events, _) = NicDecider.Decider.Run(new NicCommand.FailNic(nic.Id, OperationId.None, At(now)), nic);
        var touched = new List<int>();
        foreach (var e in events)
        {
            switch (e)
            {
                case NicEvent.VfRevoked r:
                    var slot = holders[r.VfIndex];
                    LoseVf(slot, r.Vnic.Name, n, now);
                    track.RevokedByFailure++;
                    _revokedByNicFailures++;
                    touched.Add(slot);
                    break;
                case NicEvent.VfRequestWithdrawn w when _waitingVms.TryGetValue(w.Vnic.Vm.Value, out var waiter):
                    // it keeps running synthetic, wanting a VF, but no longer waits in this PF's queue
                    SetReason(waiter, SriovBlocker.NicFailed);
                    touched.Add(waiter);
                    break;
            }
        }
        foreach (var vi in touched) _waitingVms.Remove(_vmNames[vi]);
        CheckExhaustion(n, now);
        Reindex(track.Host);
    }

    /// <summary>vNIC <paramref name="vnicName"/> of VM <paramref name="vi"/> lost its VF to its PF's failure: it runs
    /// synthetic, wanting one, without waiting in the PF's queue (the decider revokes without queueing).</summary>
    private void LoseVf(int vi, string vnicName, int nicIndex, long now)
    {
        ref var vm = ref _vms[vi];
        var k = Array.IndexOf(VnicNames, vnicName);
        if (_perVm) Settle(vi, nicIndex, now);
        AddFlows(nicIndex, ref vm, -1);
        vm.OnVfMask &= ~(1 << k);
        vm.WaitingMask |= 1 << k;
        SetReason(vi, SriovBlocker.NicFailed);
        AddFlows(nicIndex, ref vm, +1);
    }

    private void RepairNic(int n, long now)
    {
        _events++;
        if (_nicOutages[n] == 0 || --_nicOutages[n] > 0) return;
        ref var track = ref _track[n];
        track.FailedMicros += now - track.FailedSince;
        Advance(n, now);
        var nic = _nics[n];
        NicDecider.Decider.Run(new NicCommand.RepairNic(nic.Id, OperationId.None, At(now)), nic);
        var h = track.Host;
        // Hyper-V gives the running vNICs that want a VF one again (netvsc takes a VF back as it appears); on vSphere
        // and KVM a passthrough device lost with its PF comes back only with a restart of its VM
        if (_trackHosts && nic.Rules.OnExhaustion == ExhaustionBehaviour.SyntheticFallback && _hosts[h].Blocker is null)
        {
            foreach (var vi in VmsOn(h, running: true))
            {
                var waiting = _vms[vi].WaitingMask;
                for (var k = 0; k < _vms[vi].Vnics; k++)
                    if ((waiting & (1 << k)) != 0 && !nic.IsWaiting(Vnic(_vmNames[vi], k))) AskAgain(vi, k, n, now);
            }
        }
        CheckExhaustion(n, now);
        Reindex(h);
    }

    /// <summary>Running vNIC <paramref name="k"/> of VM <paramref name="vi"/>, on the synthetic path, asks its PF for a
    /// VF, as the decider decides it (granted, taken from a lighter holder, or queued).</summary>
    private void AskAgain(int vi, int k, int nicIndex, long now)
    {
        var nic = _nics[nicIndex];
        ref var track = ref _track[nicIndex];
        ref var vm = ref _vms[vi];
        track.Requests++;
        var me = Vnic(_vmNames[vi], k);
        var d = NicRules.Decide(nic, vm.IovWeight, 1, null, default, default, nic.VPortsFree, nic.QueuePairsFree);
        switch (d.Kind)
        {
            case VfDecisionKind.Grant:
                nic.ApplyAllocated(d.Vf, me, OperationId.None, vm.IovWeight, 1);
                SetHolder(nicIndex, d.Vf, vi);
                MoveVnic(vi, me.Name, nicIndex, toVf: true, now, d.Vf);
                track.Granted++;
                break;
            case VfDecisionKind.Preempt:
                // the victim is another VM's vNIC (only a lighter holder loses its VF)
                if (_perVm) Settle(vi, nicIndex, now);
                AddFlows(nicIndex, ref vm, -1);
                vm.WaitingMask &= ~(1 << k);
                Preempt(nic, nicIndex, d.Vf, me, vm.IovWeight, vi, k, now);
                AddFlows(nicIndex, ref _vms[vi], +1);
                break;
            default:
                if (d.Queued)
                {
                    nic.ApplyQueued(me, vm.IovWeight, 1, OperationId.None);
                    _waitingVms[_vmNames[vi]] = vi;
                }
                SetReason(vi, d.Reason);
                track.FellBack++;
                break;
        }
    }

    // ---------------- set-up ----------------

    /// <summary>The listed outages as (code, target index, from, until), each naming a host or PF of the topology.</summary>
    private (int, int, long, long)[] ResolveOutages(IReadOnlyList<Outage> outages)
    {
        if (outages.Count == 0) return [];
        var nicById = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _nics.Length; i++) nicById.TryAdd(_nics[i].Id.Value, i);
        var resolved = new List<(int, int, long, long)>();
        foreach (var o in outages)
        {
            if (o.Duration.Microseconds <= 0) throw new ArgumentException($"outage of {o.Kind} '{o.Target}' at {o.At}: its duration must be positive");
            if (o.At.Microseconds < 0) throw new ArgumentException($"outage of {o.Kind} '{o.Target}': it starts before the run ({o.At})");
            var until = o.At.Microseconds + Math.Min(o.Duration.Microseconds, long.MaxValue / 4);
            switch (o.Kind)
            {
                case OutageKind.Host when _hostById.TryGetValue(o.Target, out var h):
                    resolved.Add((Tick.HostFailsCode, h, o.At.Microseconds, until));
                    break;
                case OutageKind.Nic when nicById.TryGetValue(o.Target, out var n):
                    resolved.Add((Tick.NicFailsCode, n, o.At.Microseconds, until));
                    break;
                default:
                    throw new ArgumentException($"outage of {(o.Kind == OutageKind.Host ? "host" : "PF")} '{o.Target}': there is no such {(o.Kind == OutageKind.Host ? "host" : "PF")} in the topology");
            }
        }
        return [.. resolved];
    }

    /// <summary>The maintenance windows as (code, host index, from, until), each naming a host of the topology.</summary>
    private (int, int, long, long)[] ResolveMaintenance(IReadOnlyList<MaintenanceWindow> windows)
    {
        var resolved = new List<(int, int, long, long)>();
        foreach (var w in windows)
        {
            if (!_hostById.TryGetValue(w.Host, out var h)) throw new ArgumentException($"maintenance of host '{w.Host}': there is no such host in the topology");
            if (w.Duration.Microseconds <= 0) throw new ArgumentException($"maintenance of host '{w.Host}' at {w.At}: its duration must be positive");
            if (w.At.Microseconds < 0) throw new ArgumentException($"maintenance of host '{w.Host}': it starts before the run ({w.At})");
            resolved.Add((Tick.MaintenanceStartsCode, h, w.At.Microseconds, w.At.Microseconds + Math.Min(w.Duration.Microseconds, long.MaxValue / 4)));
        }
        if (resolved.Count > 0) _hostMaintenanceSince = new long[_hosts.Length];
        return [.. resolved];
    }

    /// <summary>What fails, or goes into maintenance, among <paramref name="hosts"/> and their PFs, or null when nothing
    /// does.</summary>
    private FailureScope? FailuresIn(IEnumerable<int> hosts, ulong seed, ulong replication)
    {
        if (!_failures.Any && _listedOutages.Length == 0) return null;
        var hostList = hosts.ToArray();
        var inScope = hostList.ToHashSet();
        var nics = hostList.Select(h => _nicOfHost[h]).Where(n => n >= 0).ToArray();
        var nicSet = nics.ToHashSet();
        var listed = _listedOutages.Where(o => o.Code == Tick.NicFailsCode ? nicSet.Contains(o.Target) : inScope.Contains(o.Target)).ToArray();
        return new FailureScope(_failures, hostList, nics, listed, seed, replication);
    }

    private DisruptionResult Disruptions() => new(
        _hostFailureCount, _nicFailureCount, _interrupted, _restartedElsewhere, _restartedAtRepair, _notRestarted,
        _vmDownMicros / 3.6e9, _revokedByNicFailures,
        _stops, _starts, _startsRefused, _startsFailed,
        _migrationsAsked, _migrated, _migrationsRefusedSriov, _migrationsRefusedRoom, _vnicsOnVfBefore, _vnicsOnVfAfter,
        _demandChanges,
        _maintenanceWindows, _movedForMaintenance, _shutDownForMaintenance, _restartedAfterMaintenance);
}
