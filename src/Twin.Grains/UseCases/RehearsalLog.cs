using Marten;
using MediatR;

namespace Twin.Grains.UseCases;

/// <summary>
/// A rehearsal as kept in the twin (a Marten document, its operation id as id): the report, who asked and when, and
/// the last apply of it, if any. Keeping it writes a document only: a rehearsal appends nothing to any event stream.
/// </summary>
public sealed record RehearsalRecord(
    string Id, string Plan, string? Description, string Verdict, bool Go, int Steps, int StepsFailed, DateTimeOffset RehearsedAt, string Actor,
    RehearsalReport Report, RehearsalApplyRecord? Apply);

/// <summary>The last apply of a rehearsal: when, by whom, and what it did.</summary>
public sealed record RehearsalApplyRecord(DateTimeOffset AppliedAt, string Actor, PlanApplyReport Result);

/// <summary>A kept rehearsal in a list: its operation id, plan, verdict, steps (and how many fail), who and when, and the
/// status of its last apply.</summary>
public sealed record RehearsalListing(
    string Operation, string Plan, string? Description, string Verdict, bool Go, int Steps, int StepsFailed, DateTimeOffset RehearsedAt, string Actor,
    string? ApplyStatus, DateTimeOffset? AppliedAt);

/// <summary>The most recent rehearsals, most recent first (at most <see cref="Limit"/>).</summary>
public sealed record ListRehearsals(int Limit = ListRehearsals.DefaultLimit) : IRequest<IReadOnlyList<RehearsalListing>>, IValidatable
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;

    public IEnumerable<string> Validate()
    {
        if (Limit is < 1 or > MaxLimit) yield return $"limit must be 1-{MaxLimit}, not {Limit}";
    }
}

internal sealed class ListRehearsalsHandler(IQuerySession session) : IRequestHandler<ListRehearsals, IReadOnlyList<RehearsalListing>>
{
    public async Task<IReadOnlyList<RehearsalListing>> Handle(ListRehearsals q, CancellationToken ct)
    {
        var recent = await session.Query<RehearsalRecord>().OrderByDescending(r => r.RehearsedAt).Take(q.Limit).ToListAsync(ct);
        return [.. recent.Select(r => new RehearsalListing(r.Id, r.Plan, r.Description, r.Verdict, r.Go, r.Steps, r.StepsFailed, r.RehearsedAt, r.Actor,
            r.Apply?.Result.Status, r.Apply?.AppliedAt))];
    }
}

/// <summary>One kept rehearsal, by its operation id.</summary>
public sealed record GetRehearsal(string Operation) : IRequest<RehearsalRecord>;

internal sealed class GetRehearsalHandler(IQuerySession session) : IRequestHandler<GetRehearsal, RehearsalRecord>
{
    public async Task<RehearsalRecord> Handle(GetRehearsal q, CancellationToken ct) =>
        await session.LoadAsync<RehearsalRecord>(q.Operation, ct) ?? throw new EntityNotFoundException("rehearsal", q.Operation);
}

/// <summary>Keeps rehearsals and applies as documents (never events), so the CLI, the API and in-process callers
/// (<c>twin demo</c>) all leave a record the dashboard can show.</summary>
internal static class RehearsalLog
{
    public static async Task Keep(IDocumentStore store, RehearsalReport report, string actor, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Store(new RehearsalRecord(report.Operation, report.Plan, report.Description, report.Verdict, report.Go, report.Steps.Count,
            report.Steps.Count(s => !s.Succeeded), report.ForkedAt, actor, report, null));
        await session.SaveChangesAsync(ct);
    }

    /// <summary>Notes an apply on the rehearsal it applied (an apply of a rehearsal that was not kept is not noted).</summary>
    public static async Task KeepApply(IDocumentStore store, PlanApplyReport result, string actor, DateTimeOffset at, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<RehearsalRecord>(result.Operation, ct) is not { } rehearsal) return;
        session.Store(rehearsal with { Apply = new RehearsalApplyRecord(at, actor, result) });
        await session.SaveChangesAsync(ct);
    }
}
