using Marten;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Projections.History;

/// <summary>
/// The datacenter at any past moment. The time axis is the events' domain time <c>At</c> (when it happened in the
/// world — what an import or a simulation records — not when Marten stored it); a moment T includes the events at T.
/// Every aggregate is folded with its own decider's Evolve from the history checkpoints and the raw events after them.
/// </summary>
public static class TimeTravel
{
    /// <summary>The datacenter at <paramref name="at"/>; <see cref="NothingExistedException"/> when nothing existed yet.</summary>
    public static async Task<DatacenterState> StateAtAsync(IQuerySession session, DateTimeOffset at, CancellationToken ct = default)
    {
        var state = await HistoryReader.StateAsync(session, until: at, ct: ct);
        if (!state.IsEmpty) return state;
        var (first, _) = await HistoryReader.BoundsAsync(session, ct);
        throw new NothingExistedException(at, first?.At);
    }
}

/// <summary>What to list in a timeline: a time range (inclusive, open ends allowed), one entity or the whole
/// datacenter, and event kinds — event type names (<c>VfAllocated</c>) or entity kinds (<c>nic</c>), case-insensitive.</summary>
public sealed record TimelineQuery(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Entity = null,
    IReadOnlyList<string>? Kinds = null,
    int Limit = 1000);

/// <summary>One event in a timeline: when, where in the log, which entity, what, under which operation, by whom.</summary>
public sealed record TimelineEntry(
    DateTimeOffset At,
    long Sequence,
    string Entity,
    string EntityKind,
    long Version,
    string Kind,
    string Operation,
    string? Causation,
    string? Actor,
    string Summary)
{
    public static TimelineEntry Of(HistoryEvent e) =>
        new(e.At, e.Sequence, e.Stream, e.EntityKind, e.Version, e.Kind, e.Operation, e.Causation, e.Actor, EventText.Describe(e.Data));
}

/// <summary>The events of a timeline, oldest first; <see cref="Truncated"/> when more matched than the limit.</summary>
public sealed record Timeline(DateTimeOffset? From, DateTimeOffset? To, string? Entity, IReadOnlyList<TimelineEntry> Entries, bool Truncated);

/// <summary>Reads timelines from the event log.</summary>
public static class Timelines
{
    /// <summary>The events matching <paramref name="query"/>. An entity's timeline has its own stream and what others
    /// recorded about it: a host's chipset; for a VM, what its PFs did to its vNICs (VFs given, refused, taken).</summary>
    public static async Task<Timeline> ReadAsync(IQuerySession session, TimelineQuery query, CancellationToken ct = default)
    {
        var kinds = query.Kinds is { Count: > 0 } k ? new HashSet<string>(k, StringComparer.OrdinalIgnoreCase) : null;
        bool Matches(HistoryEvent e) =>
            (query.From is null || e.At >= query.From) && (query.To is null || e.At <= query.To)
            && (kinds is null || kinds.Contains(e.Kind) || kinds.Contains(e.EntityKind));

        var entries = new List<TimelineEntry>();
        var truncated = false;
        if (query.Entity is { } entity)
        {
            var events = (await EntityEventsAsync(session, entity, ct)).Where(Matches).OrderBy(e => e.Sequence).ToList();
            truncated = events.Count > query.Limit;
            entries.AddRange(events.Take(query.Limit).Select(TimelineEntry.Of));
        }
        else
        {
            foreach (var (from, to) in await RangesAsync(session, query.From, query.To, ct))
            {
                await foreach (var e in HistoryReader.ReadAsync(session, from, to, ct))
                {
                    if (!Matches(e)) continue;
                    if (entries.Count == query.Limit)
                    {
                        truncated = true;
                        break;
                    }
                    entries.Add(TimelineEntry.Of(e));
                }
                if (truncated) break;
            }
        }
        return new Timeline(query.From, query.To, query.Entity, entries, truncated);
    }

    /// <summary>An entity's own events and those other streams recorded about it (empty when the twin never heard of it).</summary>
    public static async Task<IReadOnlyList<HistoryEvent>> EntityEventsAsync(IQuerySession session, string entity, CancellationToken ct = default)
    {
        var own = await HistoryReader.StreamAsync(session, entity, ct);
        if (own.Count == 0) return own;
        var all = new List<HistoryEvent>(own);
        switch (own[0].Data)
        {
            case Twin.Events.Hosts.HostEvent:
                all.AddRange(await HistoryReader.StreamAsync(session, ChipsetId.Of(new HostId(entity)).Value, ct));
                break;
            case VmEvent:
                var vm = new VmId(entity);
                foreach (var nic in await RelatedNicsAsync(session, own, ct))
                    all.AddRange((await HistoryReader.StreamAsync(session, nic, ct)).Where(e => Concerns(e.Data, vm)));
                break;
        }
        return all;
    }

    /// <summary>The PFs a VM's vNICs held VFs on, were refused by, or reach through their switches.</summary>
    private static async Task<IReadOnlyCollection<string>> RelatedNicsAsync(IQuerySession session, IReadOnlyList<HistoryEvent> vmEvents, CancellationToken ct)
    {
        var nics = new HashSet<string>(StringComparer.Ordinal);
        var switches = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in vmEvents)
        {
            switch (e.Data)
            {
                case VmEvent.VmDefined x: switches.UnionWith(x.Vnics.Select(v => v.Switch.Value)); break;
                case VmEvent.VnicAdded x: switches.Add(x.Vnic.Switch.Value); break;
                case VmEvent.VnicDatapathChanged x:
                    if (x.From.Nic is { } f) nics.Add(f.Value);
                    if (x.To.Nic is { } t) nics.Add(t.Value);
                    break;
                case VmEvent.DestinationVfClaimed { Datapath.Nic: { } d }: nics.Add(d.Value); break;
                case VmEvent.VmMigrationStarted x: nics.UnionWith(x.SourceVfs.Select(h => h.Nic.Value)); break;
                case VmEvent.VmMigrated x:
                    // the same switches on the destination (switch ids are "host/name" by convention)
                    foreach (var s in switches.ToList())
                        if (s.StartsWith(x.From.Value + "/", StringComparison.Ordinal)) switches.Add(x.To.Value + s[x.From.Value.Length..]);
                    break;
            }
        }
        foreach (var sw in await session.LoadManyAsync<SwitchSnapshot>(ct, switches))
            if (sw.BoundNic is { } bound) nics.Add(bound.Value);
        return nics;
    }

    private static bool Concerns(object e, VmId vm) => e switch
    {
        NicEvent.VfAllocated x => x.Vnic.Vm == vm,
        NicEvent.VfAllocationRejected x => x.Vnic.Vm == vm,
        NicEvent.VfReleased x => x.Vnic.Vm == vm,
        NicEvent.VfRevoked x => x.Vnic.Vm == vm,
        NicEvent.VfRequestWithdrawn x => x.Vnic.Vm == vm,
        NicEvent.VfConfigurationRejected x => x.Holders.Any(h => h.Vm == vm),
        _ => false,
    };

    /// <summary>The log ranges that can hold events between <paramref name="from"/> and <paramref name="to"/>: the
    /// windows whose domain times overlap the range, and the open tail.</summary>
    public static async Task<IReadOnlyList<(long From, long To)>> RangesAsync(IQuerySession session, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var ranges = new List<(long From, long To)>();
        long position = 0;
        foreach (var w in await HistoryReader.WindowsAsync(session, ct))
        {
            if ((from is null || w.MaxAt >= from) && (to is null || w.MinAt <= to))
            {
                if (ranges.Count > 0 && ranges[^1].To == w.FromSequence) ranges[^1] = (ranges[^1].From, w.ToSequence);
                else ranges.Add((w.FromSequence, w.ToSequence));
            }
            position = w.ToSequence;
        }
        if (ranges.Count > 0 && ranges[^1].To == position) ranges[^1] = (ranges[^1].From, long.MaxValue);
        else ranges.Add((position, long.MaxValue));
        return ranges;
    }
}
