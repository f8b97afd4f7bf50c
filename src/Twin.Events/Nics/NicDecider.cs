using Twin.Events.Common;
using Twin.Events.Platforms;
using static Twin.Events.Nics.NicCommand;
using static Twin.Events.Nics.NicEvent;

namespace Twin.Events.Nics;

/// <summary>
/// Decides what a command to a PF means, by the rules of its platform. Three kinds of outcome: no-op retries return
/// no events (idempotent); refusals an operator should see are <c>…Rejected</c> events with a reason; impossible
/// transitions (a command to a NIC that is not installed, a negative VF count) throw <see cref="DomainRuleViolated"/>.
/// The NIC stream alone decides who holds which VF.
/// </summary>
public static class NicDecider
{
    public static readonly Decider<NicCommand, NicEvent, Nic> Decider = new(Decide, Nic.Evolve, Nic.Initial);

    public static NicEvent[] Decide(NicCommand command, Nic s) => (command, s.Status) switch
    {
        (InstallNic c, NicStatus.Absent) => [new NicInstalled(c.Nic, c.Host, c.Platform, c.Model, c.Vendor, c.PciAddress,
            c.LinkMbps, c.NumaNode, c.MaxVfs, c.PfDriverSupportsSriov, c.VPorts, c.QueuePairs, c.At)],
        (InstallNic c, _) => SameInstall(c, s) ? [] :
            throw new DomainRuleViolated($"NIC {c.Nic} is already installed (on {s.Host}, {s.Model}); a changed capture is an observation, not a re-install"),
        (_, NicStatus.Absent) => throw new DomainRuleViolated($"NIC {command.Nic} is not installed"),
        (EnableSriov c, _) => Enable(c.VfCount, c.Op, c.At, s),
        (DisableSriov c, _) => Disable(c.Op, c.At, s),
        (SetVfCount c, _) => SetCount(c.VfCount, c.Op, c.At, s),
        (ApplyPendingConfiguration c, _) => ApplyPending(c, s),
        (ObserveVfConfiguration c, _) => Observe(c, s),
        (DefineResourcePool c, _) => DefinePool(c, s),
        (RemoveResourcePool c, _) => s.Pool.ResourcePools.Contains(c.Name) ? [new ResourcePoolRemoved(s.Id, c.Name, c.At)] : [],
        (AllocateVfs c, _) => Allocate(c, s),
        (ReleaseVf c, _) => Release(c, s),
        (FailNic, NicStatus.Failed) => [],
        (FailNic c, _) => [.. RevokeAll(s, SriovBlocker.NicFailed, queued: false, c.Op, c.At), .. WithdrawAll(s, c.Op, c.At), new NicFailed(s.Id, c.Op, c.At)],
        (RepairNic c, NicStatus.Failed) => [new NicRepaired(s.Id, c.Op, c.At)],
        (RepairNic, _) => [],
        (SetScarceVfPolicy c, _) => c.Policy == s.Policy ? [] : [new ScarceVfPolicyChanged(s.Id, c.Policy, c.At)],
        _ => throw new DomainRuleViolated($"{command.GetType().Name} is not valid for a {s.Status} NIC"),
    };

    private static bool SameInstall(InstallNic c, Nic s) =>
        c.Host == s.Host && c.Platform == s.Platform && c.PciAddress == s.PciAddress && c.Model == s.Model;

    // ---------------- configuration: enable, disable, count ----------------

    private static NicEvent[] Enable(int count, OperationId op, DateTimeOffset at, Nic s)
    {
        if (count <= 0) throw new DomainRuleViolated($"enabling SR-IOV on {s.Id} needs a positive VF count, not {count}");
        if (s.SriovEnabled && s.Pool.Configured > 0) return SetCount(count, op, at, s);
        if (Refusal(count, s) is { } refused) return [refused(op, at)];
        if (s.Rules.OnVfCountChange == VfCountChangeBehaviour.PendingUntilReboot)
            return s.PendingVfs == count && s.PendingSriovEnabled ? [] : [new VfConfigurationPending(s.Id, true, count, op, at)];
        return [new SriovEnabled(s.Id, count, op, at)];
    }

    private static NicEvent[] Disable(OperationId op, DateTimeOffset at, Nic s)
    {
        if (!s.SriovEnabled && s.PendingVfs is null) return [];
        if (s.Status == NicStatus.Failed) return [Rejected(s, NicChangeRefusal.NicFailed, 0, op, at)];
        return s.Rules.OnDisableSriov switch
        {
            DisableSriovBehaviour.PendingUntilReboot => s.PendingVfs == 0 ? [] : [new VfConfigurationPending(s.Id, false, 0, op, at)],
            DisableSriovBehaviour.RefusedWhileHeld when s.Allocated > 0 => [Rejected(s, NicChangeRefusal.VfsInUse, 0, op, at)],
            // Hyper-V: every holder falls back to synthetic in one step (one append), waiters stop waiting
            _ => [.. RevokeAll(s, SriovBlocker.SriovDisabledByOperator, queued: false, op, at), .. WithdrawAll(s, op, at), new SriovDisabled(s.Id, op, at)],
        };
    }

    private static NicEvent[] SetCount(int count, OperationId op, DateTimeOffset at, Nic s)
    {
        if (count < 0) throw new DomainRuleViolated($"a VF count cannot be negative ({count}) on {s.Id}");
        if (count == 0) return Disable(op, at, s);
        if (!s.SriovEnabled || s.Pool.Configured == 0) return Enable(count, op, at, s);
        if (Refusal(count, s) is { } refused) return [refused(op, at)];
        var current = s.Pool.Configured;
        switch (s.Rules.OnVfCountChange)
        {
            case VfCountChangeBehaviour.PendingUntilReboot:
                if (count == current && s.PendingVfs is null || count == s.PendingVfs) return [];
                return [new VfConfigurationPending(s.Id, true, count, op, at)];
            case VfCountChangeBehaviour.MustPassThroughZero:
                // the kernel answers EBUSY to N→M with both non-zero; writing the current value is a no-op
                return count == current ? [] : [Rejected(s, NicChangeRefusal.MustPassThroughZero, count, op, at)];
            default:
                if (count == current) return [];
                return AdapterRestart(count, op, at, s);
        }
    }

    /// <summary>Hyper-V: changing NumVFs restarts the adapter: every VF is revoked; afterwards the vNICs that want a
    /// VF (the revoked holders and earlier waiters) get the new VFs in the order of the scarce-VF policy.</summary>
    private static NicEvent[] AdapterRestart(int count, OperationId op, DateTimeOffset at, Nic s)
    {
        var events = new List<NicEvent>(RevokeAll(s, SriovBlocker.VfCountChanged, queued: true, op, at))
        {
            new VfCountChanged(s.Id, s.Pool.Configured, count, count, op, at),
        };
        events.AddRange(HandOverFreeVfs(s, events, at));
        return [.. events];
    }

    private static Func<OperationId, DateTimeOffset, NicEvent>? Refusal(int count, Nic s)
    {
        if (s.Status == NicStatus.Failed) return (op, at) => Rejected(s, NicChangeRefusal.NicFailed, count, op, at);
        if (!s.PfDriverSupportsSriov || s.Ceiling is null) return (op, at) => Rejected(s, NicChangeRefusal.NotSriovCapable, count, op, at);
        if (count > s.Ceiling) return (op, at) => Rejected(s, NicChangeRefusal.ExceedsCeiling, count, op, at);
        return null;
    }

    private static VfConfigurationRejected Rejected(Nic s, NicChangeRefusal reason, int requested, OperationId op, DateTimeOffset at) =>
        new(s.Id, reason, requested, s.Pool.Holders().Select(h => h.Vnic).ToValueList(), op, at);

    private static NicEvent[] ApplyPending(ApplyPendingConfiguration c, Nic s)
    {
        if (s.PendingVfs is not { } pending) return [];
        var events = new List<NicEvent>(RevokeAll(s, SriovBlocker.VfCountChanged, queued: false, c.Op, c.At));
        if (!s.PendingSriovEnabled || pending == 0) events.Add(new SriovDisabled(s.Id, c.Op, c.At));
        else if (s.SriovEnabled && s.Pool.Configured > 0) events.Add(new VfCountChanged(s.Id, s.Pool.Configured, pending, pending, c.Op, c.At));
        else events.Add(new SriovEnabled(s.Id, pending, c.Op, c.At));
        return [.. events];
    }

    private static NicEvent[] Observe(ObserveVfConfiguration c, Nic s)
    {
        var configured = c.SriovEnabled ? c.ConfiguredVfs : 0;
        var requested = c.RequestedVfs is { } r && r != c.ConfiguredVfs ? r : (int?)null;
        if (c.MaxVfs == s.Ceiling && c.SriovEnabled == s.SriovEnabled && configured == s.Pool.Configured && requested == s.PendingVfs)
            return [];
        var events = new List<NicEvent>();
        foreach (var (vf, vnic, claim) in s.Pool.Holders().Where(h => h.VfIndex >= configured))
            events.Add(new VfRevoked(s.Id, vf, vnic, c.SriovEnabled ? SriovBlocker.VfCountChanged : SriovBlocker.SriovDisabledByOperator, false, claim, c.Op, c.At));
        events.Add(new VfConfigurationObserved(s.Id, c.MaxVfs, c.SriovEnabled, c.ConfiguredVfs, c.RequestedVfs, c.Op, c.At));
        return [.. events];
    }

    private static NicEvent[] DefinePool(DefineResourcePool c, Nic s)
    {
        if (string.IsNullOrWhiteSpace(c.Name)) throw new DomainRuleViolated("a resource pool needs a name");
        var indices = c.VfIndices;
        if (indices.Count == 0) return [new ResourcePoolRejected(s.Id, c.Name, "a resource pool needs at least one VF", c.At)];
        if (indices.Distinct().Count() != indices.Count)
            return [new ResourcePoolRejected(s.Id, c.Name, "a VF is listed twice", c.At)];
        foreach (var i in indices.Where(i => i < 0 || i >= s.Pool.Configured))
            return [new ResourcePoolRejected(s.Id, c.Name, $"VF {i} does not exist ({s.Pool.Configured} VFs configured)", c.At)];
        var overlap = indices.Select(i => (i, Pool: s.Pool.PoolOf(i))).FirstOrDefault(x => x.Pool is not null && x.Pool != c.Name);
        if (overlap.Pool is not null)
            return [new ResourcePoolRejected(s.Id, c.Name, $"VF {overlap.i} is already in pool '{overlap.Pool}': pools never share a VF", c.At)];
        var current = Enumerable.Range(0, s.Pool.Configured).Where(i => s.Pool.PoolOf(i) == c.Name).ToHashSet();
        if (current.SetEquals(indices)) return [];
        return [new ResourcePoolDefined(s.Id, c.Name, indices, c.At)];
    }

    // ---------------- allocation ----------------

    private static NicEvent[] Allocate(AllocateVfs c, Nic s)
    {
        if (c.Requests.Count == 0) throw new DomainRuleViolated($"an allocation on {s.Id} needs at least one vNIC");
        if (c.Requests.Select(r => r.Vnic).Distinct().Count() != c.Requests.Count)
            throw new DomainRuleViolated($"an allocation on {s.Id} names a vNIC twice");
        foreach (var r in c.Requests)
        {
            if (r.IovWeight is < 1 or > 100) throw new DomainRuleViolated($"{r.Vnic} asks for a VF with IovWeight {r.IovWeight}; 1-100 wants a VF");
            if (r.QueuePairs < 1) throw new DomainRuleViolated($"{r.Vnic} asks for {r.QueuePairs} queue pairs; at least 1");
        }

        // idempotent: vNICs that already hold a VF here, or already wait for one with the same request, are done; a
        // waiting vNIC that asks with another weight or queue-pair count is decided again (it keeps its place if it waits on)
        var pending = c.Requests.Where(r => s.Pool.IndexHeldBy(r.Vnic) < 0
            && !s.Waiting.Any(w => w.Vnic == r.Vnic && w.Weight == r.IovWeight && w.QueuePairs == r.QueuePairs)).ToList();
        if (pending.Count == 0) return [];

        var blocker = NicRules.PoolBlocker(s);
        if (blocker is null && pending.FirstOrDefault(r => r.ResourcePool is { } p && !s.Pool.ResourcePools.Contains(p)) is not null)
            blocker = SriovBlocker.UnknownResourcePool;
        if (blocker is { } b)
            return [.. pending.Select(r => (NicEvent)new VfAllocationRejected(s.Id, r.Vnic, b, s.Free, pending.Count, false, r.IovWeight, r.QueuePairs, c.Op, c.At))];

        var taken = new List<int>(pending.Count);
        var preempted = new List<int>();
        long vportsFree = s.VPortsFree, qpFree = s.QueuePairsFree; // long: 'not limiting' is int.MaxValue
        var decisions = new List<VfDecision>(pending.Count);
        foreach (var r in pending)
        {
            var d = NicRules.Decide(s, r.IovWeight, r.QueuePairs, r.ResourcePool,
                System.Runtime.InteropServices.CollectionsMarshal.AsSpan(taken), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(preempted),
                vportsFree, qpFree);
            decisions.Add(d);
            switch (d.Kind)
            {
                case VfDecisionKind.Grant:
                    taken.Add(d.Vf);
                    vportsFree--;
                    qpFree -= r.QueuePairs;
                    break;
                case VfDecisionKind.Preempt:
                    preempted.Add(d.Vf);
                    qpFree += s.Pool[d.Vf].QueuePairs - r.QueuePairs;
                    break;
            }
        }

        // vSphere and KVM: the start needs every VF it asks for, or it fails and keeps none
        if (s.Rules.OnExhaustion != ExhaustionBehaviour.SyntheticFallback && decisions.Any(d => d.Kind == VfDecisionKind.Refuse))
            return [.. pending.Select(p => (NicEvent)new VfAllocationRejected(s.Id, p.Vnic, SriovBlocker.VfPoolExhausted, s.Pool.FreeIn(p.ResourcePool),
                pending.Count, false, p.IovWeight, p.QueuePairs, c.Op, c.At))];

        var events = new List<NicEvent>(pending.Count);
        var grantedSoFar = 0;
        for (var i = 0; i < pending.Count; i++)
        {
            var (r, d) = (pending[i], decisions[i]);
            switch (d.Kind)
            {
                case VfDecisionKind.Grant:
                    grantedSoFar++;
                    events.Add(new VfAllocated(s.Id, d.Vf, r.Vnic, r.IovWeight, r.QueuePairs, VfAllocationCause.Requested, c.Op, c.At));
                    break;
                case VfDecisionKind.Preempt:
                    var victim = s.Pool[d.Vf];
                    events.Add(new VfRevoked(s.Id, d.Vf, victim.Holder!.Value, SriovBlocker.VfPoolExhausted, true, victim.Claim, c.Op, c.At));
                    events.Add(new VfAllocated(s.Id, d.Vf, r.Vnic, r.IovWeight, r.QueuePairs, VfAllocationCause.Preempted, c.Op, c.At));
                    break;
                default:
                    events.Add(new VfAllocationRejected(s.Id, r.Vnic, d.Reason, s.Pool.FreeIn(r.ResourcePool) - grantedSoFar, pending.Count, d.Queued,
                        r.IovWeight, r.QueuePairs, c.Op, c.At));
                    break;
            }
        }
        return [.. events];
    }

    // ---------------- release and hand-over ----------------

    private static NicEvent[] Release(ReleaseVf c, Nic s)
    {
        var vf = NicRules.ReleaseTarget(s, c.Vnic, c.ClaimOp);
        if (vf == -2) return [new VfRequestWithdrawn(s.Id, c.Vnic, c.Op, c.At)];
        if (vf < 0) return [];
        var events = new List<NicEvent> { new VfReleased(s.Id, vf, c.Vnic, s.Pool[vf].Claim, c.Op, c.At) };
        events.AddRange(HandOverFreeVfs(s, events, c.At));
        return [.. events];
    }

    /// <summary>After <paramref name="decided"/> (not yet applied), gives free VFs to waiting vNICs by the policy
    /// (Hyper-V). Works on a copy of the state, so <paramref name="s"/> is untouched.</summary>
    private static List<NicEvent> HandOverFreeVfs(Nic s, IReadOnlyList<NicEvent> decided, DateTimeOffset at)
    {
        var handed = new List<NicEvent>();
        if (s.Rules.OnExhaustion != ExhaustionBehaviour.SyntheticFallback) return handed;
        if (s.Waiting.Count == 0 && !decided.Any(e => e is VfRevoked { Queued: true })) return handed;
        var after = s.Clone();
        foreach (var e in decided) Nic.Evolve(after, e);
        while (NicRules.NextHandover(after, out var w, out var vf))
        {
            var e = new VfAllocated(s.Id, vf, w.Vnic, w.Weight, w.QueuePairs, VfAllocationCause.HandedOverOnRelease, w.Op, at);
            Nic.Evolve(after, e);
            handed.Add(e);
        }
        return handed;
    }

    // ---------------- helpers ----------------

    private static IEnumerable<NicEvent> RevokeAll(Nic s, SriovBlocker reason, bool queued, OperationId op, DateTimeOffset at) =>
        s.Pool.Holders().Select(h => (NicEvent)new VfRevoked(s.Id, h.VfIndex, h.Vnic, reason, queued, h.Claim, op, at)).ToList();

    private static IEnumerable<NicEvent> WithdrawAll(Nic s, OperationId op, DateTimeOffset at) =>
        s.Waiting.Select(w => (NicEvent)new VfRequestWithdrawn(s.Id, w.Vnic, op, at)).ToList();
}
