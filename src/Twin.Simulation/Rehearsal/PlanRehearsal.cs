using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Simulation.InMemory;

namespace Twin.Simulation.Rehearsal;

/// <summary>
/// One step as rehearsed: how it ended, the events it appended (stream, version, event, operation) — what the live apply
/// must append too — its side effects, every stream it read or commanded at the version it had when the step began
/// (<see cref="Seen"/>), and every stream it wrote at the version after it (<see cref="Ends"/>).
/// </summary>
public sealed record StepResult(
    int Index, string Name, PlanStep Step, OperationId Operation, StepOutcome Outcome,
    IReadOnlyList<RecordedEvent> Events, IReadOnlyList<SideEffect> SideEffects,
    IReadOnlyList<StreamVersion> Seen, IReadOnlyList<StreamVersion> Ends);

/// <summary>A vNIC whose datapath differs after the plan: before, after, and whether it wants a VF.</summary>
public sealed record VnicChange(string Vnic, string Before, string After, bool WantsVf);

/// <summary>A PF whose VF configuration differs after the plan (configured VFs, pending VFs, holders).</summary>
public sealed record PfChange(string Nic, string Host, int ConfiguredBefore, int ConfiguredAfter, int? PendingAfter, int AllocatedBefore, int AllocatedAfter);

/// <summary>
/// A rehearsal: the plan run step by step on a fork of the twin, with the same deciders and sagas as the live twin.
/// <see cref="Expected"/> lists every stream the plan reads or writes at its version in the fork: the versions the live
/// apply expects to find. <see cref="Before"/> and <see cref="After"/> are the datacenter before and after the plan
/// (for the horizon).
/// </summary>
public sealed record RehearsalResult(
    ChangePlan Plan, OperationId Operation, DateTimeOffset ForkedAt,
    IReadOnlyList<StepResult> Steps, IReadOnlyList<StreamVersion> Expected,
    IReadOnlyList<VnicChange> Vnics, IReadOnlyList<PfChange> Pfs, IReadOnlyList<string> Warnings,
    Topology Before, Topology After)
{
    /// <summary>Whether every step did what it was asked.</summary>
    public bool AllStepsSucceed => Steps.All(s => s.Outcome.Succeeded);

    /// <summary>Why the plan is NO-GO (empty when every step succeeds).</summary>
    public IEnumerable<string> Failures => Steps.Where(s => !s.Outcome.Succeeded)
        .Select(s => $"{s.Name} ({s.Step.Describe()}) fails: {s.Outcome.Summary}");

    /// <summary>The events every step appends, per stream, in order (what the live apply must append).</summary>
    public ILookup<string, RecordedEvent> EventsByStream => Steps.SelectMany(s => s.Events).ToLookup(e => e.Stream, StringComparer.Ordinal);
}

/// <summary>Runs a plan on a fork of the twin.</summary>
public static class PlanRehearsal
{
    /// <summary>Forks the twin from <paramref name="snapshots"/> (every aggregate at its current stream version), runs each
    /// step of <paramref name="plan"/> under <c>{operation}/{n}</c> at time <paramref name="now"/>, and reports.</summary>
    public static async Task<RehearsalResult> RunAsync(IEnumerable<ISnapshot> snapshots, ChangePlan plan, OperationId operation, DateTimeOffset now)
    {
        var twin = new InMemoryTwin();
        foreach (var s in snapshots) twin.Load(s);
        return await RunAsync(twin, plan, operation, now);
    }

    /// <summary>Runs <paramref name="plan"/> on <paramref name="twin"/> (a fork: it is changed).</summary>
    public static async Task<RehearsalResult> RunAsync(InMemoryTwin twin, ChangePlan plan, OperationId operation, DateTimeOffset now)
    {
        var before = TopologyOf(twin);
        var vmsBefore = twin.Vms.ToDictionary(v => v.Id, StringComparer.Ordinal);
        var nicsBefore = twin.Nics.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var target = new ForkTarget(twin, now);
        var steps = new List<StepResult>();
        for (var i = 0; i < plan.Steps.Count; i++)
        {
            var step = plan.Steps[i];
            var op = PlanSteps.Operation(operation, i);
            var logStart = twin.Log.Count;
            target.BeginStep();
            StepOutcome outcome;
            try
            {
                outcome = await PlanSteps.Run(target, step, op);
            }
            catch (DomainRuleViolated e)
            {
                outcome = new StepOutcome(false, e.Message, "DomainRule");
            }
            var events = twin.Log.Skip(logStart).ToList();
            var ends = events.GroupBy(e => e.Stream, StringComparer.Ordinal)
                .Select(g => new StreamVersion(KindOf(g.First().Event), g.Key, g.Max(e => e.Version)))
                .OrderBy(s => s.Stream, StringComparer.Ordinal).ToList();
            steps.Add(new StepResult(i, plan.StepName(i), step, op, outcome, events, SideEffects.Of(events, target.VmsBefore, twin), target.Seen, ends));
        }

        var expected = new Dictionary<string, StreamVersion>(StringComparer.Ordinal);
        foreach (var seen in steps.SelectMany(s => s.Seen)) expected.TryAdd(seen.Stream, seen);
        var vnics = VnicChanges(vmsBefore, twin).ToList();
        var pfs = twin.Nics.Select(n => (After: n, Before: nicsBefore.GetValueOrDefault(n.Id)))
            .Where(x => x.Before is null || x.Before.Configured != x.After.Configured || x.Before.PendingVfs != x.After.PendingVfs || x.Before.Allocated != x.After.Allocated)
            .Select(x => new PfChange(x.After.Id, x.After.Host.Value, x.Before?.Configured ?? 0, x.After.Configured, x.After.PendingVfs, x.Before?.Allocated ?? 0, x.After.Allocated))
            .ToList();
        var warnings = new List<string>();
        foreach (var n in twin.Nics.Where(n => n.PendingVfs is not null && (nicsBefore.GetValueOrDefault(n.Id)?.PendingVfs != n.PendingVfs || steps.Any(s => s.Ends.Any(e => e.Stream == n.Id)))))
            warnings.Add($"{n.Id}: {n.PendingVfs} VF(s) requested but not in effect until {n.Host} reboots, which the plan does not do (reboot-host stops its running VMs)");
        foreach (var v in vnics.Where(v => v.WantsVf && v.After.StartsWith("synthetic", StringComparison.Ordinal)))
            warnings.Add($"{v.Vnic} wants a VF and runs {v.After} after the plan");
        foreach (var v in vnics.Where(v => v.After.StartsWith("disconnected", StringComparison.Ordinal)))
            warnings.Add($"{v.Vnic} is left {v.After} after the plan");
        return new RehearsalResult(plan, operation, now, steps, [.. expected.Values.OrderBy(s => s.Stream, StringComparer.Ordinal)],
            vnics, pfs, warnings, before, TopologyOf(twin));
    }

    /// <summary>The datacenter an in-memory twin holds, as a topology.</summary>
    public static Topology TopologyOf(InMemoryTwin twin) =>
        TopologyFromState.Build(twin.Hosts, twin.Chipsets, twin.Nics, twin.Switches, twin.Vms);

    /// <summary>The aggregate kind of an event ("host", "chipset", "nic", "switch", "vm").</summary>
    public static string KindOf(object e) => e switch
    {
        HostEvent => Aggregates.Host.Name,
        ChipsetEvent => Aggregates.Chipset.Name,
        NicEvent => Aggregates.Nic.Name,
        SwitchEvent => Aggregates.Switch.Name,
        VmEvent => Aggregates.Vm.Name,
        _ => "unknown",
    };

    private static IEnumerable<VnicChange> VnicChanges(Dictionary<string, VmSnapshot> before, InMemoryTwin after)
    {
        foreach (var vm in after.Vms)
        {
            var was = before.GetValueOrDefault(vm.Id);
            foreach (var v in vm.Vnics)
            {
                var old = was?.Vnics.FirstOrDefault(x => x.Spec.Name == v.Spec.Name);
                if (old is not null && old.Datapath == v.Datapath) continue;
                if (old is null && v.Datapath.Kind == DatapathKind.Off) continue;
                yield return new VnicChange($"{vm.Id}/{v.Spec.Name}", old?.Datapath.ToString() ?? "(new)", v.Datapath.ToString(), v.Spec.WantsVf);
            }
        }
    }
}
