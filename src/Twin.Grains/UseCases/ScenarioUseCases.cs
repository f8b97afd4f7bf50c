using System.Text.RegularExpressions;
using Marten;
using Marten.Events;
using MediatR;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Planning;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Grains.Contracts;
using Twin.Projections.History;

namespace Twin.Grains.UseCases;

/// <summary>A saved what-if scenario: its text as written (YAML or JSON), the folder its relative paths (trace, topology)
/// are resolved from, its revision (each save adds one), who saved it and when, its last run and the variant it
/// committed, if any.</summary>
public sealed record SavedScenario(
    string Id, string Text, string? SourceDirectory, string? Description, int Revision, DateTimeOffset SavedAt, string SavedBy,
    ScenarioRunRecord? LastRun, string? CommittedVariant);

/// <summary>One run of a saved scenario: the revision it ran, when, by whom, how long it took (wall seconds), the
/// report (JSON) and its verdicts in words.</summary>
public sealed record ScenarioRunRecord(int Revision, DateTimeOffset RanAt, string RanBy, double Seconds, string ReportJson, IReadOnlyList<string> Verdicts);

/// <summary>A saved scenario in a list.</summary>
public sealed record ScenarioListing(string Name, string? Description, int Revision, DateTimeOffset SavedAt, string SavedBy,
    DateTimeOffset? LastRunAt, bool LastRunIsCurrent, string? CommittedVariant, int ReservedVfs);

/// <summary>VFs reserved on one PF.</summary>
public sealed record ReservedVfs(string Nic, string Host, int Vfs);

/// <summary>The capacity a committed scenario holds (one document per scenario, its name as id): what later what-ifs
/// and <c>twin pools</c> see as taken.</summary>
public sealed record CapacityReservationRecord(string Id, string Variant, int Revision, IReadOnlyList<ReservedVfs> Pfs, DateTimeOffset CommittedAt,
    string CommittedBy, string Operation);

/// <summary>Saves (or replaces) a scenario by name. The caller has checked the text is a valid scenario; a new text
/// makes the last run stale (it stays, marked by its revision).</summary>
public sealed record SaveScenario(string Name, string Text, string? SourceDirectory, string? Description)
    : TwinRequest, IRequest<ScenarioListing>, IValidatable
{
    /// <summary>Largest scenario text accepted, in characters.</summary>
    public const int MaxTextLength = 1_000_000;

    public IEnumerable<string> Validate()
    {
        foreach (var p in ScenarioNames.Problems(Name)) yield return p;
        if (string.IsNullOrWhiteSpace(Text)) yield return "the scenario text is empty";
        else if (Text.Length > MaxTextLength) yield return $"the scenario text is {Text.Length} characters; at most {MaxTextLength}";
    }
}

internal static partial class ScenarioNames
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex Pattern();

    public static IEnumerable<string> Problems(string? name)
    {
        if (name is null || !Pattern().IsMatch(name))
            yield return $"'{name}' is not a scenario name: 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit";
    }
}

internal sealed class SaveScenarioHandler(IDocumentStore store, TimeProvider clock) : IRequestHandler<SaveScenario, ScenarioListing>
{
    public async Task<ScenarioListing> Handle(SaveScenario r, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var old = await session.LoadAsync<SavedScenario>(r.Name, ct);
        if (old is not null && old.Text == r.Text && old.SourceDirectory == r.SourceDirectory)
            return await Listings.Of(session, old, ct);
        var saved = new SavedScenario(r.Name, r.Text, r.SourceDirectory, r.Description, (old?.Revision ?? 0) + 1, clock.GetUtcNow(), r.Actor, old?.LastRun, old?.CommittedVariant);
        session.Store(saved);
        await session.SaveChangesAsync(ct);
        return await Listings.Of(session, saved, ct);
    }
}

/// <summary>Every saved scenario, by name.</summary>
public sealed record ListScenarios : IRequest<IReadOnlyList<ScenarioListing>>;

internal sealed class ListScenariosHandler(IQuerySession session) : IRequestHandler<ListScenarios, IReadOnlyList<ScenarioListing>>
{
    public async Task<IReadOnlyList<ScenarioListing>> Handle(ListScenarios q, CancellationToken ct)
    {
        var all = await session.Query<SavedScenario>().OrderBy(s => s.Id).ToListAsync(ct);
        var reservations = (await session.Query<CapacityReservationRecord>().ToListAsync(ct)).ToDictionary(r => r.Id);
        return [.. all.Select(s => Listings.Of(s, reservations.GetValueOrDefault(s.Id)))];
    }
}

internal static class Listings
{
    public static async Task<ScenarioListing> Of(IQuerySession session, SavedScenario s, CancellationToken ct) =>
        Of(s, await session.LoadAsync<CapacityReservationRecord>(s.Id, ct));

    public static ScenarioListing Of(SavedScenario s, CapacityReservationRecord? reservation) =>
        new(s.Id, s.Description, s.Revision, s.SavedAt, s.SavedBy, s.LastRun?.RanAt, s.LastRun?.Revision == s.Revision, s.CommittedVariant,
            reservation?.Pfs.Sum(p => p.Vfs) ?? 0);
}

/// <summary>One saved scenario with its text and last run.</summary>
public sealed record GetScenario(string Name) : IRequest<SavedScenario>;

internal sealed class GetScenarioHandler(IQuerySession session) : IRequestHandler<GetScenario, SavedScenario>
{
    public async Task<SavedScenario> Handle(GetScenario q, CancellationToken ct) =>
        await session.LoadAsync<SavedScenario>(q.Name, ct) ?? throw new EntityNotFoundException("scenario", q.Name);
}

/// <summary>Keeps a run's report with the scenario (the revision it ran).</summary>
public sealed record RecordScenarioRun(string Name, int Revision, double Seconds, string ReportJson, IReadOnlyList<string> Verdicts)
    : TwinRequest, IRequest<SavedScenario>;

internal sealed class RecordScenarioRunHandler(IDocumentStore store, TimeProvider clock) : IRequestHandler<RecordScenarioRun, SavedScenario>
{
    public async Task<SavedScenario> Handle(RecordScenarioRun r, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var s = await session.LoadAsync<SavedScenario>(r.Name, ct) ?? throw new EntityNotFoundException("scenario", r.Name);
        var updated = s with { LastRun = new ScenarioRunRecord(r.Revision, clock.GetUtcNow(), r.Actor, r.Seconds, r.ReportJson, r.Verdicts) };
        session.Store(updated);
        await session.SaveChangesAsync(ct);
        return updated;
    }
}

/// <summary>Commits a variant of a saved scenario: its capacity is reserved (replacing what the scenario reserved
/// before), so later what-ifs and the pools query see those VFs as taken.</summary>
public sealed record CommitScenario(string Name, string Variant, int Revision, IReadOnlyList<ReservedVfs> Pfs)
    : TwinRequest, IRequest<CapacityReservationRecord>, IValidatable
{
    public IEnumerable<string> Validate()
    {
        foreach (var p in ScenarioNames.Problems(Name)) yield return p;
        foreach (var p in Pfs.Where(p => p.Vfs <= 0)) yield return $"PF {p.Nic}: a reservation is a positive number of VFs, not {p.Vfs}";
    }
}

internal sealed class CommitScenarioHandler(IDocumentStore store, TimeProvider clock) : IRequestHandler<CommitScenario, CapacityReservationRecord>
{
    public async Task<CapacityReservationRecord> Handle(CommitScenario r, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var s = await session.LoadAsync<SavedScenario>(r.Name, ct) ?? throw new EntityNotFoundException("scenario", r.Name);
        var context = r.Context();
        var reservation = new CapacityReservationRecord(r.Name, r.Variant, r.Revision, r.Pfs, clock.GetUtcNow(), r.Actor, context.Operation.Value);
        // the commit is an event in the scenario's reservation stream, in the same transaction as the documents
        Record(session, context);
        session.Events.Append(CapacityEvent.StreamKey(r.Name), new CapacityEvent.CapacityReserved(r.Name, r.Variant, r.Revision,
            r.Pfs.Select(p => new ReservedPf(p.Nic, p.Host, p.Vfs)).ToValueList(), reservation.CommittedAt, context.Operation));
        session.Store(reservation);
        session.Store(s with { CommittedVariant = r.Variant });
        await session.SaveChangesAsync(ct);
        return reservation;
    }

    /// <summary>The operation id, causation and actor as the event metadata, as the grains record them.</summary>
    internal static void Record(IDocumentSession session, CommandContext context)
    {
        session.CorrelationId = context.Operation.Value;
        session.CausationId = context.Causation.IsNone ? null : context.Causation.Value;
        session.LastModifiedBy = context.Actor;
    }
}

/// <summary>Releases what a committed scenario reserved.</summary>
public sealed record ReleaseScenario(string Name) : TwinRequest, IRequest<OperationResult>;

internal sealed class ReleaseScenarioHandler(IDocumentStore store, TimeProvider clock) : IRequestHandler<ReleaseScenario, OperationResult>
{
    public async Task<OperationResult> Handle(ReleaseScenario r, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var s = await session.LoadAsync<SavedScenario>(r.Name, ct) ?? throw new EntityNotFoundException("scenario", r.Name);
        var reservation = await session.LoadAsync<CapacityReservationRecord>(r.Name, ct);
        var op = r.Context().Operation.Value;
        if (reservation is null) return new OperationResult(true, $"scenario {r.Name} reserves nothing", op);
        var context = r.Context();
        CommitScenarioHandler.Record(session, context);
        session.Events.Append(CapacityEvent.StreamKey(r.Name), new CapacityEvent.CapacityReleased(r.Name, reservation.Variant, reservation.Pfs.Sum(p => p.Vfs),
            clock.GetUtcNow(), context.Operation));
        session.Delete<CapacityReservationRecord>(r.Name);
        session.Store(s with { CommittedVariant = null });
        await session.SaveChangesAsync(ct);
        return new OperationResult(true, $"released {reservation.Pfs.Sum(p => p.Vfs)} VF(s) on {reservation.Pfs.Count} PF(s) reserved by {r.Name} ({reservation.Variant})", op);
    }
}

/// <summary>Every committed scenario's reservation, by scenario name.</summary>
public sealed record GetReservations : IRequest<IReadOnlyList<CapacityReservationRecord>>;

internal sealed class GetReservationsHandler(IQuerySession session) : IRequestHandler<GetReservations, IReadOnlyList<CapacityReservationRecord>>
{
    public async Task<IReadOnlyList<CapacityReservationRecord>> Handle(GetReservations q, CancellationToken ct) =>
        await session.Query<CapacityReservationRecord>().OrderBy(r => r.Id).ToListAsync(ct);
}

/// <summary>The reservations held at a past moment: the scenarios' commit and release events folded up to
/// <see cref="At"/> (a reservation released since still counts then).</summary>
public sealed record GetReservationsAt(DateTimeOffset At) : IRequest<IReadOnlyList<CapacityReservationRecord>>;

internal sealed class GetReservationsAtHandler(IQuerySession session) : IRequestHandler<GetReservationsAt, IReadOnlyList<CapacityReservationRecord>>
{
    public async Task<IReadOnlyList<CapacityReservationRecord>> Handle(GetReservationsAt q, CancellationToken ct)
    {
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypesAre(typeof(CapacityEvent.CapacityReserved), typeof(CapacityEvent.CapacityReleased)))
            .OrderBy(e => e.Sequence).ToListAsync(ct);
        var held = new SortedDictionary<string, CapacityReservationRecord>(StringComparer.Ordinal);
        foreach (var e in events)
            switch (e.Data)
            {
                case CapacityEvent.CapacityReserved r when r.At <= q.At:
                    held[r.Scenario] = new CapacityReservationRecord(r.Scenario, r.Variant, r.Revision, [.. r.Pfs.Select(p => new ReservedVfs(p.Nic, p.Host, p.Vfs))],
                        r.At, string.IsNullOrEmpty(e.UserName) ? "twin" : e.UserName, r.Op.Value);
                    break;
                case CapacityEvent.CapacityReleased r when r.At <= q.At:
                    held.Remove(r.Scenario);
                    break;
            }
        return [.. held.Values];
    }
}

/// <summary>The live twin as a <see cref="Topology"/> (what a what-if starts from), now or — with time travel — at
/// <see cref="At"/>.</summary>
public sealed record GetTwinTopology(DateTimeOffset? At = null) : IRequest<Topology>;

internal sealed class GetTwinTopologyHandler(IQuerySession session) : IRequestHandler<GetTwinTopology, Topology>
{
    public async Task<Topology> Handle(GetTwinTopology q, CancellationToken ct)
    {
        if (q.At is { } at)
        {
            // the twin as it was then: every aggregate folded up to the moment (time travel)
            var state = await TimeTravel.StateAtAsync(session, at, ct);
            if (state.IsEmpty) throw new NothingExistedException(at, (await HistoryReader.BoundsAsync(session, ct)).First?.At);
            return TopologyFromState.Build(state.Snapshots<HostSnapshot>().ToList(), state.Snapshots<ChipsetSnapshot>().ToList(),
                state.Snapshots<NicSnapshot>().ToList(), state.Snapshots<SwitchSnapshot>().ToList(),
                state.Snapshots<VmSnapshot>().Where(v => v.Status != VmStatus.Deleted).ToList());
        }
        return TopologyFromState.Build(
            await session.Query<HostSnapshot>().ToListAsync(ct), await session.Query<ChipsetSnapshot>().ToListAsync(ct),
            await session.Query<NicSnapshot>().ToListAsync(ct), await session.Query<SwitchSnapshot>().ToListAsync(ct),
            await session.Query<VmSnapshot>().ToListAsync(ct));
    }
}
