using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Projections.ReadModels;

namespace Twin.Projections.History;

/// <summary>How history is indexed for time travel.</summary>
public sealed record HistoryOptions
{
    /// <summary>Events per window: the log is cut into windows of this many sequence numbers, and at the end of each
    /// window the datacenter projection stores a checkpoint of every stream (and pool demand) the window changed. State
    /// at any moment then needs the checkpoints plus at most about two windows of raw events.</summary>
    public int WindowSize { get; init; } = 20_000;

    /// <summary>Every this many windows, the checkpoints image every stream and pool, changed or not, so loading a
    /// moment reads the checkpoints of at most this many windows however long the history.</summary>
    public int FullCheckpointEvery { get; init; } = 8;

    public static readonly HistoryOptions Default = new();
}

/// <summary>One closed window of the event log (document id = window number): the sequence numbers it covers
/// (<see cref="FromSequence"/> exclusive, <see cref="ToSequence"/> inclusive) and the range of domain times of its
/// events, which tells time travel which windows can hold events at or before a moment. <see cref="Full"/>: its
/// checkpoints image every stream and pool, not only those it changed.</summary>
public sealed record HistoryWindow(
    long Id,
    long FromSequence,
    long ToSequence,
    long LastSequence,
    int Events,
    int Streams,
    DateTimeOffset MinAt,
    DateTimeOffset MaxAt,
    bool Full = false);

/// <summary>A stream's folded state at the end of a window (or a pool's demand counters, <see cref="Kind"/> =
/// "demand"): exactly one of the snapshot fields is set. <see cref="Key"/> = kind/stream.</summary>
public sealed record HistoryCheckpoint(
    string Id,
    long WindowNumber,
    string Key,
    string Kind,
    string Stream,
    long Version,
    DateTimeOffset FirstAt,
    DateTimeOffset LastAt,
    HostSnapshot? Host = null,
    ChipsetSnapshot? Chipset = null,
    NicSnapshot? Nic = null,
    SwitchSnapshot? Switch = null,
    VmSnapshot? Vm = null,
    VfPoolDemand? Demand = null)
{
    public const string DemandKind = "demand";

    public static string KeyOf(string kind, string stream) => $"{kind}/{stream}";

    public static string IdOf(long window, string key) => $"{window:D12}/{key}";

    /// <summary>The checkpoint of a stream's state.</summary>
    public static HistoryCheckpoint Of(long window, DatacenterState.StreamState s, string stream)
    {
        var key = KeyOf(s.Kind.Name, stream);
        var c = new HistoryCheckpoint(IdOf(window, key), window, key, s.Kind.Name, stream, s.Version, s.FirstAt, s.LastAt);
        return s.Snapshot() switch
        {
            HostSnapshot x => c with { Host = x },
            ChipsetSnapshot x => c with { Chipset = x },
            NicSnapshot x => c with { Nic = x },
            SwitchSnapshot x => c with { Switch = x },
            VmSnapshot x => c with { Vm = x },
            var other => throw new InvalidOperationException($"unexpected snapshot {other.GetType().Name}"),
        };
    }

    /// <summary>The checkpoint of a pool's demand counters.</summary>
    public static HistoryCheckpoint Of(long window, VfPoolDemand demand)
    {
        var key = KeyOf(DemandKind, demand.Id);
        return new HistoryCheckpoint(IdOf(window, key), window, key, DemandKind, demand.Id, 0, default, default, Demand: demand);
    }

    /// <summary>Puts what this checkpoint images back into <paramref name="state"/>.</summary>
    public void RestoreInto(DatacenterState state)
    {
        if (Demand is { } d)
        {
            state.Restore(d);
            return;
        }
        ISnapshot snapshot = (ISnapshot?)Host ?? (ISnapshot?)Chipset ?? (ISnapshot?)Nic ?? (ISnapshot?)Switch ?? Vm
            ?? throw new InvalidOperationException($"checkpoint {Id} holds no snapshot");
        state.Restore(snapshot, FirstAt, LastAt);
    }
}
