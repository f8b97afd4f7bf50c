using MediatR;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Grains.Sagas;

namespace Twin.Grains.UseCases;

/// <summary>What to do to a PF's SR-IOV configuration.</summary>
public enum PfAction
{
    /// <summary>Turn SR-IOV on with <see cref="ConfigurePf.VfCount"/> VFs.</summary>
    Enable,
    Disable,
    /// <summary>Change the VF count to <see cref="ConfigurePf.VfCount"/>.</summary>
    SetVfCount,
    Fail,
    Repair,
    /// <summary>The host rebooted: a pending (vSphere) change takes effect.</summary>
    ApplyPending,
}

/// <summary>Changes a PF; every VM using it gets what happens to its vNICs (revocations, fallback, hand-overs) as
/// part of the same operation.</summary>
public sealed record ConfigurePf(NicId Nic, PfAction Action, int? VfCount = null)
    : TwinRequest, IRequest<OperationResult>, IValidatable, IReferencesEntities
{
    public IEnumerable<string> Validate()
    {
        if (Action is PfAction.Enable or PfAction.SetVfCount && VfCount is null) yield return $"{Action} needs a VF count";
        if (VfCount is < 0) yield return $"a VF count cannot be negative ({VfCount})";
        if (Action == PfAction.Enable && VfCount == 0) yield return "enabling SR-IOV needs at least one VF";
    }

    public IEnumerable<EntityRef> References() => [EntityRef.Nic(Nic)];
}

internal sealed class ConfigurePfHandler(IGrainFactory grains, TimeProvider clock, ISagaFaults faults) : IRequestHandler<ConfigurePf, OperationResult>
{
    public async Task<OperationResult> Handle(ConfigurePf r, CancellationToken ct)
    {
        var context = r.Context();
        var port = new GrainTwinPort(grains, context, clock, faults);
        var (op, now) = (context.Operation, clock.GetUtcNow());
        NicCommand command = r.Action switch
        {
            PfAction.Enable => new NicCommand.EnableSriov(r.Nic, r.VfCount!.Value, op, now),
            PfAction.Disable => new NicCommand.DisableSriov(r.Nic, op, now),
            PfAction.SetVfCount => new NicCommand.SetVfCount(r.Nic, r.VfCount!.Value, op, now),
            PfAction.Fail => new NicCommand.FailNic(r.Nic, op, now),
            PfAction.Repair => new NicCommand.RepairNic(r.Nic, op, now),
            _ => new NicCommand.ApplyPendingConfiguration(r.Nic, op, now),
        };
        var result = await PfSagas.Configure(port, command);
        return OperationResult.FromEvents(op.Value, result.Events, $"{r.Nic}: nothing to change",
            e => e is NicEvent.VfConfigurationRejected x
                ? $"{r.Nic} refused {r.Action}{(r.VfCount is { } n ? $" {n}" : "")}: {x.Reason}{(x.Holders.Count > 0 ? $" (held by {string.Join(", ", x.Holders)})" : "")}"
                : null);
    }
}

/// <summary>Declares a named resource pool of VFs on a PF (pools never share a VF).</summary>
public sealed record DefineResourcePool(NicId Nic, string Name, IReadOnlyList<int> VfIndices)
    : TwinRequest, IRequest<OperationResult>, IValidatable, IReferencesEntities
{
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) yield return "a resource pool needs a name";
        if (VfIndices.Count == 0) yield return "a resource pool needs at least one VF";
    }

    public IEnumerable<EntityRef> References() => [EntityRef.Nic(Nic)];
}

internal sealed class DefineResourcePoolHandler(IGrainFactory grains, TimeProvider clock) : IRequestHandler<DefineResourcePool, OperationResult>
{
    public async Task<OperationResult> Handle(DefineResourcePool r, CancellationToken ct)
    {
        var context = r.Context();
        var result = await grains.GetGrain<Contracts.INicGrain>(r.Nic.Value)
            .Execute(new NicCommand.DefineResourcePool(r.Nic, r.Name, r.VfIndices.ToValueList(), clock.GetUtcNow()), context);
        return OperationResult.FromEvents(context.Operation.Value, result.Events, $"pool '{r.Name}' is already defined so",
            e => e is NicEvent.ResourcePoolRejected x ? $"pool '{r.Name}' refused: {x.Problem}" : null);
    }
}

/// <summary>Chooses how a PF arbitrates scarce VFs (a modelling assumption for Hyper-V).</summary>
public sealed record SetScarceVfPolicy(NicId Nic, ScarceVfPolicy Policy) : TwinRequest, IRequest<OperationResult>, IReferencesEntities
{
    public IEnumerable<EntityRef> References() => [EntityRef.Nic(Nic)];
}

internal sealed class SetScarceVfPolicyHandler(IGrainFactory grains, TimeProvider clock) : IRequestHandler<SetScarceVfPolicy, OperationResult>
{
    public async Task<OperationResult> Handle(SetScarceVfPolicy r, CancellationToken ct)
    {
        var context = r.Context();
        var result = await grains.GetGrain<Contracts.INicGrain>(r.Nic.Value).Execute(new NicCommand.SetScarceVfPolicy(r.Nic, r.Policy, clock.GetUtcNow()), context);
        return OperationResult.FromEvents(context.Operation.Value, result.Events, $"{r.Nic} already uses {r.Policy}");
    }
}

/// <summary>Asks a PF for one VF for a vNIC directly (the VF authority alone, no VM saga): what the benchmark and
/// low-level tools use. The vNIC's VM records nothing.</summary>
public sealed record AllocateVf(NicId Nic, VnicRef Vnic, int IovWeight = 100, int QueuePairs = 1)
    : TwinRequest, IRequest<VfAllocationResult>, IValidatable, IReferencesEntities
{
    public IEnumerable<string> Validate()
    {
        if (IovWeight is < 1 or > 100) yield return $"IovWeight must be 1-100 to ask for a VF, not {IovWeight}";
        if (QueuePairs < 1) yield return "at least one queue pair";
    }

    public IEnumerable<EntityRef> References() => [EntityRef.Nic(Nic)];
}

/// <summary>The VF given (or already held), or the reason none was.</summary>
public sealed record VfAllocationResult(bool Granted, int? VfIndex, string? Reason, string Operation);

internal sealed class AllocateVfHandler(IGrainFactory grains, TimeProvider clock) : IRequestHandler<AllocateVf, VfAllocationResult>
{
    public async Task<VfAllocationResult> Handle(AllocateVf r, CancellationToken ct)
    {
        var context = r.Context();
        var result = await grains.GetGrain<Contracts.INicGrain>(r.Nic.Value).Execute(
            new NicCommand.AllocateVfs(r.Nic, [new VfRequest(r.Vnic, r.IovWeight, r.QueuePairs)], context.Operation, clock.GetUtcNow()), context);
        var held = result.Snapshot.Slots.FirstOrDefault(s => s.Holder == r.Vnic);
        var rejected = result.Events.OfType<NicEvent.VfAllocationRejected>().FirstOrDefault();
        return new VfAllocationResult(held is not null, held?.Index, rejected?.Reason.ToString() ?? (held is null ? "Waiting" : null), context.Operation.Value);
    }
}

/// <summary>Gives back the VF a vNIC holds on a PF (under a claim, or whatever it holds).</summary>
public sealed record ReleaseVf(NicId Nic, VnicRef Vnic, string? Claim = null) : TwinRequest, IRequest<OperationResult>, IReferencesEntities
{
    public IEnumerable<EntityRef> References() => [EntityRef.Nic(Nic)];
}

internal sealed class ReleaseVfHandler(IGrainFactory grains, TimeProvider clock, ISagaFaults faults) : IRequestHandler<ReleaseVf, OperationResult>
{
    public async Task<OperationResult> Handle(ReleaseVf r, CancellationToken ct)
    {
        var context = r.Context();
        var port = new GrainTwinPort(grains, context, clock, faults);
        var result = await port.Nic(new NicCommand.ReleaseVf(r.Nic, r.Vnic, new OperationId(r.Claim ?? ""), context.Operation, clock.GetUtcNow()));
        await VmSagas.Propagate(port, r.Nic, result.Events, r.Vnic.Vm, SriovBlocker.VfPoolExhausted);
        return OperationResult.FromEvents(context.Operation.Value, result.Events, $"{r.Vnic} holds no VF on {r.Nic}{(r.Claim is null ? "" : $" under claim {r.Claim}")}");
    }
}
