using MediatR;
using Twin.Events.Common;
using Twin.Grains.Contracts;

namespace Twin.Grains.UseCases;

/// <summary>Starts a VM: placement, SR-IOV prerequisites, VFs by the platform's rules, datapaths recorded.</summary>
public sealed record StartVm(VmId Vm) : TwinRequest, IRequest<OperationResult>, IReferencesEntities
{
    public IEnumerable<EntityRef> References() => [EntityRef.Vm(Vm)];
}

/// <summary>Stops a VM, freeing its VFs (a freed VF may go to a waiting vNIC).</summary>
public sealed record StopVm(VmId Vm) : TwinRequest, IRequest<OperationResult>, IReferencesEntities
{
    public IEnumerable<EntityRef> References() => [EntityRef.Vm(Vm)];
}

/// <summary>Live-migrates a running VM (claim on the destination first, free the source after).</summary>
public sealed record MigrateVm(VmId Vm, HostId Destination) : TwinRequest, IRequest<OperationResult>, IReferencesEntities
{
    public IEnumerable<EntityRef> References() => [EntityRef.Vm(Vm), EntityRef.Host(Destination)];
}

/// <summary>"Enable SR-IOV" on a vNIC (weight 1–100) or disable it (0); on a running VM the VF follows at once.</summary>
public sealed record SetIovWeight(VmId Vm, string Vnic, int IovWeight) : TwinRequest, IRequest<OperationResult>, IValidatable, IReferencesEntities
{
    public IEnumerable<string> Validate()
    {
        if (IovWeight is < 0 or > 100) yield return $"IovWeight must be 0-100, not {IovWeight}";
        if (string.IsNullOrWhiteSpace(Vnic)) yield return "the vNIC name is required";
    }

    public IEnumerable<EntityRef> References() => [EntityRef.Vm(Vm)];
}

internal sealed class VmSagaHandlers(IGrainFactory grains) :
    IRequestHandler<StartVm, OperationResult>, IRequestHandler<StopVm, OperationResult>,
    IRequestHandler<MigrateVm, OperationResult>, IRequestHandler<SetIovWeight, OperationResult>
{
    private IVmGrain Vm(VmId id) => grains.GetGrain<IVmGrain>(id.Value);

    public async Task<OperationResult> Handle(StartVm r, CancellationToken ct) => OperationResult.From(await Vm(r.Vm).Start(r.Context()));

    public async Task<OperationResult> Handle(StopVm r, CancellationToken ct) => OperationResult.From(await Vm(r.Vm).Stop(r.Context()));

    public async Task<OperationResult> Handle(MigrateVm r, CancellationToken ct) => OperationResult.From(await Vm(r.Vm).Migrate(r.Destination, r.Context()));

    public async Task<OperationResult> Handle(SetIovWeight r, CancellationToken ct) =>
        OperationResult.From(await Vm(r.Vm).SetIovWeight(r.Vnic, r.IovWeight, r.Context()));
}
