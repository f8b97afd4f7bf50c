using Marten;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Projections.History;

/// <summary>One link of a causal chain: an event, when, on which entity, under which operation and by whom, and
/// what it means for the vNIC being explained.</summary>
public sealed record CauseStep(DateTimeOffset At, string Entity, string Kind, string Operation, string? Actor, string Text);

/// <summary>Why one vNIC had the datapath it had: the datapath, since when, a summary a person can act on, the
/// causal chain (oldest first) and what would still stand in the way of a VF at that moment.</summary>
public sealed record VnicExplanation(
    string Vnic,
    int IovWeight,
    string Datapath,
    DateTimeOffset Since,
    string Summary,
    IReadOnlyList<CauseStep> Chain,
    IReadOnlyList<SriovBlocker> BlockersNow);

/// <summary>Why a VM's vNICs had the datapaths they had at a moment.</summary>
public sealed record DatapathExplanation(string Vm, DateTimeOffset At, VmStatus Status, string Host, IReadOnlyList<VnicExplanation> Vnics);

/// <summary>
/// Investigations: the causal chain behind a vNIC's datapath at a moment, built from the recorded events and their
/// operation ids — which event set the datapath, which PF refused or gave the VF, who held the pool then, which VF was
/// freed later and who it went to instead (and why, by the scarce-VF policy), which operation and actor took a VF away.
/// </summary>
public static class Why
{
    /// <summary>Explains <paramref name="vm"/>'s vNICs (or only <paramref name="vnic"/>) at <paramref name="at"/> (the
    /// end of its history when null). Null when the twin never heard of the VM; <see cref="NotExistingAtException"/>
    /// when it did not exist yet at that moment; <see cref="KeyNotFoundException"/> for an unknown vNIC.</summary>
    public static async Task<DatapathExplanation?> ExplainAsync(IQuerySession session, string vm, string? vnic = null, DateTimeOffset? at = null,
        CancellationToken ct = default)
    {
        var vmEvents = await HistoryReader.StreamAsync(session, vm, ct);
        if (vmEvents.Count == 0 || vmEvents[0].Data is not VmEvent) return null;
        var moment = at ?? vmEvents[^1].At;
        var history = Prefix(vmEvents, moment);
        if (history.Count == 0) throw new NotExistingAtException("vm", vm, moment, vmEvents[0].At);
        var state = Aggregates.Vm.Decider.Fold(history.Select(e => (VmEvent)e.Data));
        var world = await TimeTravel.StateAtAsync(session, moment, ct);
        var readiness = world.Readiness(vm);
        var streams = new StreamCache(session, moment);

        var explained = new List<VnicExplanation>();
        foreach (var v in state.Vnics.Where(v => vnic is null || v.Name == vnic))
        {
            var chain = new List<CauseStep>();
            var summary = await ExplainVnic(streams, history, state, v, chain, ct);
            var blockers = readiness?.Vnics.FirstOrDefault(r => r.Vnic == v.Name)?.Blockers ?? ValueList<SriovBlocker>.Empty;
            explained.Add(new VnicExplanation(v.Name, v.Spec.IovWeight, v.Datapath.ToString(), v.Since, summary,
                [.. chain.OrderBy(c => c.At)], blockers));
        }
        if (vnic is not null && explained.Count == 0) throw new KeyNotFoundException($"VM {vm} has no vNIC '{vnic}' at {moment:u}");
        return new DatapathExplanation(vm, moment, state.Status, state.Host.Value, explained);
    }

    private static async Task<string> ExplainVnic(StreamCache streams, IReadOnlyList<HistoryEvent> vmHistory, Vm vm, Vnic v, List<CauseStep> chain, CancellationToken ct)
    {
        var me = new VnicRef(vm.Id, v.Name);
        var setter = vmHistory.LastOrDefault(e => SetsDatapath(e.Data, v.Name));
        if (setter is not null) chain.Add(Step(setter));
        var since = $"since {v.Since:u}";
        switch (v.Datapath.Kind)
        {
            case DatapathKind.Off:
                if (setter?.Data is VmEvent.VmStartFailed failed)
                {
                    var refusal = await RefusalOf(streams, me, v.Spec.Switch, failed.Op, chain, ct);
                    return $"off {since}: the start failed ({failed.Reason?.ToString() ?? "no SR-IOV reason"}): {failed.Detail}" + (refusal is null ? "" : $"; {refusal}");
                }
                return $"off {since}: the VM is {vm.Status}";

            case DatapathKind.Vf:
                return $"on VF {v.Datapath.VfIndex} of {v.Datapath.Nic} {since}" + await HowItGotTheVf(streams, me, v.Datapath, chain, ct);

            default:
                var reason = v.Datapath.Reason;
                var kind = v.Datapath.Kind == DatapathKind.Synthetic ? "synthetic" : "disconnected";
                if (reason is null)
                {
                    var weight = vmHistory.LastOrDefault(e => e.Data is VmEvent.IovWeightChanged w && w.Name == v.Name);
                    if (weight is not null) chain.Add(Step(weight));
                    return v.Spec.WantsVf ? $"{kind} {since}" : $"{kind} {since} because it does not ask for a VF (IovWeight 0)";
                }
                return $"{kind} {since} because " + await BecauseOf(streams, vmHistory, vm, v, me, reason.Value, chain, ct);
        }
    }

    /// <summary>The VF's allocation event and what made it happen (a request, a VF freed by someone else, a preemption).</summary>
    private static async Task<string> HowItGotTheVf(StreamCache streams, VnicRef me, Datapath dp, List<CauseStep> chain, CancellationToken ct)
    {
        var nic = await streams.Get(dp.Nic!.Value.Value, ct);
        var allocated = nic.LastOrDefault(e => e.Data is NicEvent.VfAllocated a && a.Vnic == me && a.VfIndex == dp.VfIndex);
        if (allocated?.Data is not NicEvent.VfAllocated a) return "";
        chain.Add(Step(allocated));
        var before = nic.LastOrDefault(e => e.Sequence < allocated.Sequence && e.Data is NicEvent.VfReleased or NicEvent.VfRevoked);
        switch (a.Cause)
        {
            case VfAllocationCause.HandedOverOnRelease when before is not null:
                chain.Add(Step(before));
                return $": it was waiting, and when {Describe(before.Data)} at {before.At:u} the policy handed the VF to it";
            case VfAllocationCause.Preempted when before?.Data is NicEvent.VfRevoked r:
                chain.Add(Step(before));
                return $": its IovWeight {a.IovWeight} preempted {r.Vnic}, which held it with a lower weight";
            default:
                return $": given when it asked (operation {allocated.Operation})";
        }
    }

    private static async Task<string> BecauseOf(StreamCache streams, IReadOnlyList<HistoryEvent> vmHistory, Vm vm, Vnic v, VnicRef me,
        SriovBlocker reason, List<CauseStep> chain, CancellationToken ct)
    {
        switch (reason)
        {
            case SriovBlocker.VfPoolExhausted or SriovBlocker.NoVfOnDestination or SriovBlocker.NoVPortAvailable or SriovBlocker.NoQueuePairsAvailable:
                return await PoolWasFull(streams, vm, v, me, reason, chain, ct);

            case SriovBlocker.VfCountChanged or SriovBlocker.SriovDisabledByOperator or SriovBlocker.NicFailed:
            {
                var nicId = vmHistory.Select(e => e.Data).OfType<VmEvent.VnicDatapathChanged>().LastOrDefault(d => d.Name == v.Name && d.From.Nic is not null)?.From.Nic
                            ?? await BoundNic(streams, v.Spec.Switch, ct);
                if (nicId is null) return $"{reason}";
                var nic = await streams.Get(nicId.Value.Value, ct);
                var revoked = nic.LastOrDefault(e => e.Data is NicEvent.VfRevoked r && r.Vnic == me);
                if (revoked is null) return $"{reason} on {nicId}";
                chain.Add(Step(revoked));
                var change = nic.FirstOrDefault(e => e.Operation == revoked.Operation && e.Data is NicEvent.VfCountChanged or NicEvent.SriovDisabled or NicEvent.NicFailed);
                if (change is not null) chain.Add(Step(change));
                return $"its VF was taken at {revoked.At:u}: {Describe((change ?? revoked).Data)} (operation {revoked.Operation}{By(revoked)})";
            }

            case SriovBlocker.SwitchIovDisabled or SriovBlocker.SwitchNotExternal or SriovBlocker.SwitchRecreated:
            {
                var sw = await streams.Get(v.Spec.Switch.Value, ct);
                var last = sw.LastOrDefault(e => e.Data is SwitchEvent.SwitchCreated or SwitchEvent.SwitchIovChanged or SwitchEvent.SwitchRecreated or SwitchEvent.SwitchDeleted);
                if (last is null) return $"{reason}: switch {v.Spec.Switch} is unknown";
                chain.Add(Step(last));
                return $"{reason}: {Describe(last.Data)} at {last.At:u}{By(last)}";
            }

            case SriovBlocker.SriovDisabledOnNic or SriovBlocker.NicNotSriovCapable or SriovBlocker.MissingPfDriver:
            {
                var nicId = await BoundNic(streams, v.Spec.Switch, ct);
                if (nicId is null) return $"{reason}";
                var last = (await streams.Get(nicId.Value.Value, ct)).LastOrDefault(e => e.Data is NicEvent.NicInstalled or NicEvent.SriovEnabled
                    or NicEvent.SriovDisabled or NicEvent.VfCountChanged or NicEvent.VfConfigurationObserved or NicEvent.VfConfigurationPending);
                if (last is not null) chain.Add(Step(last));
                return $"{reason} on {nicId}" + (last is null ? "" : $": {Describe(last.Data)} at {last.At:u}{By(last)}");
            }

            case SriovBlocker.GuestOsUnsupported or SriovBlocker.NoVfDriverInGuest:
                return $"{reason}: the guest is {vm.Guest.Name}{(vm.Guest.HasVfDriver ? "" : " without a VF driver")} on {vm.Platform}";

            case SriovBlocker.MigrationInProgress:
            {
                var started = vmHistory.LastOrDefault(e => e.Data is VmEvent.VmMigrationStarted);
                if (started is not null) chain.Add(Step(started));
                return $"{reason}: a VF cannot travel, the vNIC runs synthetic during the move" + (started is null ? "" : $" ({Describe(started.Data)})");
            }

            default:
            {
                var host = await streams.Get(vm.Host.Value, ct);
                var chipset = await streams.Get(ChipsetId.Of(vm.Host).Value, ct);
                var last = host.Concat(chipset).Where(e => e.Data is not Twin.Events.Hosts.HostEvent.VmPlaced and not Twin.Events.Hosts.HostEvent.VmUnplaced
                        and not Twin.Events.Hosts.HostEvent.InterruptVectorsReserved and not Twin.Events.Hosts.HostEvent.InterruptVectorsReleased)
                    .MaxBy(e => e.Sequence);
                if (last is not null) chain.Add(Step(last));
                return $"{reason}" + (last is null ? "" : $": {Describe(last.Data)} at {last.At:u}");
            }
        }
    }

    /// <summary>"NIC X had 8/8 VFs held (by …); a VF was freed at t and given to Y, which had a higher IovWeight".</summary>
    private static async Task<string> PoolWasFull(StreamCache streams, Vm vm, Vnic v, VnicRef me, SriovBlocker reason, List<CauseStep> chain, CancellationToken ct)
    {
        var nicId = await BoundNic(streams, v.Spec.Switch, ct);
        if (nicId is null) return $"{reason}: its switch {v.Spec.Switch} is bound to no PF";
        var nic = await streams.Get(nicId.Value.Value, ct);
        var refused = nic.LastOrDefault(e => e.Data is NicEvent.VfAllocationRejected r && r.Vnic == me)
                      ?? nic.LastOrDefault(e => e.Data is NicEvent.VfRevoked r && r.Vnic == me && r.Queued);
        if (refused is null) return $"{reason} on {nicId}";
        chain.Add(Step(refused));
        var then = Fold(nic, refused.Sequence - 1);
        var holders = then.Pool.Holders().Select(h => $"{h.Vnic} (weight {then.Pool[h.VfIndex].Weight})").ToList();
        var text = $"PF {nicId} had {then.Allocated}/{then.Configured} VFs held" + (holders.Count == 0 ? "" : $" (by {Shorten(holders)})")
                   + (reason == SriovBlocker.VfPoolExhausted ? "" : $" and refused for {reason}");

        // after the refusal: VFs freed and given to other waiters instead
        var mine = v.Spec.IovWeight;
        foreach (var e in nic.Where(e => e.Sequence > refused.Sequence))
        {
            if (e.Data is not NicEvent.VfAllocated { Cause: VfAllocationCause.HandedOverOnRelease } a || a.Vnic == me) continue;
            var freed = nic.LastOrDefault(x => x.Sequence < e.Sequence && x.Data is NicEvent.VfReleased or NicEvent.VfRevoked);
            var before = Fold(nic, e.Sequence - 1);
            var why = !before.IsWaiting(me) ? $"{me} was not waiting for a VF then"
                : before.Policy == ScarceVfPolicy.FirstComeFirstServed ? $"which had waited longer ({before.Policy})"
                : a.IovWeight > mine ? $"which had a higher IovWeight ({a.IovWeight} > {mine})"
                : a.IovWeight == mine ? $"which had the same IovWeight ({mine}) and had waited longer"
                : $"which came first in the queue";
            if (freed is not null) chain.Add(Step(freed));
            chain.Add(Step(e));
            text += $"; a VF was freed at {e.At:u}{(freed is null ? "" : $" ({Describe(freed.Data)})")} and given to {a.Vnic.Vm}, {why}";
        }
        var now = Fold(nic, long.MaxValue);
        if (now.IsWaiting(me))
        {
            var queue = now.Waiting.Select(w => w.Vnic).ToList();
            text += $"; still waiting at {streams.Moment:u} ({queue.IndexOf(me) + 1} of {queue.Count} in line, {now.Allocated}/{now.Configured} held, policy {now.Policy})";
        }
        return text;
    }

    private static async Task<string?> RefusalOf(StreamCache streams, VnicRef me, SwitchId sw, OperationId op, List<CauseStep> chain, CancellationToken ct)
    {
        if (await BoundNic(streams, sw, ct) is not { } nicId) return null;
        var nic = await streams.Get(nicId.Value, ct);
        var refused = nic.LastOrDefault(e => e.Data is NicEvent.VfAllocationRejected r && r.Vnic == me && r.Op == op);
        if (refused is null) return null;
        chain.Add(Step(refused));
        var then = Fold(nic, refused.Sequence - 1);
        var holders = then.Pool.Holders().Select(h => h.Vnic.ToString()).ToList();
        return $"PF {nicId} had {then.Allocated}/{then.Configured} VFs held" + (holders.Count == 0 ? "" : $" (by {Shorten(holders)})");
    }

    private static async Task<NicId?> BoundNic(StreamCache streams, SwitchId sw, CancellationToken ct)
    {
        var events = await streams.Get(sw.Value, ct);
        return events.Count == 0 ? null : Aggregates.Switch.Decider.Fold(events.Select(e => (SwitchEvent)e.Data)).BoundNic;
    }

    private static Nic Fold(IReadOnlyList<HistoryEvent> nicEvents, long throughSequence) =>
        Aggregates.Nic.Decider.Fold(nicEvents.TakeWhile(e => e.Sequence <= throughSequence).Select(e => (NicEvent)e.Data));

    private static bool SetsDatapath(object e, string vnic) => e switch
    {
        VmEvent.VnicDatapathChanged d => d.Name == vnic,
        VmEvent.VmMigrated or VmEvent.VmStopped or VmEvent.VmStartFailed => true,
        VmEvent.VmDefined x => x.Vnics.Any(v => v.Name == vnic),
        VmEvent.VnicAdded x => x.Vnic.Name == vnic,
        _ => false,
    };

    /// <summary>The longest prefix of a stream whose events happened at or before <paramref name="at"/>.</summary>
    private static List<HistoryEvent> Prefix(IEnumerable<HistoryEvent> stream, DateTimeOffset at) => [.. stream.TakeWhile(e => e.At <= at)];

    private static CauseStep Step(HistoryEvent e) => new(e.At, e.Stream, e.Kind, e.Operation, e.Actor, EventText.Describe(e.Data));

    private static string Describe(object e) => EventText.Describe(e);

    private static string By(HistoryEvent e) => e.Actor is null ? "" : $" by {e.Actor}";

    private static string Shorten(List<string> items) => items.Count <= 8 ? string.Join(", ", items) : $"{string.Join(", ", items.Take(3))} … {string.Join(", ", items.TakeLast(2))}";

    /// <summary>Streams read once per investigation, each cut at the moment.</summary>
    private sealed class StreamCache(IQuerySession session, DateTimeOffset moment)
    {
        private readonly Dictionary<string, IReadOnlyList<HistoryEvent>> _streams = new(StringComparer.Ordinal);

        public DateTimeOffset Moment => moment;

        public async Task<IReadOnlyList<HistoryEvent>> Get(string stream, CancellationToken ct)
        {
            if (!_streams.TryGetValue(stream, out var events))
                _streams[stream] = events = Prefix(await HistoryReader.StreamAsync(session, stream, ct), moment);
            return events;
        }
    }
}
