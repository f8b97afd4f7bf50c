using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Simulation.Rehearsal;

/// <summary>
/// Where a plan step runs: the fork of a rehearsal (in memory) or the live twin (grains). Both run the same sagas over
/// <see cref="ITwinPort"/>; the VM sagas go through the VM's own entry point, which the live twin runs inside the VM's
/// grain (with the reminder that resumes an interrupted saga), exactly as the live use cases do.
/// </summary>
public interface IPlanTarget
{
    /// <summary>Runs a saga the edge runs itself (PF changes, switch recreation, reboots, single commands and reads)
    /// under operation <paramref name="op"/>, and lets what it caused settle.</summary>
    ValueTask<T> Run<T>(OperationId op, Func<ITwinPort, ValueTask<T>> saga);

    ValueTask<SagaOutcome> StartVm(VmId vm, OperationId op);
    ValueTask<SagaOutcome> StopVm(VmId vm, OperationId op);
    ValueTask<SagaOutcome> MigrateVm(VmId vm, HostId destination, OperationId op);
    ValueTask<SagaOutcome> SetIovWeight(VmId vm, string vnic, int weight, OperationId op);

    /// <summary>The VMs defined on a host (any status), in id order.</summary>
    ValueTask<IReadOnlyList<VmId>> VmsOn(HostId host);

    /// <summary>The PFs installed on a host, in id order.</summary>
    ValueTask<IReadOnlyList<NicId>> NicsOn(HostId host);
}

/// <summary>How a step ended: whether it did what was asked, a sentence for a person, and the machine-readable
/// reason when it did not.</summary>
public sealed record StepOutcome(bool Succeeded, string Summary, string? Reason = null)
{
    public static StepOutcome From(SagaOutcome o) => new(o.Succeeded, o.Summary, o.Succeeded ? null : o.Reason?.ToString() ?? "Refused");
}

/// <summary>
/// What each plan step does, written once over <see cref="IPlanTarget"/>: the rehearsal runs it on a fork and the
/// live apply runs it on the grains, so the apply does what was rehearsed. Each step is the live use case of the same
/// name (same commands, same sagas, same refusals). Impossible steps throw <see cref="DomainRuleViolated"/>.
/// </summary>
public static class PlanSteps
{
    /// <summary>The operation id of step <paramref name="index"/> (0-based) of the plan run under <paramref name="plan"/>:
    /// the same in the rehearsal and the apply, so an apply retried after a failure is idempotent.</summary>
    public static OperationId Operation(OperationId plan, int index) => new($"{plan.Value}/{index + 1}");

    public static async ValueTask<StepOutcome> Run(IPlanTarget target, PlanStep step, OperationId op) => step switch
    {
        CreateSwitchStep s => await CreateSwitch(target, s, op),
        SetSwitchIovStep s => await target.Run(op, async p => Refusal(await p.Switch(new SwitchCommand.SetSwitchIov(s.Switch, s.Iov, op, p.Now)),
            $"switch {s.Switch} already has IOV {(s.Iov ? "on" : "off")}")),
        RecreateSwitchStep s => StepOutcome.From(await target.Run(op, p => PfSagas.RecreateSwitch(p, s.Switch, s.Iov))),
        EnableSriovStep s => await Configure(target, op, p => new NicCommand.EnableSriov(s.Nic, s.Vfs, op, p.Now)),
        DisableSriovStep s => await Configure(target, op, p => new NicCommand.DisableSriov(s.Nic, op, p.Now)),
        SetVfsStep s => await Configure(target, op, p => new NicCommand.SetVfCount(s.Nic, s.Vfs, op, p.Now)),
        ApplyPendingStep s => await Configure(target, op, p => new NicCommand.ApplyPendingConfiguration(s.Nic, op, p.Now)),
        RebootHostStep s => await Reboot(target, s.Host, op),
        SetIovWeightStep s => await SetIovWeight(target, s, op),
        StartVmStep s => StepOutcome.From(await target.StartVm(s.Vm, op)),
        StopVmStep s => StepOutcome.From(await target.StopVm(s.Vm, op)),
        MigrateVmStep s => StepOutcome.From(await target.MigrateVm(s.Vm, s.To, op)),
        DefineVmStep s => await DefineVm(target, s, op),
        SetPolicyStep s => await target.Run(op, async p => Refusal(await p.Nic(new NicCommand.SetScarceVfPolicy(s.Nic, s.Policy, p.Now)),
            $"{s.Nic} already uses {s.Policy}")),
        DefinePoolStep s => await target.Run(op, async p => Refusal(await p.Nic(new NicCommand.DefineResourcePool(s.Nic, s.Pool, s.Vfs, p.Now)),
            $"pool '{s.Pool}' is already defined so")),
        _ => throw new ArgumentOutOfRangeException(nameof(step), step.GetType().Name, "unknown plan step"),
    };

    private static ValueTask<StepOutcome> CreateSwitch(IPlanTarget target, CreateSwitchStep s, OperationId op) => target.Run(op, async p =>
    {
        var host = await p.GetHost(s.Host) ?? throw new DomainRuleViolated($"host {s.Host} is not registered");
        var name = s.SwitchName ?? s.Switch.Value[(s.Switch.Value.LastIndexOf('/') + 1)..];
        return Refusal(await p.Switch(new SwitchCommand.CreateSwitch(s.Switch, s.Host, host.Platform, name, s.Kind, s.Nic, s.Iov, op, p.Now)),
            $"switch {s.Switch} already exists as described");
    });

    private static ValueTask<StepOutcome> DefineVm(IPlanTarget target, DefineVmStep s, OperationId op) => target.Run(op, async p =>
    {
        var host = await p.GetHost(s.Host) ?? throw new DomainRuleViolated($"host {s.Host} is not registered");
        foreach (var sw in s.Vnics.Select(v => v.Switch).Distinct())
            if (await p.GetSwitch(sw) is not { Status: SwitchStatus.Active }) throw new DomainRuleViolated($"switch {sw} does not exist");
        return Refusal(await p.Vm(new VmCommand.DefineVm(s.Vm, s.Host, host.Platform, GuestOs.Parse(s.Guest, s.GuestHasVfDriver),
            s.Vcpus, s.MemoryMiB, s.Vnics, p.Now)), $"VM {s.Vm} is already defined as described");
    });

    private static ValueTask<StepOutcome> Configure(IPlanTarget target, OperationId op, Func<ITwinPort, NicCommand> command) => target.Run(op, async p =>
    {
        var c = command(p);
        var result = await PfSagas.Configure(p, c);
        if (result.Events.OfType<NicEvent.VfConfigurationRejected>().FirstOrDefault() is { } x)
            return new StepOutcome(false, $"{c.Nic} refused: {x.Reason}{(x.Holders.Count > 0 ? $" (VFs held by {string.Join(", ", x.Holders)})" : "")}", x.Reason.ToString());
        if (result.Events.Length == 0) return new StepOutcome(true, $"{c.Nic}: nothing to change");
        if (result.Events.OfType<NicEvent.VfConfigurationPending>().FirstOrDefault() is { } pending)
            return new StepOutcome(true, $"{c.Nic}: {(pending.Enabled ? $"{pending.RequestedVfs} VF(s)" : "SR-IOV off")} requested, in effect after {result.Snapshot.Host} reboots");
        var revoked = result.Events.OfType<NicEvent.VfRevoked>().Count();
        return new StepOutcome(true, $"{c.Nic}: {result.Snapshot.Configured} VF(s) configured, {result.Snapshot.Allocated} allocated"
                                     + (revoked > 0 ? $"; {revoked} VF(s) revoked from their holders" : ""));
    });

    /// <summary>As the live reboot: every VM on the host is stopped by its own saga, then the host reboots and each PF's
    /// pending configuration takes effect.</summary>
    private static async ValueTask<StepOutcome> Reboot(IPlanTarget target, HostId host, OperationId op)
    {
        if (await target.Run(op, p => p.GetHost(host)) is null) throw new DomainRuleViolated($"host {host} is not registered");
        foreach (var vm in await target.VmsOn(host))
            if (await target.Run(op, p => p.GetVm(vm)) is { Status: not VmStatus.Off and not VmStatus.Deleted and not VmStatus.Absent })
                await target.StopVm(vm, op);
        var nics = await target.NicsOn(host);
        return StepOutcome.From(await target.Run(op, p => PfSagas.RebootHost(p, host, [], nics)));
    }

    /// <summary>One per-vNIC saga per vNIC, each under its own operation (<c>{op}/{vnic}</c> when the step covers every
    /// vNIC of the VM).</summary>
    private static async ValueTask<StepOutcome> SetIovWeight(IPlanTarget target, SetIovWeightStep s, OperationId op)
    {
        if (s.Vnic is { } one) return StepOutcome.From(await target.SetIovWeight(s.Vm, one, s.IovWeight, op));
        var vm = await target.Run(op, p => p.GetVm(s.Vm)) ?? throw new DomainRuleViolated($"VM {s.Vm} is not defined");
        var outcomes = new List<SagaOutcome>();
        foreach (var vnic in vm.Vnics.Select(v => v.Spec.Name))
            outcomes.Add(await target.SetIovWeight(s.Vm, vnic, s.IovWeight, new OperationId($"{op.Value}/{vnic}")));
        var failed = outcomes.FirstOrDefault(o => !o.Succeeded);
        return new StepOutcome(failed is null, outcomes.Count == 0 ? $"VM {s.Vm} has no vNIC" : string.Join("; ", outcomes.Select(o => o.Summary)),
            failed is null ? null : failed.Reason?.ToString() ?? "Refused");
    }

    /// <summary>A single command's outcome: refused when it appended a <c>…Rejected</c> event.</summary>
    private static StepOutcome Refusal<TEvent, TSnapshot>(CommandResult<TEvent, TSnapshot> result, string whenNone) where TSnapshot : ISnapshot
    {
        foreach (var e in result.Events)
            switch (e)
            {
                case SwitchEvent.SwitchIovChangeRejected x:
                    return new(false, $"{x.Reason}; plan: {x.Plan}; it would disconnect {(x.WouldDisconnect.Count == 0 ? "no vNIC" : string.Join(", ", x.WouldDisconnect))}",
                        "IovFixedAtCreation");
                case NicEvent.ResourcePoolRejected x:
                    return new(false, $"pool '{x.Name}' refused: {x.Problem}", "InvalidResourcePool");
            }
        return new(true, result.Events.Length == 0 ? whenNone : string.Join("; ", result.Events.Select(e => e!.GetType().Name)));
    }
}
