using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Projections.ReadModels;

namespace Twin.Projections.History;

/// <summary>
/// The datacenter folded by the async daemon, in log order, with the domain's deciders (<see cref="DatacenterState"/>),
/// publishing the cross-stream read models and the history index:
/// <list type="bullet">
/// <item><see cref="VfPoolUsage"/> per PF: the four counters and the unmet demand, which joins NIC and VM streams
/// (a failed power-on is a VM event, the refusal behind it a NIC event);</item>
/// <item><see cref="VmSriovReadiness"/> per VM: the vNICs that want SR-IOV and why they cannot have it, which joins
/// the VM, its host, chipset, switches and PFs;</item>
/// <item><see cref="HistoryWindow"/> and <see cref="HistoryCheckpoint"/>: at the end of every window of the log, the
/// state of each stream the window changed, so time travel folds at most a couple of windows of raw events.</item>
/// </list>
/// Cross-stream views must run on the async daemon (inline multi-stream projections lose updates under concurrent
/// writers), and one custom projection keeps one in-memory fold for all three instead of three. The fold lives in this
/// instance between batches; whenever it cannot be sure it is continuous with the batch it gets (first batch, a retry
/// after an error, a rebuild, another node having processed events in between) it reloads from the last committed
/// window and the raw events after it — deterministic, so a reload gives the same state.
/// </summary>
public sealed class DatacenterProjection(HistoryOptions options) : IProjection
{
    /// <summary>The projection's name (its shard is "twin-datacenter:All").</summary>
    public const string ProjectionName = "twin-datacenter";

    /// <summary>The documents this projection owns (deleted when it is rebuilt).</summary>
    public static readonly Type[] Documents = [typeof(VfPoolUsage), typeof(VmSriovReadiness), typeof(HistoryWindow), typeof(HistoryCheckpoint)];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly long _windowSize = Math.Max(1, options.WindowSize);
    private readonly long _fullEvery = Math.Max(1, options.FullCheckpointEvery);
    private DatacenterState? _state;
    private OpenWindow _window = new(1, 1);
    private readonly Dictionary<string, VfPoolUsage?> _publishedPools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VmSriovReadiness?> _publishedReadiness = new(StringComparer.Ordinal);

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        if (events.Count == 0) return;
        await _gate.WaitAsync(cancellation);
        try
        {
            var first = events[0].Sequence;
            var touched = new Touched();
            if (!await IsContinuousWith(operations, first, cancellation))
                await ReloadAsync(operations, first, touched, cancellation);
            foreach (var raw in events) Fold(operations, HistoryEvent.From(raw), touched);
            if (_state!.Sequence >= _window.End) Close(operations);
            Publish(operations, touched);
        }
        catch
        {
            _state = null; // the batch will be retried: start again from what is committed
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> IsContinuousWith(IDocumentOperations operations, long first, CancellationToken ct)
    {
        if (_state is null || _state.Sequence >= first) return false;
        if (first == _state.Sequence + 1) return true;
        // a hole in the sequence numbers is normal (failed appends); events in it were processed elsewhere
        var last = _state.Sequence;
        await using var session = operations.DocumentStore.QuerySession();
        return await session.Events.QueryAllRawEvents().Where(e => e.Sequence > last && e.Sequence < first).CountAsync(ct) == 0;
    }

    private async Task ReloadAsync(IDocumentOperations operations, long first, Touched touched, CancellationToken ct)
    {
        await using var session = operations.DocumentStore.QuerySession();
        var windows = await HistoryReader.WindowsAsync(session, ct);
        var baseWindow = windows.LastOrDefault(w => w.ToSequence < first);
        _state = new DatacenterState();
        if (baseWindow is not null)
        {
            foreach (var c in await HistoryReader.CheckpointsAsync(session, windows, baseWindow.Id, ct)) c.RestoreInto(_state);
            _state.AdvanceTo(baseWindow.ToSequence);
        }
        _window = new OpenWindow(WindowOf(_state.Sequence + 1), _windowSize);
        _publishedPools.Clear();
        _publishedReadiness.Clear();
        await foreach (var e in HistoryReader.ReadAsync(session, _state.Sequence, first - 1, ct)) Fold(operations, e, touched);
    }

    private void Fold(IDocumentOperations operations, HistoryEvent e, Touched touched)
    {
        var state = _state!;
        while (e.Sequence > _window.End) Close(operations);
        if (!state.Apply(e)) return;
        _window.Add(e);
        touched.Add(e, state);
        foreach (var nic in state.DrainTouchedDemand())
        {
            _window.Dirty.Add(HistoryCheckpoint.KeyOf(HistoryCheckpoint.DemandKind, nic));
            touched.Nics.Add(nic);
        }
    }

    /// <summary>Stores the checkpoints of the open window and moves to the next one.</summary>
    private void Close(IDocumentOperations operations)
    {
        var state = _state!;
        var w = _window;
        if (w.Events > 0)
        {
            var full = w.Number % _fullEvery == 0;
            operations.Store(new HistoryWindow(w.Number, w.End - _windowSize, w.End, w.LastSequence, w.Events, w.Streams.Count, w.MinAt, w.MaxAt, full));
            foreach (var (stream, s) in full ? state.Streams : state.Streams.Where(kv => w.Streams.Contains(kv.Key)))
                operations.Store(HistoryCheckpoint.Of(w.Number, s, stream));
            var demands = full ? state.Demands.Select(d => d.Id) : w.Dirty.Select(key => key[(HistoryCheckpoint.DemandKind.Length + 1)..]);
            foreach (var nic in demands) operations.Store(HistoryCheckpoint.Of(w.Number, state.Demand(nic)));
        }
        _window = new OpenWindow(w.Number + 1, _windowSize);
    }

    private long WindowOf(long sequence) => (sequence - 1) / _windowSize + 1;

    /// <summary>Writes the pool and readiness read models that changed.</summary>
    private void Publish(IDocumentOperations operations, Touched touched)
    {
        var state = _state!;
        foreach (var nic in touched.Nics)
        {
            var usage = state.PoolUsage(nic);
            if (_publishedPools.TryGetValue(nic, out var before) && before == usage) continue;
            if (usage is null) operations.Delete<VfPoolUsage>(nic);
            else operations.Store(usage);
            _publishedPools[nic] = usage;
        }
        var snapshots = new DatacenterState.SnapshotCache(state);
        foreach (var vm in touched.AffectedVms(state))
        {
            var readiness = state.Readiness(vm, snapshots);
            if (_publishedReadiness.TryGetValue(vm, out var before) && before == readiness) continue;
            if (readiness is null) operations.Delete<VmSriovReadiness>(vm);
            else operations.Store(readiness);
            _publishedReadiness[vm] = readiness;
        }
    }

    private sealed class OpenWindow(long number, long size)
    {
        public long Number { get; } = number;
        public long End { get; } = number * size;
        public int Events { get; private set; }
        public long LastSequence { get; private set; }
        public DateTimeOffset MinAt { get; private set; } = DateTimeOffset.MaxValue;
        public DateTimeOffset MaxAt { get; private set; } = DateTimeOffset.MinValue;
        public HashSet<string> Streams { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Dirty { get; } = new(StringComparer.Ordinal);

        public void Add(HistoryEvent e)
        {
            Events++;
            LastSequence = e.Sequence;
            if (e.At < MinAt) MinAt = e.At;
            if (e.At > MaxAt) MaxAt = e.At;
            Streams.Add(e.Stream);
        }
    }

    /// <summary>What a batch changed that the read models depend on.</summary>
    private sealed class Touched
    {
        public HashSet<string> Nics { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Vms { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Switches { get; } = new(StringComparer.Ordinal);
        public HashSet<HostId> Hosts { get; } = [];

        public void Add(HistoryEvent e, DatacenterState state)
        {
            switch (e.Data)
            {
                case VmEvent: Vms.Add(e.Stream); break;
                case NicEvent: Nics.Add(e.Stream); break;
                case SwitchEvent: Switches.Add(e.Stream); break;
                case HostEvent or ChipsetEvent when state.HostOf(e.Stream) is { } h: Hosts.Add(h); break;
            }
        }

        /// <summary>The VMs whose readiness may have changed: touched ones, those on a touched host, and those with a
        /// vNIC on a touched switch or on a switch bound to a touched PF.</summary>
        public IEnumerable<string> AffectedVms(DatacenterState state)
        {
            var affected = new HashSet<string>(Vms, StringComparer.Ordinal);
            if (Hosts.Count == 0 && Switches.Count == 0 && Nics.Count == 0) return affected;
            foreach (var (id, s) in state.Streams)
            {
                if (s.State is not Vm vm || affected.Contains(id)) continue;
                if (Hosts.Contains(vm.Host)) affected.Add(id);
                else if (vm.Vnics.Any(v => v.Spec.WantsVf && (Switches.Contains(v.Spec.Switch.Value)
                             || state.Stream(v.Spec.Switch.Value)?.State is VirtualSwitch { BoundNic: { } n } && Nics.Contains(n.Value))))
                    affected.Add(id);
            }
            return affected;
        }
    }
}
