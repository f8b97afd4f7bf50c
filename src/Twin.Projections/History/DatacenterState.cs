using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Projections.ReadModels;

namespace Twin.Projections.History;

/// <summary>
/// The whole datacenter folded from the event log, in log order, with the domain's own deciders (every stream's
/// aggregate with <see cref="AggregateKinds"/>), plus the cross-stream demand counters of every VF pool. What time
/// travel, the async read models, diffs and investigations are computed from.
/// <para>
/// Time cut: <see cref="Apply"/> with <c>until</c> keeps, for each stream, the longest prefix of its events whose
/// domain time <c>At</c> is ≤ until: the first event after the cut closes the stream, so a later event with an earlier
/// At (a clock skew between writers) is never folded out of order. Versions must follow each other; a gap closes the
/// stream too (an earlier event was left out).
/// </para>
/// </summary>
public sealed class DatacenterState : SriovReadiness.IEntities
{
    private readonly Dictionary<string, StreamState> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VfPoolDemand> _demand = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _openAtomic = new(StringComparer.Ordinal);
    private readonly HashSet<string> _touchedDemand = new(StringComparer.Ordinal);

    /// <summary>One stream's folded aggregate and where it stands.</summary>
    public sealed class StreamState(IAggregateKind kind, object state)
    {
        public IAggregateKind Kind { get; } = kind;
        public object State { get; internal set; } = state;
        public long Version { get; internal set; }
        public DateTimeOffset FirstAt { get; internal set; }
        public DateTimeOffset LastAt { get; internal set; }

        /// <summary>The stream's later events are not part of this state (time cut or gap).</summary>
        public bool Closed { get; internal set; }

        public ISnapshot Snapshot() => Kind.ToSnapshot(State, Version);
    }

    /// <summary>The last log position applied or passed over.</summary>
    public long Sequence { get; private set; }

    /// <summary>Events folded so far.</summary>
    public long EventsApplied { get; private set; }

    /// <summary>Domain time of the latest event folded (null when none).</summary>
    public DateTimeOffset? LastAt { get; private set; }

    /// <summary>Every stream with at least one event folded.</summary>
    public IEnumerable<KeyValuePair<string, StreamState>> Streams => _streams.Where(kv => kv.Value.Version > 0);

    /// <summary>Whether anything existed.</summary>
    public bool IsEmpty => !_streams.Values.Any(s => s.Version > 0);

    /// <summary>The stream's state, if it has events folded.</summary>
    public StreamState? Stream(string id) => _streams.TryGetValue(id, out var s) && s.Version > 0 ? s : null;

    /// <summary>Folds one event (events must come in log order). Returns whether it was applied.</summary>
    public bool Apply(HistoryEvent e, DateTimeOffset? until = null)
    {
        if (e.Sequence > Sequence) Sequence = e.Sequence;
        var kind = AggregateKinds.Of(e.Data);
        if (kind is null) return false;
        if (!_streams.TryGetValue(e.Stream, out var s))
        {
            s = new StreamState(kind, kind.Initial());
            _streams[e.Stream] = s;
        }
        if (s.Closed || e.Version <= s.Version) return false;
        if (e.Version != s.Version + 1 || until is { } cut && e.At > cut || s.Kind != kind)
        {
            s.Closed = true;
            return false;
        }
        s.State = kind.Evolve(s.State, e.Data);
        if (s.Version == 0) s.FirstAt = e.At;
        s.Version = e.Version;
        if (e.At > s.LastAt) s.LastAt = e.At;
        if (LastAt is null || e.At > LastAt) LastAt = e.At;
        EventsApplied++;
        switch (e.Data)
        {
            case NicEvent n: CountDemand(e.Stream, n, (Nic)s.State); break;
            case VmEvent v: ResolveOpenRefusals(v); break;
        }
        return true;
    }

    /// <summary>Puts a stream back as a checkpoint imaged it.</summary>
    public void Restore(ISnapshot snapshot, DateTimeOffset firstAt, DateTimeOffset lastAt)
    {
        var kind = AggregateKinds.Of(snapshot);
        _streams[snapshot.Id] = new StreamState(kind, kind.FromSnapshot(snapshot)) { Version = snapshot.Version, FirstAt = firstAt, LastAt = lastAt };
        if (LastAt is null || lastAt > LastAt) LastAt = lastAt;
    }

    /// <summary>Puts a pool's demand counters back as a checkpoint imaged them.</summary>
    public void Restore(VfPoolDemand demand)
    {
        _demand[demand.Id] = demand;
        foreach (var key in demand.OpenAtomic) Open(key).Add(demand.Id);
    }

    /// <summary>Marks the log position reached (after a checkpoint was restored).</summary>
    public void AdvanceTo(long sequence)
    {
        if (sequence > Sequence) Sequence = sequence;
    }

    /// <summary>The pools whose demand counters changed since the last call (and forgets them).</summary>
    public IReadOnlyList<string> DrainTouchedDemand()
    {
        if (_touchedDemand.Count == 0) return [];
        var touched = _touchedDemand.ToList();
        _touchedDemand.Clear();
        return touched;
    }

    // ---------------- views ----------------

    public IEnumerable<T> Snapshots<T>() where T : ISnapshot =>
        Streams.Select(kv => kv.Value).Where(s => s.Kind == KindOf<T>()).Select(s => (T)s.Snapshot());

    public T? Snapshot<T>(string id) where T : class, ISnapshot =>
        Stream(id) is { } s && s.Kind == KindOf<T>() ? (T)s.Snapshot() : null;

    /// <summary>The demand counters of a pool (empty when nothing was ever refused or handed out).</summary>
    public VfPoolDemand Demand(string nic) => _demand.TryGetValue(nic, out var d) ? d : VfPoolDemand.Empty(nic);

    /// <summary>Every pool's demand counters.</summary>
    public IEnumerable<VfPoolDemand> Demands => _demand.Values;

    /// <summary>The pool usage read model of one PF.</summary>
    public VfPoolUsage? PoolUsage(string nic) => Snapshot<NicSnapshot>(nic) is { Status: not NicStatus.Absent } s ? VfPoolUsage.Of(s, Demand(nic)) : null;

    /// <summary>The SR-IOV readiness of one VM (null when no vNIC wants SR-IOV).</summary>
    public VmSriovReadiness? Readiness(string vm) => Readiness(vm, this);

    /// <summary>The SR-IOV readiness of one VM, looking the entities it depends on up in <paramref name="entities"/>
    /// (e.g. <see cref="SnapshotCache"/> when many VMs are computed at once).</summary>
    public VmSriovReadiness? Readiness(string vm, SriovReadiness.IEntities entities) =>
        Snapshot<VmSnapshot>(vm) is { } s ? SriovReadiness.Of(s, entities) : null;

    /// <summary>Snapshots of this state taken once each (a state must not change while a cache is used).</summary>
    public sealed class SnapshotCache(DatacenterState state) : SriovReadiness.IEntities
    {
        private readonly Dictionary<string, ISnapshot?> _snapshots = new(StringComparer.Ordinal);

        private T? Get<T>(string id) where T : class, ISnapshot
        {
            if (!_snapshots.TryGetValue(id, out var s)) _snapshots[id] = s = state.Snapshot<T>(id);
            return s as T;
        }

        public HostSnapshot? Host(HostId id) => Get<HostSnapshot>(id.Value);
        public ChipsetSnapshot? Chipset(ChipsetId id) => Get<ChipsetSnapshot>(id.Value);
        public SwitchSnapshot? Switch(SwitchId id) => Get<SwitchSnapshot>(id.Value);
        public NicSnapshot? Nic(NicId id) => Get<NicSnapshot>(id.Value);
    }

    HostSnapshot? SriovReadiness.IEntities.Host(HostId id) => Snapshot<HostSnapshot>(id.Value);
    ChipsetSnapshot? SriovReadiness.IEntities.Chipset(ChipsetId id) => Snapshot<ChipsetSnapshot>(id.Value);
    SwitchSnapshot? SriovReadiness.IEntities.Switch(SwitchId id) => Snapshot<SwitchSnapshot>(id.Value);
    NicSnapshot? SriovReadiness.IEntities.Nic(NicId id) => Snapshot<NicSnapshot>(id.Value);

    /// <summary>The host a stream's entity lives on (for finding the VMs a change concerns).</summary>
    public HostId? HostOf(string stream) => Stream(stream)?.State switch
    {
        Host h => h.Id,
        Chipset c => c.Host,
        Nic n => n.Host,
        VirtualSwitch w => w.Host,
        Vm v => v.Host,
        _ => null,
    };

    private static IAggregateKind KindOf<T>() => typeof(T) == typeof(HostSnapshot) ? AggregateKinds.Host
        : typeof(T) == typeof(ChipsetSnapshot) ? AggregateKinds.Chipset
        : typeof(T) == typeof(NicSnapshot) ? AggregateKinds.Nic
        : typeof(T) == typeof(SwitchSnapshot) ? AggregateKinds.Switch
        : typeof(T) == typeof(VmSnapshot) ? AggregateKinds.Vm
        : throw new ArgumentException($"not a twin snapshot type: {typeof(T).Name}");

    // ---------------- demand counting ----------------

    private void CountDemand(string nicId, NicEvent e, Nic nic)
    {
        var d = Demand(nicId);
        d = e switch
        {
            NicEvent.VfAllocated x => d with
            {
                Allocations = d.Allocations + 1,
                HandOvers = d.HandOvers + (x.Cause == VfAllocationCause.HandedOverOnRelease ? 1 : 0),
                Preemptions = d.Preemptions + (x.Cause == VfAllocationCause.Preempted ? 1 : 0),
            },
            NicEvent.VfAllocationRejected { Queued: true } x => d with
            {
                Rejections = d.Rejections + 1, QueuedRejections = d.QueuedRejections + 1, LastRejectionAt = x.At,
            },
            NicEvent.VfAllocationRejected x => RememberAtomic(d with
            {
                Rejections = d.Rejections + 1, AtomicRejections = d.AtomicRejections + 1, LastRejectionAt = x.At,
            }, VfPoolDemand.OpenKey(x.Op, x.Vnic.Vm)),
            NicEvent.VfRevoked => d with { Revocations = d.Revocations + 1 },
            _ => d,
        };
        if (nic.Waiting.Count > d.PeakWaiting) d = d with { PeakWaiting = nic.Waiting.Count };
        _demand[nicId] = d;
        _touchedDemand.Add(nicId);
    }

    private VfPoolDemand RememberAtomic(VfPoolDemand d, string key)
    {
        if (d.OpenAtomic.Contains(key)) return d;
        var open = d.OpenAtomic.Append(key).ToList();
        while (open.Count > VfPoolDemand.OpenLimit)
        {
            Forget(open[0], d.Id);
            open.RemoveAt(0);
        }
        Open(key).Add(d.Id);
        return d with { OpenAtomic = open.ToValueList() };
    }

    /// <summary>A VM event of the operation that was refused ends the wait: a failed start counts as a failed power-on
    /// on every PF that refused it; anything else (the start went on, a hot-plug recorded its datapath) just forgets.</summary>
    private void ResolveOpenRefusals(VmEvent e)
    {
        var op = EventFacts.Operation(e);
        if (op.IsNone || _openAtomic.Count == 0) return;
        var key = VfPoolDemand.OpenKey(op, e.Vm);
        if (!_openAtomic.Remove(key, out var nics)) return;
        foreach (var nic in nics.Distinct())
        {
            var d = Demand(nic);
            d = d with { OpenAtomic = d.OpenAtomic.Where(k => k != key).ToValueList() };
            if (e is VmEvent.VmStartFailed failed) d = d with { FailedPowerOns = d.FailedPowerOns + 1, LastFailedPowerOnAt = failed.At };
            _demand[nic] = d;
            _touchedDemand.Add(nic);
        }
    }

    private List<string> Open(string key)
    {
        if (!_openAtomic.TryGetValue(key, out var nics)) _openAtomic[key] = nics = [];
        return nics;
    }

    private void Forget(string key, string nic)
    {
        if (!_openAtomic.TryGetValue(key, out var nics)) return;
        nics.Remove(nic);
        if (nics.Count == 0) _openAtomic.Remove(key);
    }
}
