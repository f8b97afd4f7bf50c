using System.Text.Json.Serialization;
using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Nics;

/// <summary>What a PF decides for one vNIC asking for a VF.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VfDecisionKind>))]
public enum VfDecisionKind
{
    /// <summary>VF <see cref="VfDecision.Vf"/> is free and given.</summary>
    Grant,
    /// <summary>No VF: <see cref="VfDecision.Reason"/>; the vNIC waits when <see cref="VfDecision.Queued"/>.</summary>
    Refuse,
    /// <summary>The lighter holder of VF <see cref="VfDecision.Vf"/> loses it to this vNIC (WeightPreemptive policy).</summary>
    Preempt,
}

/// <summary>The outcome of one VF request, as plain data (no allocation).</summary>
public readonly record struct VfDecision(VfDecisionKind Kind, int Vf, SriovBlocker Reason, bool Queued)
{
    public static VfDecision Grant(int vf) => new(VfDecisionKind.Grant, vf, default, false);
    public static VfDecision Refuse(SriovBlocker reason, bool queued) => new(VfDecisionKind.Refuse, -1, reason, queued);
    public static VfDecision Preempt(int vf) => new(VfDecisionKind.Preempt, vf, default, false);
}

/// <summary>
/// The PF's VF rules as allocation-free functions. <see cref="NicDecider"/> turns their decisions into events; the
/// simulator applies them directly with the state's <c>Apply…</c> methods (which Evolve also uses), so a simulated
/// run and the live twin decide with the same code, and the simulator's hot path creates no objects.
/// </summary>
public static class NicRules
{
    /// <summary>Why this PF gives no VF at all now, or null when it may.</summary>
    public static SriovBlocker? PoolBlocker(Nic s) =>
        s.Status == NicStatus.Failed ? SriovBlocker.NicFailed
        : !s.PfDriverSupportsSriov ? SriovBlocker.MissingPfDriver
        : s.Ceiling is null ? SriovBlocker.NicNotSriovCapable
        : !s.SriovEnabled || s.Pool.Configured == 0 ? SriovBlocker.SriovDisabledOnNic
        : null;

    /// <summary>
    /// Decides one request, given what earlier requests of the same command already took (<paramref name="taken"/>,
    /// <paramref name="preempted"/>) and the VPorts and queue pairs still free. Assumes <see cref="PoolBlocker"/> is null.
    /// </summary>
    public static VfDecision Decide(Nic s, int iovWeight, int queuePairs, string? resourcePool,
        ReadOnlySpan<int> taken, ReadOnlySpan<int> preempted, long vportsFree, long queuePairsFree)
    {
        var vf = FreeSlot(s, resourcePool, taken);
        SriovBlocker? reason = vf < 0 ? SriovBlocker.VfPoolExhausted
            : vportsFree < 1 ? SriovBlocker.NoVPortAvailable
            : queuePairsFree < queuePairs ? SriovBlocker.NoQueuePairsAvailable
            : null;
        if (reason is null) return VfDecision.Grant(vf);
        var waits = s.Rules.OnExhaustion == ExhaustionBehaviour.SyntheticFallback;
        if (reason == SriovBlocker.VfPoolExhausted && waits && s.Policy == ScarceVfPolicy.WeightPreemptive)
        {
            var victim = LowestWeightHolder(s, preempted);
            if (victim >= 0 && s.Pool[victim].Weight < iovWeight && queuePairsFree + s.Pool[victim].QueuePairs >= queuePairs)
                return VfDecision.Preempt(victim);
        }
        return VfDecision.Refuse(reason.Value, waits);
    }

    /// <summary>The lowest free allocatable VF (of <paramref name="resourcePool"/> when given) not in <paramref name="taken"/>, or -1.</summary>
    public static int FreeSlot(Nic s, string? resourcePool, ReadOnlySpan<int> taken)
    {
        if (taken.IsEmpty) return s.Pool.LowestFree(resourcePool);
        for (var i = 0; i < s.Pool.Configured; i++)
        {
            if (s.Pool.IsHeld(i) || !s.Pool.IsAllocatable(i) || taken.Contains(i)) continue;
            if (resourcePool is null || s.Pool.PoolOf(i) == resourcePool) return i;
        }
        return -1;
    }

    /// <summary>The held VF whose holder has the lowest weight (ties: the highest index), not in <paramref name="exclude"/>; -1 if none.</summary>
    public static int LowestWeightHolder(Nic s, ReadOnlySpan<int> exclude)
    {
        var best = -1;
        for (var i = 0; i < s.Pool.Configured; i++)
        {
            if (!s.Pool.IsHeld(i) || exclude.Contains(i)) continue;
            if (best < 0 || s.Pool.WeightOf(i) <= s.Pool.WeightOf(best)) best = i;
        }
        return best;
    }

    /// <summary>
    /// After VFs were freed (or the pool grew): the waiting vNIC that gets a free VF next by the scarce-VF policy and
    /// the VF it gets, or false. Only platforms that let a VM wait (Hyper-V) hand VFs over.
    /// </summary>
    public static bool NextHandover(Nic s, out VfWaiter waiter, out int vf)
    {
        (waiter, vf) = (default, -1);
        if (s.Rules.OnExhaustion != ExhaustionBehaviour.SyntheticFallback || s.Waiting.Count == 0 || s.Free <= 0 || s.VPortsFree <= 0) return false;
        if (s.NextWaiter(s.QueuePairsFree) is not { } next) return false;
        vf = s.Pool.LowestFree();
        if (vf < 0) return false;
        waiter = next;
        return true;
    }

    /// <summary>What releasing <paramref name="vnic"/>'s VF under <paramref name="claim"/> means: the VF to free (≥ 0),
    /// -1 when nothing is held by that claim, or -2 when the vNIC was only waiting (it is withdrawn).</summary>
    public static int ReleaseTarget(Nic s, VnicRef vnic, OperationId claim)
    {
        var vf = s.Pool.IndexHeldBy(vnic);
        if (vf < 0) return s.IsWaiting(vnic) ? -2 : -1;
        // another claim holds it now: never free what is not ours
        return claim.IsNone || s.Pool[vf].Claim == claim ? vf : -1;
    }
}
