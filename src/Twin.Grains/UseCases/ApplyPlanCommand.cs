using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten;
using MediatR;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Sagas;
using Twin.Events.Vms;
using Twin.Grains.Contracts;
using Twin.Grains.Sagas;
using Twin.Simulation.InMemory;
using Twin.Simulation.Rehearsal;

namespace Twin.Grains.UseCases;

/// <summary>
/// Applies a rehearsed plan to the live twin, refused if the world changed since the rehearsal. <see cref="Expected"/>
/// (the rehearsal's <see cref="RehearsalReport.Expected"/>) lists every stream the plan reads or writes at its rehearsed
/// version, and <see cref="TwinRequest.Operation"/> is the rehearsal's operation id: each step runs under the same
/// operation id as in the rehearsal, so it appends exactly the events the rehearsal predicted, and an apply retried
/// after an interruption continues where it stopped instead of doing anything twice.
/// <para>How drift is caught: the plan is rehearsed again on a fork rebuilt at the expected versions (so its predictions
/// are the rehearsal's), then every expected stream is compared with the event store. A stream that moved is drift,
/// unless what it gained is exactly this plan's own predicted events (a retry). Any drift in a step that is not
/// independent refuses the whole plan before anything is appended; an independent step that drifted is skipped, with
/// every later step that depends on what it would have written. Right before each step its streams are checked again,
/// and after it the appended events are compared with the prediction; the first difference stops the plan.</para>
/// </summary>
public sealed record ApplyPlan(ChangePlan Plan, IReadOnlyList<StreamVersion> Expected) : TwinRequest, IRequest<PlanApplyReport>, IValidatable
{
    public IEnumerable<string> Validate()
    {
        if (Plan is null) yield return "the plan is required";
        else foreach (var p in Plan.Validate()) yield return p.ToString();
        if (string.IsNullOrWhiteSpace(Operation)) yield return "operation (the rehearsal's operation id) is required";
        if (Expected is null || Expected.Count == 0) yield return "expected (the rehearsal's stream versions) is required";
        else if (Expected.Any(e => e.Version < 0 || string.IsNullOrWhiteSpace(e.Stream))) yield return "expected holds a stream without an id or with a negative version";
    }
}

/// <summary>How an apply ended.</summary>
public static class ApplyStatus
{
    /// <summary>Every step ran (or had run already) and appended what the rehearsal predicted.</summary>
    public const string Applied = "applied";

    /// <summary>Independent steps were skipped for drift; the others were applied as rehearsed.</summary>
    public const string AppliedWithSkips = "applied-with-skips";

    /// <summary>Nothing was applied: something the plan depends on changed since the rehearsal (or the plan is not the
    /// one rehearsed, or the rehearsal is NO-GO).</summary>
    public const string Refused = "refused";

    /// <summary>Drift appeared between two steps: the steps before it were applied, the rest not.</summary>
    public const string PartiallyApplied = "partially-applied";

    /// <summary>A step appended something else than the rehearsal predicted; the plan stopped after it.</summary>
    public const string Diverged = "diverged";
}

/// <summary>What an apply did: its status, the drift found (stream, rehearsed version, version now), and each step.</summary>
public sealed record PlanApplyReport(string Plan, string Operation, string Status, bool Applied, string Summary,
    IReadOnlyList<StreamDrift> Drift, IReadOnlyList<AppliedStep> Steps);

/// <summary>A stream that is not where the rehearsal left it: rehearsed at <see cref="Rehearsed"/>, at <see cref="Now"/>.</summary>
public sealed record StreamDrift(string Kind, string Stream, long Rehearsed, long Now, string Detail);

/// <summary>One step of an apply: "applied", "already applied", "skipped (drift)", "stopped (drift)", "not run";
/// whether it appended exactly the predicted events, and the differences when not.</summary>
public sealed record AppliedStep(int Number, string Name, string Description, bool Independent, string Outcome, bool AsRehearsed,
    string Summary, int EventsAppended, IReadOnlyList<string> Differences);

internal sealed class ApplyPlanHandler(IGrainFactory grains, TimeProvider clock, ISagaFaults faults, IQuerySession session, IDocumentStore store)
    : IRequestHandler<ApplyPlan, PlanApplyReport>
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ShortSettle = TimeSpan.FromSeconds(2);

    public async Task<PlanApplyReport> Handle(ApplyPlan r, CancellationToken ct)
    {
        var result = await Run(r, ct);
        // noted on the kept rehearsal (a document), refused or not
        await RehearsalLog.KeepApply(store, result, r.Actor, clock.GetUtcNow(), ct);
        return result;
    }

    private async Task<PlanApplyReport> Run(ApplyPlan r, CancellationToken ct)
    {
        var context = r.Context();
        var op = context.Operation;
        var expected = r.Expected.GroupBy(e => e.Stream, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        PlanApplyReport Refuse(string why, IReadOnlyList<StreamDrift>? drift = null) =>
            new(r.Plan.Name, op.Value, ApplyStatus.Refused, false, why, drift ?? [], [.. r.Plan.Steps.Select((s, i) => NotRun(r.Plan, i, "not run"))]);

        // 1. the fork as it was at the rehearsal: streams at their expected versions, the rest as they are
        var live = await Versions(expected.Keys, ct);
        var twin = new InMemoryTwin();
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        // a snapshot at the expected version is what the rehearsal forked; a stream that moved is refolded up to it
        foreach (var s in await Fork.Snapshots(store, ct))
        {
            if (expected.TryGetValue(s.Id, out var e) && e.Version != s.Version) continue;
            twin.Load(s);
            loaded.Add(s.Id);
        }
        var unreadable = new List<StreamDrift>();
        foreach (var e in expected.Values.Where(e => e.Version > 0 && !loaded.Contains(e.Stream)))
            if (!await Fork.LoadAt(twin, session, e.Stream, e.Version, ct))
                unreadable.Add(new(e.Kind, e.Stream, e.Version, live[e.Stream], $"{e.Kind} {e.Stream}: rehearsed at v{e.Version}, now at v{live[e.Stream]}: the stream has no version {e.Version}"));
        if (unreadable.Count > 0) return Refuse("the world changed since the rehearsal: nothing was applied", unreadable);

        // 2. the same rehearsal again: the predictions the apply holds itself to
        var rehearsal = await PlanRehearsal.RunAsync(twin, r.Plan, op, clock.GetUtcNow());
        if (!rehearsal.AllStepsSucceed)
            return Refuse("the rehearsal is NO-GO, so nothing was applied: " + string.Join("; ", rehearsal.Failures));
        var strangers = rehearsal.Expected.Where(e => !expected.TryGetValue(e.Stream, out var x) || x.Version != e.Version).ToList();
        if (strangers.Count > 0)
            return Refuse($"this is not the plan that was rehearsed (it reads {string.Join(", ", strangers.Select(s => $"{s.Kind} {s.Stream}"))}, which the rehearsal did not): rehearse it again");

        // 3. drift: every expected stream must be where the rehearsal found it, or ahead by this plan's own events
        var predicted = rehearsal.EventsByStream;
        var verified = new Dictionary<string, long>(StringComparer.Ordinal);
        var drift = new List<StreamDrift>();
        foreach (var e in expected.Values)
        {
            var now = live[e.Stream];
            if (now == e.Version) verified[e.Stream] = now;
            else if (now > e.Version && await Matches(e.Stream, e.Version, now, predicted[e.Stream], ct) is null) verified[e.Stream] = now;
            else drift.Add(await Drift(e, now, ct));
        }
        var drifted = drift.Select(d => d.Stream).ToHashSet(StringComparer.Ordinal);
        var skipped = new HashSet<int>();
        var unreliable = new HashSet<string>(drifted, StringComparer.Ordinal);
        foreach (var step in rehearsal.Steps)
        {
            if (!step.Seen.Any(s => unreliable.Contains(s.Stream))) continue;
            if (!step.Step.Independent)
                return Refuse($"the world changed since the rehearsal ({drift.Count} stream(s) moved{(skipped.Count > 0 ? ", and independent steps they skip feed this one" : "")}): "
                              + $"{step.Name} depends on it, so nothing was applied; rehearse again", drift);
            skipped.Add(step.Index);
            foreach (var w in step.Ends) unreliable.Add(w.Stream);
        }

        // 4. step by step, checked before and after
        var target = new LivePlanTarget(grains, clock, faults, context.Actor, session);
        var highWater = await HighWater(ct);
        var steps = new List<AppliedStep>();
        var applied = 0;
        string? stopped = null;
        foreach (var step in rehearsal.Steps)
        {
            var i = step.Index;
            if (stopped is not null)
            {
                steps.Add(NotRun(r.Plan, i, "not run"));
                continue;
            }
            if (skipped.Contains(i))
            {
                steps.Add(NotRun(r.Plan, i, "skipped (drift)", $"it reads {string.Join(", ", step.Seen.Where(s => unreliable.Contains(s.Stream)).Select(s => s.Stream))}, which moved since the rehearsal"));
                continue;
            }
            if (step.Ends.Count > 0 && step.Ends.All(w => verified.GetValueOrDefault(w.Stream) >= w.Version))
            {
                steps.Add(new AppliedStep(i + 1, step.Name, step.Step.Describe(), step.Step.Independent, "already applied", true,
                    $"appended by an earlier apply of operation {op}", 0, []));
                continue;
            }
            var moved = await Recheck(step, verified, predicted, ct);
            if (moved.Count > 0)
            {
                drift.AddRange(moved);
                if (step.Step.Independent)
                {
                    steps.Add(NotRun(r.Plan, i, "skipped (drift)", string.Join("; ", moved.Select(m => m.Detail))));
                    foreach (var w in step.Ends) unreliable.Add(w.Stream);
                    foreach (var later in rehearsal.Steps.Where(s => s.Index > i && s.Seen.Any(x => unreliable.Contains(x.Stream))))
                        if (later.Step.Independent) skipped.Add(later.Index);
                        else stopped ??= $"{later.Name} depends on {step.Name}, which was skipped for drift";
                    continue;
                }
                stopped = $"{step.Name}: {string.Join("; ", moved.Select(m => m.Detail))}";
                steps.Add(NotRun(r.Plan, i, "stopped (drift)", stopped));
                continue;
            }

            StepOutcome outcome;
            try
            {
                outcome = await PlanSteps.Run(target, step.Step, step.Operation);
            }
            catch (Exception ex)
            {
                outcome = new StepOutcome(false, $"{ex.GetType().Name}: {ex.Message}", "Exception");
            }
            // a step that already ended otherwise than predicted will not reach the predicted versions: a short wait
            var (differences, appended) = await Settle(step, verified, predicted, outcome.Succeeded == step.Outcome.Succeeded ? SettleTimeout : ShortSettle, ct);
            differences.AddRange(await Unpredicted(step, highWater, ct));
            if (outcome.Succeeded != step.Outcome.Succeeded)
                differences.Insert(0, $"the rehearsal said {(step.Outcome.Succeeded ? "it succeeds" : "it fails")}; live it {(outcome.Succeeded ? "succeeded" : "failed")}: {outcome.Summary}");
            steps.Add(new AppliedStep(i + 1, step.Name, step.Step.Describe(), step.Step.Independent, "applied", differences.Count == 0, outcome.Summary, appended, differences));
            applied++;
            if (differences.Count > 0) stopped = $"{step.Name} did not append what the rehearsal predicted";
        }

        var diverged = steps.Any(s => !s.AsRehearsed);
        var anySkipped = steps.Any(s => s.Outcome.StartsWith("skipped", StringComparison.Ordinal));
        var status = diverged ? ApplyStatus.Diverged
            : stopped is not null ? applied > 0 || steps.Any(s => s.Outcome == "already applied") ? ApplyStatus.PartiallyApplied : ApplyStatus.Refused
            : anySkipped ? ApplyStatus.AppliedWithSkips : ApplyStatus.Applied;
        var summary = status switch
        {
            ApplyStatus.Applied => $"{steps.Count} step(s) applied as rehearsed",
            ApplyStatus.AppliedWithSkips => $"{steps.Count(s => s.Outcome is "applied" or "already applied")} step(s) applied as rehearsed, {steps.Count(s => s.Outcome.StartsWith("skipped", StringComparison.Ordinal))} independent step(s) skipped for drift",
            ApplyStatus.Diverged => $"stopped: {stopped}",
            _ => $"stopped before {stopped}; {applied} step(s) applied before",
        };
        return new PlanApplyReport(r.Plan.Name, op.Value, status, status is ApplyStatus.Applied or ApplyStatus.AppliedWithSkips, summary, drift, steps);
    }

    private static AppliedStep NotRun(ChangePlan plan, int i, string outcome, string summary = "") =>
        new(i + 1, plan.StepName(i), plan.Steps[i].Describe(), plan.Steps[i].Independent, outcome, true, summary, 0, []);

    private async Task<Dictionary<string, long>> Versions(IEnumerable<string> streams, CancellationToken ct)
    {
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var s in streams) versions[s] = (await session.Events.FetchStreamStateAsync(s, ct))?.Version ?? 0;
        return versions;
    }

    /// <summary>Compares the events of <paramref name="stream"/> after <paramref name="from"/> up to <paramref name="to"/>
    /// with the predicted ones at those versions; null when they are the same, else the first difference.</summary>
    private async Task<string?> Matches(string stream, long from, long to, IEnumerable<RecordedEvent> predicted, CancellationToken ct)
    {
        var live = await session.Events.FetchStreamAsync(stream, fromVersion: from + 1, token: ct);
        var byVersion = predicted.ToDictionary(p => p.Version);
        foreach (var e in live.Where(e => e.Version <= to))
        {
            if (!byVersion.TryGetValue(e.Version, out var p))
                return $"{stream} v{e.Version}: {e.Data.GetType().Name} (operation {Correlation(e)}) was not predicted";
            if (p.Event.GetType() != e.Data.GetType() || !JsonNode.DeepEquals(Fork.Comparable(p.Event), Fork.Comparable(e.Data)))
                return $"{stream} v{e.Version}: predicted {p.Event.GetType().Name} {Fork.Comparable(p.Event)?.ToJsonString()}, appended {e.Data.GetType().Name} {Fork.Comparable(e.Data)?.ToJsonString()}";
        }
        return null;
    }

    private async Task<StreamDrift> Drift(StreamVersion e, long now, CancellationToken ct)
    {
        if (now < e.Version) return new(e.Kind, e.Stream, e.Version, now, $"{e.Kind} {e.Stream}: rehearsed at v{e.Version}, now at v{now}");
        var events = await session.Events.FetchStreamAsync(e.Stream, fromVersion: e.Version + 1, token: ct);
        var first = events.FirstOrDefault();
        var what = first is null ? "" : $" ({events.Count} event(s) since, first {first.Data.GetType().Name} by {first.UserName ?? "?"}, operation {Correlation(first)}, at {first.Timestamp:u})";
        return new(e.Kind, e.Stream, e.Version, now, $"{e.Kind} {e.Stream}: rehearsed at v{e.Version}, now at v{now}{what}");
    }

    private static string Correlation(IEvent e) => string.IsNullOrEmpty(e.CorrelationId) ? "none" : e.CorrelationId;

    /// <summary>Right before a step: every stream it reads must be where the rehearsal says the step begins (or, on a
    /// retry, part-way through this step's own predicted events).</summary>
    private async Task<List<StreamDrift>> Recheck(StepResult step, Dictionary<string, long> verified, ILookup<string, RecordedEvent> predicted, CancellationToken ct)
    {
        var moved = new List<StreamDrift>();
        var now = await Versions(step.Seen.Select(s => s.Stream), ct);
        foreach (var seen in step.Seen)
        {
            var end = step.Ends.FirstOrDefault(w => w.Stream == seen.Stream)?.Version ?? seen.Version;
            var at = now[seen.Stream];
            var ok = at >= seen.Version && at <= end;
            if (ok && at > verified.GetValueOrDefault(seen.Stream))
            {
                ok = await Matches(seen.Stream, verified.GetValueOrDefault(seen.Stream), at, predicted[seen.Stream], ct) is null;
                if (ok) verified[seen.Stream] = at;
            }
            if (!ok) moved.Add(await Drift(seen with { Version = Math.Max(seen.Version, verified.GetValueOrDefault(seen.Stream)) }, at, ct));
        }
        return moved;
    }

    /// <summary>The event store's last sequence number: events appended by this apply come after it.</summary>
    private async Task<long> HighWater(CancellationToken ct) =>
        (await session.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Select(e => e.Sequence).Take(1).ToListAsync(ct)).FirstOrDefault();

    /// <summary>Events this apply appended under the step's operation on streams, or at versions, the rehearsal did not
    /// predict (what the per-stream comparison cannot see).</summary>
    private async Task<List<string>> Unpredicted(StepResult step, long after, CancellationToken ct)
    {
        var op = step.Operation.Value;
        var mine = await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > after && (e.CorrelationId == op || e.CorrelationId!.StartsWith(op + "/")))
            .ToListAsync(ct);
        var predicted = step.Events.Select(e => (e.Stream, e.Version)).ToHashSet();
        return [.. mine.Where(e => !predicted.Contains((e.StreamKey ?? "", e.Version)))
            .Select(e => $"{e.StreamKey} v{e.Version}: {e.Data.GetType().Name} was appended under {Correlation(e)} but not predicted")];
    }

    /// <summary>After a step: waits (bounded) until every stream it writes reached its predicted version — what other
    /// VMs learn from a step arrives as one-way notices — then compares what was appended with the prediction.</summary>
    private async Task<(List<string> Differences, int Appended)> Settle(StepResult step, Dictionary<string, long> verified, ILookup<string, RecordedEvent> predicted,
        TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        Dictionary<string, long> now;
        while (true)
        {
            now = await Versions(step.Ends.Select(w => w.Stream), ct);
            if (step.Ends.All(w => now[w.Stream] >= w.Version) || DateTime.UtcNow > deadline) break;
            await Task.Delay(50, ct);
        }
        var differences = new List<string>();
        var appended = 0;
        foreach (var w in step.Ends)
        {
            var begin = step.Seen.FirstOrDefault(s => s.Stream == w.Stream)?.Version ?? 0;
            appended += (int)Math.Max(0, now[w.Stream] - begin);
            var from = verified.GetValueOrDefault(w.Stream, begin);
            if (now[w.Stream] < w.Version) differences.Add($"{w.Kind} {w.Stream}: predicted to reach v{w.Version}, at v{now[w.Stream]} after {timeout.TotalSeconds:0} s");
            if (await Matches(w.Stream, from, Math.Min(now[w.Stream], w.Version), predicted[w.Stream], ct) is { } difference) differences.Add(difference);
            else verified[w.Stream] = Math.Min(now[w.Stream], w.Version);
            if (now[w.Stream] > w.Version) differences.Add($"{w.Kind} {w.Stream}: {now[w.Stream] - w.Version} event(s) beyond the predicted v{w.Version}");
        }
        return (differences, appended);
    }
}

/// <summary>The live twin as a plan target: sagas the edge runs go through a <see cref="GrainTwinPort"/>; VM sagas run
/// inside each VM's grain, as the live use cases run them; hosts' VMs and PFs come from the read models.</summary>
internal sealed class LivePlanTarget(IGrainFactory grains, TimeProvider clock, ISagaFaults faults, string actor, IQuerySession session) : IPlanTarget
{
    private CommandContext Context(OperationId op) => new(op, actor);
    private IVmGrain Vm(VmId id) => grains.GetGrain<IVmGrain>(id.Value);

    public async ValueTask<T> Run<T>(OperationId op, Func<ITwinPort, ValueTask<T>> saga) => await saga(new GrainTwinPort(grains, Context(op), clock, faults));

    public async ValueTask<SagaOutcome> StartVm(VmId vm, OperationId op) => await Vm(vm).Start(Context(op));
    public async ValueTask<SagaOutcome> StopVm(VmId vm, OperationId op) => await Vm(vm).Stop(Context(op));
    public async ValueTask<SagaOutcome> MigrateVm(VmId vm, HostId destination, OperationId op) => await Vm(vm).Migrate(destination, Context(op));
    public async ValueTask<SagaOutcome> SetIovWeight(VmId vm, string vnic, int weight, OperationId op) => await Vm(vm).SetIovWeight(vnic, weight, Context(op));

    // ids are stored as plain strings through a converter, so the filters run here rather than in SQL
    public async ValueTask<IReadOnlyList<VmId>> VmsOn(HostId host) =>
        [.. (await session.Query<VmSnapshot>().ToListAsync()).Where(v => v.Host == host).Select(v => new VmId(v.Id)).OrderBy(v => v.Value, StringComparer.Ordinal)];

    public async ValueTask<IReadOnlyList<NicId>> NicsOn(HostId host) =>
        [.. (await session.Query<NicSnapshot>().ToListAsync()).Where(n => n.Host == host && n.Status != NicStatus.Absent)
            .Select(n => new NicId(n.Id)).OrderBy(n => n.Value, StringComparer.Ordinal)];
}
