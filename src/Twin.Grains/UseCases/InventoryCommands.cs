using Marten;
using MediatR;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Grains.Contracts;

namespace Twin.Grains.UseCases;

/// <summary>Registers a host and its chipset record. Memory in MiB.</summary>
public sealed record RegisterHost(HostId Host, Platform Platform, string Os, int Cores, long MemoryMiB, string Cluster,
    ChipsetCapabilities? Chipset = null, string? ChipsetDescription = null, int? InterruptVectorBudget = null)
    : TwinRequest, IRequest<OperationResult>, IValidatable
{
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Host.Value)) yield return "host id is required";
        if (Cores <= 0) yield return $"cores must be positive, not {Cores}";
        if (MemoryMiB <= 0) yield return $"memory must be positive, not {MemoryMiB} MiB";
        if (InterruptVectorBudget is <= 0) yield return "the interrupt-vector budget must be positive";
    }
}

internal sealed class RegisterHostHandler(IGrainFactory grains, TimeProvider clock) : IRequestHandler<RegisterHost, OperationResult>
{
    public async Task<OperationResult> Handle(RegisterHost r, CancellationToken ct)
    {
        var context = r.Context();
        var now = clock.GetUtcNow();
        var host = await grains.GetGrain<IHostGrain>(r.Host.Value)
            .Execute(new HostCommand.RegisterHost(r.Host, r.Platform, r.Os, r.Cores, r.MemoryMiB, r.Cluster, r.InterruptVectorBudget, now), context);
        var chipset = await grains.GetGrain<IChipsetGrain>(ChipsetId.Of(r.Host).Value)
            .Execute(new ChipsetCommand.RegisterChipset(ChipsetId.Of(r.Host), r.Host, r.ChipsetDescription ?? "", r.Chipset ?? ChipsetCapabilities.Full, now), context);
        return OperationResult.FromEvents<object>(context.Operation.Value, [.. host.Events, .. chipset.Events], $"host {r.Host} is already registered as described");
    }
}

/// <summary>Installs a PF on a host. <see cref="MaxVfs"/> null = the capture reports no ceiling.</summary>
public sealed record InstallNic(NicId Nic, HostId Host, string PciAddress, string Model, NicVendor Vendor, int LinkMbps, int NumaNode,
    int? MaxVfs, bool PfDriverSupportsSriov = true, int? VPorts = null, int? QueuePairs = null)
    : TwinRequest, IRequest<OperationResult>, IValidatable, IReferencesEntities
{
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Nic.Value)) yield return "NIC id is required";
        if (LinkMbps <= 0) yield return $"link rate must be positive, not {LinkMbps} Mbit/s";
        if (MaxVfs is < 0) yield return $"VF ceiling cannot be negative ({MaxVfs})";
    }

    public IEnumerable<EntityRef> References() => [EntityRef.Host(Host)];
}

internal sealed class InstallNicHandler(IGrainFactory grains, TimeProvider clock, IQuerySession session) : IRequestHandler<InstallNic, OperationResult>
{
    public async Task<OperationResult> Handle(InstallNic r, CancellationToken ct)
    {
        var host = await session.LoadAsync<HostSnapshot>(r.Host.Value, ct)
                   ?? throw new EntityNotFoundException("host", r.Host.Value);
        var context = r.Context();
        var result = await grains.GetGrain<INicGrain>(r.Nic.Value).Execute(new NicCommand.InstallNic(r.Nic, r.Host, host.Platform, r.Model, r.Vendor,
            r.PciAddress, r.LinkMbps, r.NumaNode, r.MaxVfs, r.PfDriverSupportsSriov, r.VPorts, r.QueuePairs, clock.GetUtcNow()), context);
        return OperationResult.FromEvents(context.Operation.Value, result.Events, $"NIC {r.Nic} is already installed as described");
    }
}

/// <summary>Creates a virtual switch on a host (Hyper-V: IOV can only be chosen now).</summary>
public sealed record CreateSwitch(SwitchId Switch, HostId Host, string Name, SwitchKind Kind, NicId? BoundNic, bool IovEnabled)
    : TwinRequest, IRequest<OperationResult>, IValidatable, IReferencesEntities
{
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Switch.Value)) yield return "switch id is required";
        if (Kind is SwitchKind.External or SwitchKind.HostdevPool && BoundNic is null) yield return $"an {Kind} switch needs the NIC it is bound to";
        if (IovEnabled && Kind is SwitchKind.Internal or SwitchKind.Private) yield return $"IOV needs an external switch, not {Kind}";
    }

    public IEnumerable<EntityRef> References() => BoundNic is { } n ? [EntityRef.Host(Host), EntityRef.Nic(n)] : [EntityRef.Host(Host)];
}

internal sealed class CreateSwitchHandler(IGrainFactory grains, TimeProvider clock, IQuerySession session) : IRequestHandler<CreateSwitch, OperationResult>
{
    public async Task<OperationResult> Handle(CreateSwitch r, CancellationToken ct)
    {
        var host = await session.LoadAsync<HostSnapshot>(r.Host.Value, ct) ?? throw new EntityNotFoundException("host", r.Host.Value);
        var context = r.Context();
        var result = await grains.GetGrain<ISwitchGrain>(r.Switch.Value)
            .Execute(new SwitchCommand.CreateSwitch(r.Switch, r.Host, host.Platform, r.Name, r.Kind, r.BoundNic, r.IovEnabled, context.Operation, clock.GetUtcNow()), context);
        return OperationResult.FromEvents(context.Operation.Value, result.Events, $"switch {r.Switch} already exists as described");
    }
}

/// <summary>Defines a VM (off) on a host with its vNICs.</summary>
public sealed record DefineVm(VmId Vm, HostId Host, string Guest, int Vcpus, long MemoryMiB, IReadOnlyList<VnicSpec> Vnics, bool GuestHasVfDriver = true)
    : TwinRequest, IRequest<OperationResult>, IValidatable, IReferencesEntities
{
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Vm.Value)) yield return "VM id is required";
        if (Vcpus <= 0) yield return $"vCPUs must be positive, not {Vcpus}";
        if (MemoryMiB <= 0) yield return $"memory must be positive, not {MemoryMiB} MiB";
        foreach (var v in Vnics)
        {
            if (string.IsNullOrWhiteSpace(v.Name)) yield return "every vNIC needs a name";
            if (v.IovWeight is < 0 or > 100) yield return $"vNIC '{v.Name}': IovWeight must be 0-100, not {v.IovWeight}";
            if (v.QueuePairs < 1) yield return $"vNIC '{v.Name}': at least one queue pair";
        }
        if (Vnics.Select(v => v.Name).Distinct().Count() != Vnics.Count) yield return "vNIC names must be unique";
    }

    public IEnumerable<EntityRef> References() => [EntityRef.Host(Host), .. Vnics.Select(v => EntityRef.Switch(v.Switch)).Distinct()];
}

internal sealed class DefineVmHandler(IGrainFactory grains, TimeProvider clock, IQuerySession session) : IRequestHandler<DefineVm, OperationResult>
{
    public async Task<OperationResult> Handle(DefineVm r, CancellationToken ct)
    {
        var host = await session.LoadAsync<HostSnapshot>(r.Host.Value, ct) ?? throw new EntityNotFoundException("host", r.Host.Value);
        var context = r.Context();
        var result = await grains.GetGrain<IVmGrain>(r.Vm.Value).Execute(new VmCommand.DefineVm(r.Vm, r.Host, host.Platform,
            GuestOs.Parse(r.Guest, r.GuestHasVfDriver), r.Vcpus, r.MemoryMiB, r.Vnics.ToValueList(), clock.GetUtcNow()), context);
        return OperationResult.FromEvents(context.Operation.Value, result.Events, $"VM {r.Vm} is already defined as described");
    }
}
