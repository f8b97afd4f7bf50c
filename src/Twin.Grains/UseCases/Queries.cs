using Marten;
using MediatR;
using Twin.Events.Chipsets;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Grains.UseCases;

/// <summary>The whole datacenter now, from the read models (queries never call grains). Optionally one host's part.</summary>
public sealed record GetInventory(string? Host = null) : IRequest<Inventory>;

/// <summary>Every aggregate's current snapshot.</summary>
public sealed record Inventory(
    IReadOnlyList<HostSnapshot> Hosts,
    IReadOnlyList<ChipsetSnapshot> Chipsets,
    IReadOnlyList<NicSnapshot> Nics,
    IReadOnlyList<SwitchSnapshot> Switches,
    IReadOnlyList<VmSnapshot> Vms);

internal sealed class GetInventoryHandler(IQuerySession session) : IRequestHandler<GetInventory, Inventory>
{
    public async Task<Inventory> Handle(GetInventory q, CancellationToken ct)
    {
        var hosts = await session.Query<HostSnapshot>().Where(h => q.Host == null || h.Id == q.Host).OrderBy(h => h.Id).ToListAsync(ct);
        var chipsets = await session.Query<ChipsetSnapshot>().OrderBy(c => c.Id).ToListAsync(ct);
        var nics = await session.Query<NicSnapshot>().OrderBy(n => n.Id).ToListAsync(ct);
        var switches = await session.Query<SwitchSnapshot>().OrderBy(s => s.Id).ToListAsync(ct);
        var vms = await session.Query<VmSnapshot>().Where(v => v.Status != VmStatus.Deleted).OrderBy(v => v.Id).ToListAsync(ct);
        if (q.Host is { } host)
        {
            chipsets = [.. chipsets.Where(c => c.Host.Value == host)];
            nics = [.. nics.Where(n => n.Host.Value == host)];
            switches = [.. switches.Where(s => s.Host.Value == host)];
            vms = [.. vms.Where(v => v.Host.Value == host)];
        }
        return new Inventory(hosts, chipsets, nics, switches, vms);
    }
}

/// <summary>The VF pools (one per PF) with their four counters, holders and waiters; optionally one host's.</summary>
public sealed record GetVfPools(string? Host = null) : IRequest<IReadOnlyList<NicSnapshot>>;

internal sealed class GetVfPoolsHandler(IQuerySession session) : IRequestHandler<GetVfPools, IReadOnlyList<NicSnapshot>>
{
    public async Task<IReadOnlyList<NicSnapshot>> Handle(GetVfPools q, CancellationToken ct)
    {
        var nics = await session.Query<NicSnapshot>().OrderBy(n => n.Id).ToListAsync(ct);
        return q.Host is null ? nics : [.. nics.Where(n => n.Host.Value == q.Host)];
    }
}

/// <summary>One VM with its vNICs' datapaths.</summary>
public sealed record GetVm(string Vm) : IRequest<VmSnapshot>;

internal sealed class GetVmHandler(IQuerySession session) : IRequestHandler<GetVm, VmSnapshot>
{
    public async Task<VmSnapshot> Handle(GetVm q, CancellationToken ct) =>
        await session.LoadAsync<VmSnapshot>(q.Vm, ct) is { Status: not VmStatus.Absent } vm ? vm : throw new EntityNotFoundException("vm", q.Vm);
}

/// <summary>One PF's VF pool.</summary>
public sealed record GetNic(string Nic) : IRequest<NicSnapshot>;

internal sealed class GetNicHandler(IQuerySession session) : IRequestHandler<GetNic, NicSnapshot>
{
    public async Task<NicSnapshot> Handle(GetNic q, CancellationToken ct) =>
        await session.LoadAsync<NicSnapshot>(q.Nic, ct) is { Status: not NicStatus.Absent } nic ? nic : throw new EntityNotFoundException("nic", q.Nic);
}
