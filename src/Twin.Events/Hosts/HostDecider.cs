using Twin.Events.Catalog;
using Twin.Events.Common;
using Twin.Events.Platforms;
using static Twin.Events.Hosts.HostCommand;
using static Twin.Events.Hosts.HostEvent;

namespace Twin.Events.Hosts;

/// <summary>Decides commands to a host: registration, placement (reserved memory never exceeds physical memory),
/// the vSphere interrupt-vector budget, and lifecycle.</summary>
public static class HostDecider
{
    public static readonly Decider<HostCommand, HostEvent, Host> Decider = new(Decide, Host.Evolve, Host.Initial);

    public static HostEvent[] Decide(HostCommand command, Host s) => (command, s.Status) switch
    {
        (RegisterHost c, HostStatus.Absent) => Register(c),
        (RegisterHost c, _) => c.Platform == s.Platform && c.Cores == s.Cores && c.MemoryMiB == s.MemoryMiB && c.Cluster == s.Cluster
            ? c.Os == s.Os ? [] : [new HostOsChanged(s.Id, s.Os, c.Os, c.At)]
            : throw new DomainRuleViolated($"host {c.Host} is already registered with other facts ({s.Platform}, {s.Cores} cores, {s.MemoryMiB} MiB, cluster '{s.Cluster}')"),
        (_, HostStatus.Absent) => throw new DomainRuleViolated($"host {command.Host} is not registered"),
        (ChangeHostOs c, _) => c.Os == s.Os ? [] : [new HostOsChanged(s.Id, s.Os, c.Os, c.At)],
        (PlaceVm c, _) => Place(c, s),
        (RemoveVm c, _) => s.Vms.ContainsKey(c.Vm) ? [new VmUnplaced(s.Id, c.Vm, c.Op, c.At)] : [],
        (ReserveInterruptVectors c, _) => Reserve(c, s),
        (ReleaseInterruptVectors c, _) => s.VectorReservations.TryGetValue(c.Vm, out var n)
            ? [new InterruptVectorsReleased(s.Id, c.Vm, n, c.Op, c.At)] : [],
        (SetMaintenance c, HostStatus.Failed) => throw new DomainRuleViolated($"host {c.Host} is failed; repair it before changing maintenance"),
        (SetMaintenance c, _) => c.InMaintenance == (s.Status == HostStatus.Maintenance) ? [] : [new HostMaintenanceChanged(s.Id, c.InMaintenance, c.At)],
        (FailHost, HostStatus.Failed) => [],
        (FailHost c, _) => [new HostFailed(s.Id, c.Op, c.At)],
        (RepairHost c, HostStatus.Failed) => [new HostRepaired(s.Id, c.Op, c.At)],
        (RepairHost, _) => [],
        (RebootHost c, HostStatus.Failed) => throw new DomainRuleViolated($"host {c.Host} is failed; repair it instead of rebooting"),
        (RebootHost c, _) => [new HostRebooted(s.Id, c.Op, c.At)],
        _ => throw new DomainRuleViolated($"{command.GetType().Name} is not valid for a {s.Status} host"),
    };

    private static HostEvent[] Register(RegisterHost c)
    {
        if (c.Cores <= 0) throw new DomainRuleViolated($"host {c.Host} needs a positive core count, not {c.Cores}");
        if (c.MemoryMiB <= 0) throw new DomainRuleViolated($"host {c.Host} needs positive memory, not {c.MemoryMiB} MiB");
        var rules = PlatformRules.For(c.Platform);
        var budget = rules.HasInterruptVectorBudget ? c.InterruptVectorBudget ?? InterruptVectors.DefaultPassthroughBudget.Value : 0;
        return [new HostRegistered(c.Host, c.Platform, c.Os, c.Cores, c.MemoryMiB, c.Cluster, budget, c.At)];
    }

    private static HostEvent[] Place(PlaceVm c, Host s)
    {
        if (s.Vms.TryGetValue(c.Vm, out var existing) && existing == new Placement(c.Vcpus, c.MemoryMiB, c.ReserveAllMemory)) return [];
        if (!s.Available)
            return [new VmPlacementRejected(s.Id, c.Vm, HostRefusal.HostUnavailable, $"host {s.Id} is {s.Status}", c.Op, c.At)];
        var reservedOthers = s.MemoryReservedMiB - (existing.Reserved ? existing.MemoryMiB : 0);
        if (c.ReserveAllMemory && reservedOthers + c.MemoryMiB > s.MemoryMiB)
            return [new VmPlacementRejected(s.Id, c.Vm, HostRefusal.InsufficientMemory,
                $"{c.MemoryMiB} MiB to reserve, {s.MemoryMiB - reservedOthers} MiB of {s.MemoryMiB} MiB not yet reserved", c.Op, c.At)];
        return [new VmPlaced(s.Id, c.Vm, c.Vcpus, c.MemoryMiB, c.ReserveAllMemory, c.Op, c.At)];
    }

    private static HostEvent[] Reserve(ReserveInterruptVectors c, Host s)
    {
        if (c.Vectors < 0) throw new DomainRuleViolated($"cannot reserve {c.Vectors} interrupt vectors");
        if (s.InterruptVectorBudget == 0 || c.Vectors == 0) return [];
        if (s.VectorReservations.TryGetValue(c.Vm, out var held) && held == c.Vectors) return [];
        var free = s.InterruptVectorsFree + held;
        // VMware: 3X + 2Y < budget, so the sum must stay strictly below it
        return s.InterruptVectorsUsed - held + c.Vectors < s.InterruptVectorBudget
            ? [new InterruptVectorsReserved(s.Id, c.Vm, c.Vectors, c.Op, c.At)]
            : [new InterruptVectorsRejected(s.Id, c.Vm, c.Vectors, free, c.Op, c.At)];
    }
}
