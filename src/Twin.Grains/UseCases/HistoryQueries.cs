using Marten;
using MediatR;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Projections.History;
using Twin.Projections.ReadModels;

namespace Twin.Grains.UseCases;

/// <summary>The whole datacenter (or one host's part) as it was at <see cref="At"/> (domain time, inclusive): every
/// aggregate folded with its decider from the history checkpoints and the events after them. A moment before the
/// first event is answered with <see cref="NothingExistedException"/>.</summary>
public sealed record GetInventoryAt(DateTimeOffset At, string? Host = null) : IRequest<InventoryAt>;

/// <summary>The datacenter at a moment, and how far into the log that moment reaches.</summary>
public sealed record InventoryAt(DateTimeOffset At, long EventsFolded, Inventory Inventory);

internal sealed class GetInventoryAtHandler(IQuerySession session) : IRequestHandler<GetInventoryAt, InventoryAt>
{
    public async Task<InventoryAt> Handle(GetInventoryAt q, CancellationToken ct)
    {
        var state = await TimeTravel.StateAtAsync(session, q.At, ct);
        if (q.Host is { } host && state.Snapshot<HostSnapshot>(host) is null) throw await HistoryAnswers.Missing(session, "host", host, q.At, ct);
        bool On(HostId h) => q.Host is null || h.Value == q.Host;
        var inventory = new Inventory(
            [.. state.Snapshots<HostSnapshot>().Where(h => On(new HostId(h.Id))).OrderBy(h => h.Id, StringComparer.Ordinal)],
            [.. state.Snapshots<ChipsetSnapshot>().Where(c => On(c.Host)).OrderBy(c => c.Id, StringComparer.Ordinal)],
            [.. state.Snapshots<NicSnapshot>().Where(n => On(n.Host)).OrderBy(n => n.Id, StringComparer.Ordinal)],
            [.. state.Snapshots<SwitchSnapshot>().Where(s => On(s.Host)).OrderBy(s => s.Id, StringComparer.Ordinal)],
            [.. state.Snapshots<VmSnapshot>().Where(v => v.Status != VmStatus.Deleted && On(v.Host)).OrderBy(v => v.Id, StringComparer.Ordinal)]);
        return new InventoryAt(q.At, state.EventsApplied, inventory);
    }
}

/// <summary>Every VF pool with its four counters, holders, waiters and the unmet demand counted so far: now (the
/// async read model) or at a past moment (time travel). Optionally one host's pools.</summary>
public sealed record GetVfPoolUsage(DateTimeOffset? At = null, string? Host = null) : IRequest<IReadOnlyList<VfPoolUsage>>;

internal sealed class GetVfPoolUsageHandler(IQuerySession session) : IRequestHandler<GetVfPoolUsage, IReadOnlyList<VfPoolUsage>>
{
    public async Task<IReadOnlyList<VfPoolUsage>> Handle(GetVfPoolUsage q, CancellationToken ct)
    {
        IReadOnlyList<VfPoolUsage> pools = q.At is { } at
            ? HistoryReader.Pools(await TimeTravel.StateAtAsync(session, at, ct))
            : [.. (await session.Query<VfPoolUsage>().ToListAsync(ct)).OrderBy(p => p.Id, StringComparer.Ordinal)];
        return q.Host is null ? pools : [.. pools.Where(p => p.Host == q.Host)];
    }
}

/// <summary>The vNICs that want SR-IOV, with every reason each cannot have a VF: now (the async read model) or at a
/// past moment. <see cref="OnlyBlocked"/>: only those that want one, have none and are blocked.</summary>
public sealed record GetSriovReadiness(DateTimeOffset? At = null, string? Host = null, bool OnlyBlocked = true) : IRequest<IReadOnlyList<VnicReadiness>>;

internal sealed class GetSriovReadinessHandler(IQuerySession session) : IRequestHandler<GetSriovReadiness, IReadOnlyList<VnicReadiness>>
{
    public async Task<IReadOnlyList<VnicReadiness>> Handle(GetSriovReadiness q, CancellationToken ct)
    {
        IEnumerable<VmSriovReadiness> vms;
        if (q.At is { } at)
        {
            var state = await TimeTravel.StateAtAsync(session, at, ct);
            vms = state.Snapshots<VmSnapshot>().Select(v => state.Readiness(v.Id)).OfType<VmSriovReadiness>();
        }
        else vms = await session.Query<VmSriovReadiness>().ToListAsync(ct);
        return [.. vms.SelectMany(v => v.Vnics)
            .Where(v => (q.Host is null || v.Host == q.Host) && (!q.OnlyBlocked || v.Blocked))
            .OrderBy(v => v.Vm, StringComparer.Ordinal).ThenBy(v => v.Vnic, StringComparer.Ordinal)];
    }
}

/// <summary>The events between two moments (inclusive, open ends allowed) for one entity (its own stream and what
/// others recorded about it) or the whole datacenter, filtered by event kind (<c>VfAllocated</c>) or entity kind
/// (<c>nic</c>), oldest first, at most <see cref="Limit"/>.</summary>
public sealed record GetTimeline(DateTimeOffset? From = null, DateTimeOffset? To = null, string? Entity = null,
    IReadOnlyList<string>? Kinds = null, int Limit = 1000) : IRequest<Timeline>, IValidatable
{
    public IEnumerable<string> Validate()
    {
        if (From is { } f && To is { } t && t < f) yield return $"the timeline ends ({t:u}) before it starts ({f:u})";
        if (Limit is < 1 or > 100_000) yield return $"the limit must be 1-100000, not {Limit}";
    }
}

internal sealed class GetTimelineHandler(IQuerySession session) : IRequestHandler<GetTimeline, Timeline>
{
    public async Task<Timeline> Handle(GetTimeline q, CancellationToken ct)
    {
        if (q.Entity is { } entity && await session.Events.FetchStreamStateAsync(entity, ct) is null)
            throw new EntityNotFoundException("entity", entity);
        return await Timelines.ReadAsync(session, new TimelineQuery(q.From, q.To, q.Entity, q.Kinds, q.Limit), ct);
    }
}

/// <summary>What changed between two moments: entities added, removed or changed, VFs given, freed and reassigned,
/// datapath changes and pool counters; optionally one host's part. The first moment may be before anything existed
/// (everything is then added); the second may not.</summary>
public sealed record GetDiff(DateTimeOffset From, DateTimeOffset To, string? Host = null) : IRequest<DatacenterDiff>, IValidatable
{
    public IEnumerable<string> Validate()
    {
        if (To < From) yield return $"the second moment ({To:u}) is before the first ({From:u})";
    }
}

internal sealed class GetDiffHandler(IQuerySession session) : IRequestHandler<GetDiff, DatacenterDiff>
{
    public async Task<DatacenterDiff> Handle(GetDiff q, CancellationToken ct)
    {
        var after = await TimeTravel.StateAtAsync(session, q.To, ct);
        var before = await HistoryReader.StateAsync(session, until: q.From, ct: ct);
        if (q.Host is { } host && after.Snapshot<HostSnapshot>(host) is null && before.Snapshot<HostSnapshot>(host) is null)
            throw await HistoryAnswers.Missing(session, "host", host, q.To, ct);
        return DatacenterDiff.Between(before, after, q.From, q.To, q.Host);
    }
}

/// <summary>Clear answers for ids that do not exist at a moment.</summary>
internal static class HistoryAnswers
{
    /// <summary><see cref="NotExistingAtException"/> when the entity exists later, otherwise <see cref="EntityNotFoundException"/>.</summary>
    public static async Task<Exception> Missing(IQuerySession session, string kind, string id, DateTimeOffset at, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, 1, token: ct);
        return events.Count > 0 ? new NotExistingAtException(kind, id, at, HistoryEvent.From(events[0]).At) : new EntityNotFoundException(kind, id);
    }
}
