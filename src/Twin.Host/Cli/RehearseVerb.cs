using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Twin.Events.Common;
using Twin.Grains.UseCases;
using Twin.Host.Api;
using Twin.Host.Rehearsal;
using Twin.Simulation.Engine;
using Twin.Simulation.Rehearsal;
using Twin.Simulation.Workloads;
using static Twin.Host.Cli.Render;

namespace Twin.Host.Cli;

/// <summary>
/// <c>twin rehearse PLAN [--apply]</c>: rehearses a change plan on a fork of the live twin (per-step verdicts, side
/// effects, the events each step would append, the month after the change compared with not changing) and exits 0 for
/// GO, 1 for NO-GO; with <c>--apply</c> a GO plan is then applied under the rehearsal's stream versions, refused (exit 5)
/// if anything it depends on changed meanwhile. <c>--expect REPORT</c> applies against an earlier rehearsal's report
/// (<c>-o json</c>) instead of rehearsing again.
/// </summary>
internal static class RehearseVerb
{
    /// <summary>At most this many VMs of a trace are sent with a plan.</summary>
    public const int MaxTraceVms = 100_000;

    public static void AddTo(RootCommand root, GlobalOptions g, CliConsole console)
    {
        var plan = new Argument<FileInfo>("PLAN") { Description = "A change plan: YAML or JSON (see docs/rehearsal.md and samples/plans)" };
        var apply = new Option<bool>("--apply") { Description = "After a GO rehearsal, apply the plan to the live twin; refused (exit 5) if a stream it reads or writes moved since" };
        var expect = new Option<FileInfo?>("--expect") { Description = "Apply against this earlier rehearsal (its `-o json` report) instead of rehearsing again", HelpName = "REPORT" };
        var events = new Option<bool>("--events") { Description = "List every event each step would append" };
        var noHorizon = new Option<bool>("--no-horizon") { Description = "Do not simulate the horizon" };
        var days = new Option<int?>("--days") { Description = "Horizon in days [plan's horizon.days; default 30]", HelpName = "N" };
        var replications = new Option<int?>("--replications") { Description = "Replications of the horizon [default 8]", HelpName = "N" };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the horizon's workload [default 1]", HelpName = "N" };
        var rate = new Option<double?>("--arrivals-per-hour") { Description = "Synthetic arrivals per hour [default: enough to keep half the cores busy]", HelpName = "RATE" };
        var trace = new Option<FileInfo?>("--trace") { Description = "Use this trace's VMs as the horizon's workload (Azure vmtable CSV or Google task events, gzip or not)", HelpName = "FILE" };
        var traceFormat = new Option<string?>("--trace-format") { Description = "azure (default) or google", HelpName = "FORMAT" };
        traceFormat.AcceptOnlyFromAmong("azure", "google");
        var noRegression = new Option<bool>("--no-regression") { Description = "NO-GO when the horizon after the change is worse than without it (more failed starts or synthetic fallbacks)" };
        var command = new Command("rehearse",
            "Rehearses a change plan against a fork of the live twin (nothing is written): each step's verdict, reason, side effects (VFs revoked, vNICs "
            + "disconnected, reboots or drains needed, VMs left synthetic, failed starts) and events, then the horizon after the change compared with not "
            + "changing. Exit 0 = GO, 1 = NO-GO. With --apply a GO plan is applied under the rehearsal's stream versions.")
        {
            plan, apply, expect, events, noHorizon, days, replications, seed, rate, trace, traceFormat, noRegression,
        };
        command.SetAction(async (p, ct) =>
        {
            var file = p.GetValue(plan)!;
            PlanFileContent content;
            try
            {
                content = PlanFile.Load(file.FullName);
            }
            catch (PlanFileException e)
            {
                console.Fail($"twin: {e.Message}");
                console.Fail("      nothing was rehearsed or applied.");
                return ExitCodes.Usage;
            }
            var spec = content.Plan.Horizon ?? new HorizonSpec();
            spec = spec with
            {
                Enabled = spec.Enabled && !p.GetValue(noHorizon),
                Days = p.GetValue(days) ?? spec.Days,
                Replications = p.GetValue(replications) ?? spec.Replications,
                Seed = p.GetValue(seed) ?? spec.Seed,
                ArrivalsPerHour = p.GetValue(rate) ?? spec.ArrivalsPerHour,
                NoRegression = spec.NoRegression || p.GetValue(noRegression),
            };
            var tracePath = p.GetValue(trace)?.FullName ?? content.TracePath;
            if (spec.Enabled && tracePath is not null)
            {
                try
                {
                    var format = p.GetValue(traceFormat) ?? content.TraceFormat ?? "azure";
                    spec = spec with { TraceVms = ReadTrace(tracePath, format, spec.Days), TraceSource = Path.GetFileName(tracePath) };
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or TraceFormatException or ArgumentException or InvalidDataException)
                {
                    console.Fail($"twin: trace {tracePath}: {e.Message}");
                    console.Fail("      nothing was rehearsed or applied.");
                    return ExitCodes.Usage;
                }
            }
            var changePlan = content.Plan with { Horizon = spec };
            if (changePlan.Validate().FirstOrDefault() is { } problem)
            {
                console.Fail($"twin: {file.FullName}: {problem}");
                return ExitCodes.Usage;
            }
            return await TwinCli.RunClientAsync(p, g, console, (c, token) => p.GetValue(expect) is { } report
                ? ApplyExpected(c, changePlan, report, token)
                : Rehearse(c, changePlan, p.GetValue(apply), p.GetValue(events), token), ct);
        });
        root.Add(command);
    }

    private static async Task<int> Rehearse(CliContext c, ChangePlan plan, bool apply, bool events, CancellationToken ct)
    {
        var json = await c.Client.SendAsync(HttpMethod.Post, "api/rehearsals", plan, ct);
        var report = json.Deserialize<RehearsalReport>(TwinJson.Reading)!;
        if (!apply)
        {
            if (c.Output.Format == OutputFormat.Json) c.Output.Json(json);
            else ShowRehearsal(c, report, events);
            return report.Go ? ExitCodes.Ok : ExitCodes.Failed;
        }
        if (!report.Go)
        {
            if (c.Output.Format == OutputFormat.Json) c.Output.Json(JsonSerializer.SerializeToElement(new { rehearsal = json }, TwinJson.Options));
            else ShowRehearsal(c, report, events);
            c.Console.Fail("twin: NO-GO: the plan was not applied.");
            return ExitCodes.Failed;
        }
        if (c.Output.Format == OutputFormat.Table) ShowRehearsal(c, report, events);
        var applied = await c.Client.SendAsync(HttpMethod.Post, "api/rehearsals/apply",
            new ApplyPlan(plan with { Horizon = null }, report.Expected) { Operation = report.Operation }, ct);
        var result = applied.Deserialize<PlanApplyReport>(TwinJson.Reading)!;
        if (c.Output.Format == OutputFormat.Json) c.Output.Json(JsonSerializer.SerializeToElement(new { rehearsal = json, apply = applied }, TwinJson.Options));
        else ShowApply(c, result);
        return ApplyExit(result);
    }

    private static async Task<int> ApplyExpected(CliContext c, ChangePlan plan, FileInfo reportFile, CancellationToken ct)
    {
        RehearsalReport earlier;
        try
        {
            var text = await File.ReadAllTextAsync(reportFile.FullName, ct);
            var json = JsonDocument.Parse(text).RootElement;
            // the report of `twin rehearse -o json`, or the rehearsal part of `--apply -o json`
            if (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("rehearsal", out var inner)) json = inner;
            earlier = json.Deserialize<RehearsalReport>(TwinJson.Reading) ?? throw new JsonException("empty");
            if (string.IsNullOrEmpty(earlier.Operation) || earlier.Expected is null || earlier.Expected.Count == 0)
                throw new JsonException("it holds no operation and expected stream versions");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new CliException(ExitCodes.Usage, $"twin: {reportFile.FullName} is not a rehearsal report (`twin rehearse PLAN -o json`): {e.Message}");
        }
        if (!earlier.Go) throw new CliException(ExitCodes.Failed, $"twin: the rehearsal in {reportFile.Name} is NO-GO: nothing was applied.");
        if (c.Output.Format == OutputFormat.Table)
            c.Output.Record([("rehearsal", $"{earlier.Plan}, operation {earlier.Operation}, forked {Time(earlier.ForkedAt)}"), ("verdict", earlier.Verdict)]);
        var applied = await c.Client.SendAsync(HttpMethod.Post, "api/rehearsals/apply",
            new ApplyPlan(plan with { Horizon = null }, earlier.Expected) { Operation = earlier.Operation }, ct);
        var result = applied.Deserialize<PlanApplyReport>(TwinJson.Reading)!;
        if (c.Output.Format == OutputFormat.Json) c.Output.Json(JsonSerializer.SerializeToElement(new { apply = applied }, TwinJson.Options));
        else ShowApply(c, result);
        return ApplyExit(result);
    }

    private static int ApplyExit(PlanApplyReport r) => r.Status switch
    {
        ApplyStatus.Applied or ApplyStatus.AppliedWithSkips => ExitCodes.Ok,
        ApplyStatus.Refused or ApplyStatus.PartiallyApplied when r.Drift.Count > 0 => ExitCodes.Drift,
        _ => ExitCodes.Failed,
    };

    // ---------------- tables for people ----------------

    private static void ShowRehearsal(CliContext c, RehearsalReport r, bool events)
    {
        var o = c.Output;
        var steps = r.Steps.Select(s => (IReadOnlyList<string?>)[N(s.Number), s.Name, s.Succeeded ? "ok" : "FAILS", s.Description, s.Summary, N(s.Events.Count)]).ToList();
        Column[] stepColumns = [new("#"), new("step"), new("result", v => v == "ok" ? Ansi.Green : Ansi.Red), new("does"), new("outcome"), new("events")];
        if (o.Format == OutputFormat.Csv)
        {
            o.Table(stepColumns, steps);
            return;
        }
        o.Record(
        [
            ("plan", r.Plan + (r.Description is { Length: > 0 } d ? $" — {d}" : "")),
            ("operation", r.Operation),
            ("forked", $"{Time(r.ForkedAt)}: {r.Expected.Count} stream(s) read or written, at their versions now"),
            ("verdict", r.Verdict),
        ], (field, value) => field == "verdict" ? value == RehearsalReport.GoVerdict ? Ansi.Green : Ansi.Red : null);
        c.Console.Line("");
        o.Table(stepColumns, steps, "steps");
        var effects = r.Steps.SelectMany(s => s.SideEffects.Select(e => (IReadOnlyList<string?>)[N(s.Number), e.Kind.ToString(), e.Subject, e.Detail])).ToList();
        if (effects.Count > 0)
        {
            c.Console.Line("");
            o.Table([new("#"), new("side effect", EffectColour), new("on"), new("detail")], effects, "side effects");
        }
        if (events)
        {
            c.Console.Line("");
            o.Table([new("#"), new("stream"), new("v"), new("event"), new("what")],
                r.Steps.SelectMany(s => s.Events.Select(e => (IReadOnlyList<string?>)[N(s.Number), e.Stream, N(e.Version), e.Type, e.Summary])), "events each step would append");
        }
        if (r.Vnics.Count > 0)
        {
            c.Console.Line("");
            o.Table([new("vNIC"), new("before"), new("after", DatapathColour)], r.Vnics.Select(v => (IReadOnlyList<string?>)[v.Vnic, v.Before, v.After]), "vNICs whose datapath changes");
        }
        if (r.Pfs.Count > 0)
        {
            c.Console.Line("");
            o.Table([new("PF"), new("host"), new("configured"), new("pending"), new("allocated")],
                r.Pfs.Select(p => (IReadOnlyList<string?>)[p.Nic, p.Host, $"{p.ConfiguredBefore} → {p.ConfiguredAfter}", N(p.PendingAfter), $"{p.AllocatedBefore} → {p.AllocatedAfter}"]),
                "PFs whose VF counts change");
        }
        if (r.Horizon is { } h)
        {
            c.Console.Line("");
            o.Table([new("over the horizon (median)"), new("without the change"), new("with the change"), new("Δ")],
                h.Figures.Select(f => (IReadOnlyList<string?>)[$"{f.Name} ({f.Unit})", Num(f.Without), Num(f.With), Delta(f)]),
                $"horizon: {h.Days} days × {h.Replications} replications (seed {h.Seed}), {h.Workload}; VMs running now: {h.RunningVmsWithout} without, {h.RunningVmsWith} with the change");
            if (h.Pfs.Count > 0)
            {
                c.Console.Line("");
                o.Table([new("PF"), new("allocatable"), new("ran out (replications)"), new("first exhaustion (median h)"), new("synthetic fallbacks (median)")],
                    h.Pfs.Select(p => (IReadOnlyList<string?>)[p.Nic, $"{p.AllocatableWithout} → {p.AllocatableWith}", $"{p.ExhaustedWithout} → {p.ExhaustedWith}",
                        $"{Hours(p.FirstExhaustionHoursWithout)} → {Hours(p.FirstExhaustionHoursWith)}", $"{Num(p.FellBackWithout)} → {Num(p.FellBackWith)}"]),
                    "per PF, without → with the change");
            }
            c.Console.Line(c.Console.Paint(h.Regression ? Ansi.Yellow : null, h.Summary));
        }
        if (r.Warnings.Count > 0)
        {
            c.Console.Line("");
            foreach (var w in r.Warnings) c.Console.Line(c.Console.Paint(Ansi.Yellow, $"warning: {w}"));
        }
        if (!r.Go)
        {
            c.Console.Line("");
            foreach (var reason in r.NoGo) c.Console.Line(c.Console.Paint(Ansi.Red, $"NO-GO: {reason}"));
        }
    }

    private static void ShowApply(CliContext c, PlanApplyReport r)
    {
        var o = c.Output;
        var rows = r.Steps.Select(s => (IReadOnlyList<string?>)[N(s.Number), s.Name, s.Outcome, s.Outcome != "applied" ? "-" : s.AsRehearsed ? "yes" : "NO", N(s.EventsAppended),
            s.Differences.Count > 0 ? string.Join("; ", s.Differences) : s.Summary]).ToList();
        Column[] columns = [new("#"), new("step"), new("outcome", StepColour), new("as rehearsed", v => v == "NO" ? Ansi.Red : null), new("events"), new("summary")];
        if (o.Format == OutputFormat.Csv)
        {
            o.Table(columns, rows);
            return;
        }
        c.Console.Line("");
        o.Record([("apply", $"{r.Status}: {r.Summary}"), ("operation", r.Operation)],
            (field, value) => field == "apply" ? r.Applied ? Ansi.Green : Ansi.Red : null);
        c.Console.Line("");
        o.Table(columns, rows, "applied steps");
        if (r.Drift.Count > 0)
        {
            c.Console.Line("");
            o.Table([new("kind"), new("stream"), new("rehearsed"), new("now"), new("what changed")],
                r.Drift.Select(d => (IReadOnlyList<string?>)[d.Kind, d.Stream, $"v{d.Rehearsed}", $"v{d.Now}", d.Detail]), "drift since the rehearsal");
        }
    }

    private static string? EffectColour(string kind) => kind switch
    {
        nameof(SideEffectKind.VnicOnVf) or nameof(SideEffectKind.VmStarted) => Ansi.Green,
        nameof(SideEffectKind.StartFailed) or nameof(SideEffectKind.MigrationRefused) or nameof(SideEffectKind.RecreateRequired)
            or nameof(SideEffectKind.DrainRequired) or nameof(SideEffectKind.ChangeRefused) or nameof(SideEffectKind.VnicDisconnected) => Ansi.Red,
        _ => Ansi.Yellow,
    };

    private static string? StepColour(string outcome) => outcome switch
    {
        "applied" or "already applied" => Ansi.Green,
        "not run" => null,
        _ => Ansi.Red,
    };

    private static string Num(double value) => value.ToString(Math.Abs(value) >= 100 ? "0.#" : "0.##", CultureInfo.InvariantCulture);

    private static string Hours(double? hours) => hours is { } h ? Num(h) : "never";

    private static string Delta(HorizonFigure f) =>
        Num(f.Delta) is "0" or "-0" ? "=" : (f.Delta > 0 ? "+" : "") + Num(f.Delta) + (f.Worse ? " (worse)" : " (better)");

    // ---------------- traces ----------------

    /// <summary>The VMs of a trace created within <paramref name="days"/> of its first VM, in arrival order, hours from
    /// that first creation (at most <see cref="MaxTraceVms"/>).</summary>
    internal static ValueList<TraceVm> ReadTrace(string path, string format, int days)
    {
        using var stream = File.OpenRead(path);
        using var reader = TraceInput.OpenText(stream);
        var name = Path.GetFileName(path);
        IEnumerable<VmLifecycle> rows = format switch
        {
            "azure" => AzureVmTable.Read(reader, name),
            "google" => GoogleClusterTrace.ReadTaskLifecycles(reader, name),
            _ => throw new ArgumentException($"'{format}' is not a trace format: use azure or google"),
        };
        var vms = new List<TraceVm>();
        SimTime? origin = null;
        foreach (var vm in rows)
        {
            origin ??= vm.Created;
            var arrival = (vm.Created - origin.Value).TotalHours;
            if (arrival < 0 || arrival >= days * 24.0) continue;
            vms.Add(new TraceVm(vm.Id, arrival, vm.Deleted is { } d ? (d - origin.Value).TotalHours : null, vm.Cores, vm.MemoryGiB));
            if (vms.Count >= MaxTraceVms) break;
        }
        if (vms.Count == 0) throw new ArgumentException($"it holds no VM within {days} day(s) of its first one");
        return [.. vms.OrderBy(v => v.ArrivalHours)];
    }
}
