using System.Text.Json;
using MediatR;
using Twin.Events.Common;
using Twin.Grains.UseCases;
using Twin.Host.WhatIf;
using Twin.Simulation.WhatIf;

namespace Twin.Host.Api;

/// <summary>A scenario to save: its text (YAML or JSON), the folder its relative paths are read from (on the server's
/// machine), and the file name errors should name.</summary>
public sealed record ScenarioBody(string Text, string? SourceDirectory = null, string? FileName = null);

/// <summary>Which variant of a scenario to commit.</summary>
public sealed record CommitBody(string Variant);

/// <summary>A saved scenario with its last run (the report as JSON).</summary>
public sealed record ScenarioView(string Name, string? Description, string Text, string? SourceDirectory, int Revision, DateTimeOffset SavedAt, string SavedBy,
    string? CommittedVariant, ScenarioRunView? LastRun);

/// <summary>One run of a saved scenario: the revision it ran, when, by whom, wall seconds, the verdicts and the report.</summary>
public sealed record ScenarioRunView(string Name, int Revision, DateTimeOffset RanAt, string RanBy, double Seconds, IReadOnlyList<string> Verdicts, JsonElement Report);

/// <summary>One variant of one saved scenario's last run, for comparing scenarios (P50 values; days since simulated zero).</summary>
public sealed record ScenarioComparisonRow(string Scenario, int Revision, bool Stale, string Variant, double? FirstExhaustionDayP50, double? FirstExhaustionDayP95,
    string Exhausted, double VnicsFellBackP50, double FailedStartsP50, double GainGbpsP50, double CpuCoresSavedP50, string Verdict);

/// <summary>
/// The what-if endpoints: the live twin as a topology (what a what-if starts from), capacity reservations, and saved
/// scenarios — save, list, show, run (on the server, against the twin now), compare, commit (reserve the capacity a
/// variant needs) and release.
/// </summary>
internal static class ScenarioApi
{
    public static void MapScenarioApi(this RouteGroupBuilder api)
    {
        api.MapGet("/topology", (IMediator m, TimeProvider clock, string? at, CancellationToken ct) =>
                m.Send(new GetTwinTopology(Moments.Of(clock).Only("at", at)), ct))
            .WithName("GetTwinTopology").WithSummary("The twin as a topology (hosts, PFs, switches, VMs, pools, holders): what a what-if starts from; now, or as it was at a past moment with at=");
        api.MapGet("/reservations", (IMediator m, CancellationToken ct) => m.Send(new GetReservations(), ct))
            .WithName("GetReservations").WithSummary("The VFs committed scenarios reserved, per PF");
        api.MapGet("/scenarios", (IMediator m, CancellationToken ct) => m.Send(new ListScenarios(), ct))
            .WithName("ListScenarios").WithSummary("Saved what-if scenarios: revision, last run, committed variant, reserved VFs");
        api.MapGet("/scenarios/compare", Compare)
            .WithName("CompareScenarios").WithSummary("Saved scenarios' last runs side by side (names=a,b,...)");
        api.MapPut("/scenarios/{name}", Save)
            .WithName("SaveScenario").WithSummary("Saves a scenario after checking it (400 names the line and field of a problem)");
        api.MapGet("/scenarios/{name}", Show)
            .WithName("GetScenario").WithSummary("A saved scenario's text and last run");
        api.MapGet("/scenarios/{name}/report.html", Report)
            .WithName("GetScenarioReportHtml").WithSummary("The last run's report as a self-contained HTML page (404 when the scenario is unknown or has never run)")
            .Produces<string>(StatusCodes.Status200OK, "text/html");
        api.MapPost("/scenarios/{name}/run", Run)
            .WithName("RunScenario").WithSummary("Runs a saved scenario against the twin now (other scenarios' reservations applied) and keeps the report");
        api.MapPost("/scenarios/{name}/commit", Commit)
            .WithName("CommitScenario").WithSummary("Reserves the VFs a variant of the last run needs beyond the baseline, per PF");
        api.MapDelete("/scenarios/{name}/commit", (IMediator m, HttpContext h, string name, CancellationToken ct) => m.Send(Actor(h, new ReleaseScenario(TwinApi.Id(name))), ct))
            .WithName("ReleaseScenario").WithSummary("Releases what a committed scenario reserved");
    }

    private static async Task<ScenarioListing> Save(IMediator m, HttpContext h, string name, ScenarioBody body, CancellationToken ct)
    {
        name = TwinApi.Id(name);
        var scenario = Parse(body.Text, body.FileName ?? name);
        return await m.Send(Actor(h, new SaveScenario(name, body.Text, body.SourceDirectory, scenario.Description)), ct);
    }

    private static async Task<ScenarioView> Show(IMediator m, string name, CancellationToken ct)
    {
        var s = await m.Send(new GetScenario(TwinApi.Id(name)), ct);
        return new ScenarioView(s.Id, s.Description, s.Text, s.SourceDirectory, s.Revision, s.SavedAt, s.SavedBy, s.CommittedVariant,
            s.LastRun is { } r ? View(s.Id, r) : null);
    }

    private static async Task<IResult> Report(IMediator m, string name, CancellationToken ct)
    {
        var s = await m.Send(new GetScenario(TwinApi.Id(name)), ct);
        if (s.LastRun is not { } run) throw new EntityNotFoundException("run of scenario", s.Id);
        var report = JsonSerializer.Deserialize<WhatIfReport>(run.ReportJson, TwinJson.Reading)!;
        return Results.Content(HtmlReport.Render(report, run.Seconds), "text/html; charset=utf-8");
    }

    private static async Task<ScenarioRunView> Run(IMediator m, HttpContext h, TimeProvider clock, string name, CancellationToken ct)
    {
        var saved = await m.Send(new GetScenario(TwinApi.Id(name)), ct);
        var scenario = Parse(saved.Text, saved.Id);
        WhatIfRun run;
        try
        {
            run = await WhatIfRunner.RunAsync(scenario, saved.SourceDirectory, new MediatorLiveTwin(m), clock.GetUtcNow(), ct: ct);
        }
        catch (ScenarioException e)
        {
            throw new RequestValidationException([e.Message]);
        }
        var verdicts = new List<string> { $"baseline: {HtmlReport.Exhaustion(run.Report.Baseline.FirstExhaustion, run.Report.HorizonDays)}" };
        verdicts.AddRange(run.Report.Variants.Skip(1).Select(v => $"{v.Name}: {v.VersusBaseline?.Verdict}"));
        var stored = await m.Send(Actor(h, new RecordScenarioRun(saved.Id, saved.Revision, Math.Round(run.Seconds, 3),
            JsonSerializer.Serialize(run.Report, TwinJson.Options), verdicts)), ct);
        return View(saved.Id, stored.LastRun!);
    }

    private static async Task<CapacityReservationRecord> Commit(IMediator m, HttpContext h, string name, CommitBody body, CancellationToken ct)
    {
        var saved = await m.Send(new GetScenario(TwinApi.Id(name)), ct);
        if (saved.LastRun is not { } last || last.Revision != saved.Revision)
            throw new DomainRuleViolated($"scenario {saved.Id} (revision {saved.Revision}) has no current run to commit: run it first (twin scenario run {saved.Id})");
        var report = JsonSerializer.Deserialize<WhatIfReport>(last.ReportJson, TwinJson.Reading)!;
        CapacityReservation needed;
        try
        {
            needed = CapacityReservation.Needed(report, body.Variant);
        }
        catch (ArgumentException e)
        {
            throw new RequestValidationException([e.Message.Split(" (Parameter", 2)[0]]);
        }
        return await m.Send(Actor(h, new CommitScenario(saved.Id, body.Variant, last.Revision, [.. needed.Pfs.Select(p => new ReservedVfs(p.Nic, p.Host, p.Vfs))])), ct);
    }

    private static async Task<IReadOnlyList<ScenarioComparisonRow>> Compare(IMediator m, string? names, CancellationToken ct)
    {
        var list = (names ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length == 0) throw new RequestValidationException(["names=a,b,... names the saved scenarios to compare"]);
        var rows = new List<ScenarioComparisonRow>();
        foreach (var name in list)
        {
            var s = await m.Send(new GetScenario(name), ct);
            if (s.LastRun is not { } run) throw new DomainRuleViolated($"scenario {name} has never run: twin scenario run {name}");
            var report = JsonSerializer.Deserialize<WhatIfReport>(run.ReportJson, TwinJson.Reading)!;
            rows.AddRange(report.Variants.Select(v => new ScenarioComparisonRow(name, run.Revision, run.Revision != s.Revision, v.Name,
                v.FirstExhaustion.P50, v.FirstExhaustion.P95, $"{v.FirstExhaustion.ReplicationsExhausted}/{v.FirstExhaustion.Replications}",
                v.Demand.VnicsFellBack.P50, v.Demand.FailedStarts.P50, v.Throughput.GainGbps.P50, v.Throughput.CpuCoresSaved.P50,
                v.VersusBaseline?.Verdict ?? HtmlReport.Exhaustion(v.FirstExhaustion, report.HorizonDays))));
        }
        return rows;
    }

    private static ScenarioRunView View(string name, ScenarioRunRecord r) =>
        new(name, r.Revision, r.RanAt, r.RanBy, r.Seconds, r.Verdicts, JsonDocument.Parse(r.ReportJson).RootElement.Clone());

    private static WhatIfScenario Parse(string text, string source)
    {
        try
        {
            return ScenarioYaml.Read(text, source);
        }
        catch (ScenarioException e)
        {
            throw new RequestValidationException([e.Message]);
        }
    }

    private static TRequest Actor<TRequest>(HttpContext http, TRequest request) where TRequest : TwinRequest
    {
        var actor = http.Request.Headers[TwinApi.ActorHeader].ToString();
        var key = http.Request.Headers[TwinApi.IdempotencyHeader].ToString();
        TwinRequest r = request;
        if (actor.Length > 0) r = r with { Actor = actor };
        if (key.Length > 0) r = r with { Operation = key };
        return (TRequest)r;
    }
}
