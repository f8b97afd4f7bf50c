using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Data;
using Marten;
using Marten.Services;
using MediatR;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Simulation.InMemory;
using Twin.Simulation.Rehearsal;

namespace Twin.Grains.UseCases;

/// <summary>
/// Rehearses a change plan: forks the live twin at its current stream versions (every aggregate's snapshot into an
/// in-memory twin), runs each step with the same deciders and sagas, and simulates the horizon after the change and
/// without it. Nothing is appended: the live streams stay as they are; the report is kept as a document
/// (<see cref="RehearsalRecord"/>). The report's <see cref="RehearsalReport.Operation"/>
/// and <see cref="RehearsalReport.Expected"/> are what <see cref="ApplyPlan"/> takes.
/// </summary>
public sealed record RehearsePlan(ChangePlan Plan) : TwinRequest, IRequest<RehearsalReport>, IValidatable
{
    public IEnumerable<string> Validate() => Plan is null ? ["the plan is required"] : Plan.Validate().Select(p => p.ToString());
}

/// <summary>
/// What a rehearsal found: the verdict (GO when every step succeeds and, if the plan asks, the horizon is no worse than
/// not changing), each step, the vNICs and PFs that end up different, warnings (changes left pending a reboot, vNICs
/// left synthetic), the streams the plan reads or writes at their versions in the fork (the apply's expected versions),
/// and the horizon.
/// </summary>
public sealed record RehearsalReport(
    string Plan, string? Description, string Operation, DateTimeOffset ForkedAt,
    string Verdict, bool Go, IReadOnlyList<string> NoGo, IReadOnlyList<string> Warnings,
    IReadOnlyList<RehearsedStep> Steps, IReadOnlyList<VnicChange> Vnics, IReadOnlyList<PfChange> Pfs,
    IReadOnlyList<StreamVersion> Expected, HorizonComparison? Horizon)
{
    public const string GoVerdict = "GO";
    public const string NoGoVerdict = "NO-GO";
}

/// <summary>One step as rehearsed: whether it would succeed and why not, its side effects, the events it would append
/// and the streams it reads (at their versions when it begins) and writes (at their versions after it).</summary>
public sealed record RehearsedStep(
    int Number, string Name, string Action, string Description, bool Independent, string Operation,
    bool Succeeded, string Summary, string? Reason,
    IReadOnlyList<SideEffect> SideEffects, IReadOnlyList<PredictedEvent> Events,
    IReadOnlyList<StreamVersion> Reads, IReadOnlyList<StreamVersion> Writes);

/// <summary>An event a step would append: its stream, the version it would get, its type, a sentence, and its data
/// (the event as the live store would hold it).</summary>
public sealed record PredictedEvent(string Kind, string Stream, long Version, string Type, string Summary, string Operation, JsonElement Data);

internal sealed class RehearsePlanHandler(IDocumentStore store, TimeProvider clock) : IRequestHandler<RehearsePlan, RehearsalReport>
{
    public async Task<RehearsalReport> Handle(RehearsePlan r, CancellationToken ct)
    {
        var context = r.Context();
        var now = clock.GetUtcNow();
        var fork = await Fork.Snapshots(store, ct);
        var rehearsal = await PlanRehearsal.RunAsync(fork, r.Plan, context.Operation, now);
        var spec = r.Plan.Horizon ?? new HorizonSpec();
        var horizon = spec.Enabled && rehearsal.After.Hosts.Count > 0
            ? RehearsalHorizon.Compare(rehearsal.Before, rehearsal.After, spec, now, ct: ct)
            : null;
        var report = Fork.Report(rehearsal, horizon, spec);
        // kept as a document, for the dashboard and for an apply to be noted on: no event is appended
        await RehearsalLog.Keep(store, report, context.Actor, ct);
        return report;
    }
}

/// <summary>Forks of the live twin and the shape of their reports.</summary>
internal static class Fork
{
    /// <summary>The JSON of event data in reports and of the comparison between predicted and appended events.</summary>
    public static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Every aggregate's read-model snapshot (stored with its events, so at its stream's version), read in one
    /// repeatable-read transaction: one consistent moment of the whole twin, whatever is being appended meanwhile.</summary>
    public static async Task<List<ISnapshot>> Snapshots(IDocumentStore store, CancellationToken ct)
    {
        await using var session = await store.QuerySerializableSessionAsync(new SessionOptions { IsolationLevel = IsolationLevel.RepeatableRead }, ct);
        var all = new List<ISnapshot>();
        all.AddRange(await session.Query<HostSnapshot>().ToListAsync(ct));
        all.AddRange(await session.Query<ChipsetSnapshot>().ToListAsync(ct));
        all.AddRange(await session.Query<NicSnapshot>().ToListAsync(ct));
        all.AddRange(await session.Query<SwitchSnapshot>().ToListAsync(ct));
        all.AddRange(await session.Query<VmSnapshot>().ToListAsync(ct));
        return all;
    }

    public static RehearsalReport Report(RehearsalResult r, HorizonComparison? horizon, HorizonSpec spec)
    {
        var noGo = r.Failures.ToList();
        if (horizon is { Regression: true } && spec.NoRegression) noGo.Add($"horizon: {horizon.Summary} (the plan asks for no regression)");
        var warnings = r.Warnings.ToList();
        if (horizon is { Regression: true } && !spec.NoRegression) warnings.Add($"horizon: {horizon.Summary}");
        return new RehearsalReport(r.Plan.Name, r.Plan.Description, r.Operation.Value, r.ForkedAt,
            noGo.Count == 0 ? RehearsalReport.GoVerdict : RehearsalReport.NoGoVerdict, noGo.Count == 0, noGo, warnings,
            [.. r.Steps.Select(Step)], r.Vnics, r.Pfs, r.Expected, horizon);
    }

    private static RehearsedStep Step(StepResult s) => new(s.Index + 1, s.Name, s.Step.Action, s.Step.Describe(), s.Step.Independent, s.Operation.Value,
        s.Outcome.Succeeded, s.Outcome.Summary, s.Outcome.Reason, s.SideEffects,
        [.. s.Events.Select(e => new PredictedEvent(PlanRehearsal.KindOf(e.Event), e.Stream, e.Version, e.Event.GetType().Name, EventText.Describe(e.Event),
            e.Operation.Value, JsonSerializer.SerializeToElement(e.Event, e.Event.GetType(), EventJson)))],
        s.Seen, s.Ends);

    /// <summary>An event's data for comparison: everything but its time.</summary>
    public static JsonNode? Comparable(object e)
    {
        var node = JsonSerializer.SerializeToNode(e, e.GetType(), EventJson);
        if (node is JsonObject o) o.Remove("at");
        return node;
    }

    /// <summary>Loads a stream's history into a fork at <paramref name="version"/>.</summary>
    public static async Task<bool> LoadAt(InMemoryTwin twin, IQuerySession session, string stream, long version, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(stream, version: version, token: ct);
        if (events.Count == 0 || events[^1].Version != version) return false;
        twin.Load(stream, events.Select(e => e.Data), version);
        return true;
    }
}
