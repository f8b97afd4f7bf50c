using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Twin.Grains.Investigations;
using Twin.Host.Api;
using Twin.Projections.History;
using Twin.Projections.ReadModels;
using static Twin.Host.Cli.Render;

namespace Twin.Host.Cli;

/// <summary>Investigations over the recorded history: SR-IOV readiness, timeline, diff, why, counterfactual replay
/// (inventory and pools take <c>--at</c> too). Moments are read here (<see cref="TwinTime"/>: a malformed one is bad
/// usage, exit 2, before the server is asked) and sent as ISO-8601 UTC.</summary>
internal static class HistoryVerbs
{
    private const string TimeHelp = "TIME: " + TwinTime.Forms;

    public static void AddTo(RootCommand root, GlobalOptions g, CliConsole console)
    {
        var host = new Option<string?>("--host") { Description = "Only this host's vNICs", HelpName = "HOST" };
        var at = AtOption("Readiness as it was at this moment instead of now");
        var all = new Option<bool>("--all") { Description = "Every vNIC that wants SR-IOV, also those on a VF or with nothing in the way" };
        root.Add(new Command("readiness", "SR-IOV readiness: which vNICs want SR-IOV (IovWeight > 0) and cannot have a VF, with every reason "
                                          + "(now, or at a past moment with --at)") { host, at, all }
            .Client(g, console, (p, c, ct) => Readiness(c, p.GetValue(host), p.GetValue(at), p.GetValue(all), ct)));

        var from = TimeOption("--from", "From this moment (inclusive) [default: the start of history]");
        var to = TimeOption("--to", "Until this moment (inclusive) [default: now]");
        var entity = new Option<string?>("--entity") { Description = "One entity's events: its own, and what others recorded about it (a host's chipset, a VM's VFs)", HelpName = "ID" };
        var kinds = new Option<string[]>("--kind")
        {
            Description = "Only these kinds (repeat, or separate with commas): event types (VfAllocated, VmStarted, …) or entity kinds (host, chipset, nic, switch, vm)",
            HelpName = "KIND",
        };
        var limit = new Option<int>("--limit") { Description = "At most this many events, 1-100000 (the oldest first)", DefaultValueFactory = _ => 1000, HelpName = "N" };
        root.Add(new Command("timeline", "The recorded events between two moments, oldest first: the whole datacenter or one entity, filtered by kind")
            { from, to, entity, kinds, limit }
            .Client(g, console, (p, c, ct) => Timeline(c, p.GetValue(from), p.GetValue(to), p.GetValue(entity), p.GetValue(kinds) ?? [], p.GetValue(limit), ct)));

        var t1 = TimeArgument("T1", "The first moment (it may be before anything existed: everything is then added)");
        var t2 = TimeArgument("T2", "The second moment [default: now]");
        t2.Arity = ArgumentArity.ZeroOrOne;
        var diffHost = new Option<string?>("--host") { Description = "Only this host's part", HelpName = "HOST" };
        root.Add(new Command("diff", "What changed between two moments: entities added, removed or changed, VFs given, freed and reassigned "
                                     + "(holder by holder), datapaths, pool counters") { t1, t2, diffHost }
            .Client(g, console, (p, c, ct) => Diff(c, p.GetValue(t1)!.Value, p.GetValue(t2), p.GetValue(diffHost), ct)));

        var vm = new Argument<string>("VM") { Description = "VM id, e.g. vm-42" };
        var vnic = new Option<string?>("--vnic") { Description = "Only this vNIC (its name, e.g. net0)", HelpName = "NAME" };
        var whyAt = AtOption("Explain the datapath at this moment [default: the end of the VM's history]");
        root.Add(new Command("why", "Why a VM's vNICs had the datapath they had: the event that set it and the chain behind it (who held the "
                                    + "VFs, who got a freed one and why, what took one away), and what still stood in the way") { vm, vnic, whyAt }
            .Client(g, console, (p, c, ct) => Why(c, p.GetValue(vm)!, p.GetValue(vnic), p.GetValue(whyAt), ct)));

        var replayFrom = TimeOption("--from", "Fork the twin as it was at this moment");
        replayFrom.Required = true;
        var replayTo = TimeOption("--to", "Replay the recorded history until this moment [default: now]");
        var change = new Option<string[]>("--with")
        {
            Description = "The change: 'vfs NIC N' (the PF had N VFs), 'iov SWITCH on|off', 'policy POLICY [NIC]' (the scarce-VF policy of one PF, "
                          + "or every PF), or 'none' (the recorded history, as a check); quoted or not",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
            HelpName = "CHANGE",
        };
        root.Add(new Command("replay", "Counterfactual replay: the twin as it was at --from, changed, then the recorded intents (starts, stops, "
                                       + "migrations, PF and switch changes, …) replayed until --to through the same rules: which vNICs would have kept "
                                       + "their VF, and the traffic lost to the synthetic path either way") { replayFrom, replayTo, change }
            .Client(g, console, (p, c, ct) => Replay(c, p.GetValue(replayFrom)!.Value, p.GetValue(replayTo), string.Join(' ', p.GetValue(change) ?? []), ct)));
    }

    /// <summary>An <c>--at TIME</c> option (absent: now).</summary>
    public static Option<DateTimeOffset?> AtOption(string description) => TimeOption("--at", description);

    private static Option<DateTimeOffset?> TimeOption(string name, string description) => new(name)
    {
        Description = $"{description}. {TimeHelp}",
        HelpName = "TIME",
        CustomParser = r => ParseTime(r, name),
    };

    private static Argument<DateTimeOffset?> TimeArgument(string name, string description) => new(name)
    {
        Description = $"{description}. {TimeHelp}",
        CustomParser = r => ParseTime(r, name),
    };

    private static DateTimeOffset? ParseTime(ArgumentResult result, string name)
    {
        if (result.Tokens.Count == 0) return null;
        var text = result.Tokens[0].Value;
        if (TwinTime.TryParse(text, DateTimeOffset.UtcNow, out var moment)) return moment;
        result.AddError(TwinTime.Problem(name, text));
        return null;
    }

    private static async Task<int> Readiness(CliContext c, string? host, DateTimeOffset? at, bool all, CancellationToken ct)
    {
        var (vnics, json) = await c.Client.GetAsync<IReadOnlyList<VnicReadiness>>(
            "api/readiness" + Query(("host", host), ("at", Moment(at)), ("all", all ? "true" : null)), ct);
        if (AsJson(c, json)) return ExitCodes.Ok;
        if (at is { } moment && c.Output.Format == OutputFormat.Table) c.Console.Line(c.Console.Paint(Ansi.Bold, $"AT {Time(moment)}"));
        c.Output.Table(
            [
                new("VM"), new("VNIC"), new("HOST"), new("VM_STATUS", StatusColour), new("IOV_WEIGHT"), new("SWITCH"), new("NIC"),
                new("DATAPATH", DatapathColour), new("REASON"), new("BLOCKERS", v => v.Length == 0 ? null : Ansi.Red),
            ],
            vnics.Select(v => (string?[])[v.Vm, v.Vnic, v.Host, v.VmStatus.ToString(), N(v.IovWeight), v.Switch, v.Nic ?? "-",
                v.Datapath.ToString(), v.RecordedReason?.ToString() ?? "", string.Join(" ", v.Blockers)]));
        return ExitCodes.Ok;
    }

    private static async Task<int> Timeline(CliContext c, DateTimeOffset? from, DateTimeOffset? to, string? entity, string[] kinds, int limit, CancellationToken ct)
    {
        var kindList = string.Join(",", kinds.SelectMany(k => k.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        var (timeline, json) = await c.Client.GetAsync<Timeline>("api/timeline" + Query(("from", Moment(from)), ("to", Moment(to)), ("entity", entity),
            ("kind", kindList), ("limit", limit.ToString(CultureInfo.InvariantCulture))), ct);
        if (AsJson(c, json)) return ExitCodes.Ok;
        c.Output.Table([new("AT"), new("SEQ"), new("ENTITY"), new("KIND"), new("EVENT"), new("OPERATION"), new("ACTOR"), new("SUMMARY", DatapathColour)],
            timeline.Entries.Select(e => (string?[])[EventTime(e.At), N(e.Sequence), e.Entity, e.EntityKind, e.Kind, e.Operation, e.Actor ?? "", e.Summary]));
        if (timeline.Truncated)
            c.Console.Fail($"twin: only the first {timeline.Entries.Count} matching events are shown; narrow --from/--to, --entity or --kind, or raise --limit");
        return ExitCodes.Ok;
    }

    private static async Task<int> Diff(CliContext c, DateTimeOffset from, DateTimeOffset? to, string? host, CancellationToken ct)
    {
        var (diff, json) = await c.Client.GetAsync<DatacenterDiff>("api/diff" + Query(("from", Moment(from)), ("to", Moment(to)), ("host", host)), ct);
        if (AsJson(c, json)) return ExitCodes.Ok;
        if (c.Output.Format == OutputFormat.Csv)
        {
            c.Output.Table([new("section"), new("id"), new("item"), new("change"), new("from"), new("to")],
            [
                .. diff.Entities.Select(e => (string?[])["entity", e.Id, e.Kind, e.Change, e.From, e.To]),
                .. diff.Vfs.Select(v => (string?[])["vf", v.Nic, N(v.VfIndex), v.Change.ToString(), v.FromHolder, v.ToHolder]),
                .. diff.Datapaths.Select(d => (string?[])["datapath", d.Vm, d.Vnic, "changed", d.From, d.To]),
                .. diff.Pools.Select(p => (string?[])["pool", p.Nic, p.Counter, "changed", N(p.From), N(p.To)]),
            ]);
            return ExitCodes.Ok;
        }
        c.Console.Line(c.Console.Paint(Ansi.Bold, $"FROM {Time(diff.From)} TO {Time(diff.To)}"));
        c.Console.Line("");
        c.Output.Table([new("KIND"), new("ID"), new("CHANGE"), new("FROM"), new("TO")],
            diff.Entities.Select(e => (string?[])[e.Kind, e.Id, e.Change, e.From ?? "-", e.To ?? "-"]), "ENTITIES");
        c.Console.Line("");
        c.Output.Table([new("NIC"), new("VF"), new("CHANGE"), new("FROM"), new("TO")],
            diff.Vfs.Select(v => (string?[])[v.Nic, N(v.VfIndex), v.Change.ToString(), v.FromHolder ?? "-", v.ToHolder ?? "-"]), "VFS");
        c.Console.Line("");
        c.Output.Table([new("VM"), new("VNIC"), new("FROM", DatapathColour), new("TO", DatapathColour)],
            diff.Datapaths.Select(d => (string?[])[d.Vm, d.Vnic, d.From, d.To]), "DATAPATHS");
        c.Console.Line("");
        c.Output.Table([new("NIC"), new("COUNTER"), new("FROM"), new("TO")],
            diff.Pools.Select(p => (string?[])[p.Nic, p.Counter, N(p.From), N(p.To)]), "POOLS");
        return ExitCodes.Ok;
    }

    private static async Task<int> Why(CliContext c, string vm, string? vnic, DateTimeOffset? at, CancellationToken ct)
    {
        var (why, json) = await c.Client.GetAsync<DatapathExplanation>($"api/vms/{TwinClient.Segment(vm)}/why" + Query(("vnic", vnic), ("at", Moment(at))), ct);
        if (AsJson(c, json)) return ExitCodes.Ok;
        if (c.Output.Format == OutputFormat.Csv)
        {
            c.Output.Table([new("vm"), new("vnic"), new("datapath"), new("since"), new("summary"), new("step_at"), new("entity"), new("event"), new("operation"), new("actor"), new("text")],
                why.Vnics.SelectMany(v => Steps(v).Select(s => (string?[])
                    [why.Vm, v.Vnic, v.Datapath, EventTime(v.Since), v.Summary, s is null ? "" : EventTime(s.At), s?.Entity, s?.Kind, s?.Operation, s?.Actor, s?.Text])));
            return ExitCodes.Ok;
        }
        c.Output.Record([("vm", why.Vm), ("at", Time(why.At)), ("status", why.Status.ToString()), ("host", why.Host)],
            (field, value) => field == "status" ? StatusColour(value) : null);
        foreach (var v in why.Vnics)
        {
            c.Console.Line("");
            c.Console.Line(c.Console.Paint(Ansi.Bold, $"{v.Vnic} (IovWeight {v.IovWeight}): ") + c.Console.Paint(DatapathColour(v.Datapath), v.Datapath));
            c.Console.Line($"  {v.Summary}");
            if (v.BlockersNow.Count > 0) c.Console.Line($"  still in the way then: {string.Join(", ", v.BlockersNow)}");
            if (v.Chain.Count == 0) continue;
            c.Console.Line("");
            c.Output.Table([new("AT"), new("ENTITY"), new("EVENT"), new("OPERATION"), new("ACTOR"), new("WHAT")],
                v.Chain.Select(s => (string?[])[EventTime(s.At), s.Entity, s.Kind, s.Operation, s.Actor ?? "", s.Text]));
        }
        if (why.Vnics.Count == 0) c.Console.Line(c.Console.Paint(Ansi.Dim, "(the VM has no vNIC)"));
        return ExitCodes.Ok;
    }

    // one CSV row per step of the chain, or one row for a vNIC without one
    private static IEnumerable<CauseStep?> Steps(VnicExplanation v) => v.Chain.Count == 0 ? [null] : v.Chain.Cast<CauseStep?>();

    private static async Task<int> Replay(CliContext c, DateTimeOffset from, DateTimeOffset? to, string change, CancellationToken ct)
    {
        var (report, json) = await c.Client.GetAsync<ReplayReport>("api/replay" + Query(("from", Moment(from)), ("to", Moment(to)), ("change", change)), ct);
        if (AsJson(c, json)) return ExitCodes.Ok;
        var columns = new List<Column>
        {
            new("VM"), new("VNIC"), new("VERDICT", v => v.StartsWith("would have kept", StringComparison.Ordinal) || v.StartsWith("better", StringComparison.Ordinal)
                ? Ansi.Green : v.StartsWith("worse", StringComparison.Ordinal) ? Ansi.Red : null),
            new("VF_S"), new("WITHOUT_VF_S"), new("VF_LOSSES"), new("WHATIF_VF_S"), new("WHATIF_WITHOUT_VF_S"), new("WHATIF_VF_LOSSES"),
            new("GBIT_LOST"), new("WHATIF_GBIT_LOST"),
        };
        var rows = report.Vnics.Select(v => (string?[])[v.Vm, v.Vnic, v.Verdict, F(v.RecordedVfSeconds), F(v.RecordedWithoutVfSeconds), N(v.RecordedVfLosses),
            F(v.CounterfactualVfSeconds), F(v.CounterfactualWithoutVfSeconds), N(v.CounterfactualVfLosses), F(v.RecordedGbitLost), F(v.CounterfactualGbitLost)]);
        if (c.Output.Format == OutputFormat.Csv)
        {
            c.Output.Table(columns, rows);
            return ExitCodes.Ok;
        }
        c.Output.Record(
        [
            ("from", Time(report.From)),
            ("to", Time(report.To)),
            ("change", report.Change),
            ("intents replayed", N(report.Intents)),
            ("refused", N(report.Refused)),
            ("kept their VF", report.KeptTheirVf.Count == 0 ? "none" : string.Join(", ", report.KeptTheirVf)),
            ("Gbit lost", $"{F(report.RecordedGbitLost)} recorded, {F(report.CounterfactualGbitLost)} with the change ({F(report.GbitRecovered)} recovered)"),
        ]);
        c.Console.Line("");
        c.Output.Table(columns, rows, "VNICS");
        if (report.Divergences.Count > 0)
        {
            c.Console.Line("");
            c.Console.Line(c.Console.Paint(Ansi.Bold, "DIVERGENCES (the replay departed from the record)"));
            foreach (var d in report.Divergences) c.Console.Line($"  {d}");
        }
        c.Console.Line("");
        c.Console.Line(c.Console.Paint(Ansi.Bold, "ASSUMPTIONS"));
        foreach (var a in report.Assumptions) c.Console.Line(c.Console.Paint(Ansi.Dim, $"  {a}"));
        return ExitCodes.Ok;
    }

    private static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
