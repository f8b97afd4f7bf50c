using Twin.Events.Common;
using Twin.Events.Platforms;
using static Twin.Events.Hosts.HostEvent;

namespace Twin.Events.Hosts;

public enum HostStatus
{
    Absent,
    Up,
    Maintenance,
    Failed,
}

/// <summary>A VM placed on a host: its vCPUs, memory in MiB, and whether all of it is reserved.</summary>
public readonly record struct Placement(int Vcpus, long MemoryMiB, bool Reserved);

/// <summary>The state of one host, folded from its events. Mutable, evolved in place.</summary>
public sealed partial class Host
{
    private readonly Dictionary<VmId, Placement> _vms = [];
    private readonly Dictionary<VmId, int> _vectors = [];

    public HostStatus Status { get; private set; }
    public HostId Id { get; private set; }
    public Platform Platform { get; private set; }

    /// <summary>Hypervisor / OS release, e.g. "Windows Server 2019", "ESXi 8.0u3".</summary>
    public string Os { get; private set; } = "";
    public int Cores { get; private set; }
    public long MemoryMiB { get; private set; }
    public string Cluster { get; private set; } = "";

    /// <summary>Interrupt vectors available for passthrough (vSphere); 0 when the platform has no such budget.</summary>
    public int InterruptVectorBudget { get; private set; }
    public int InterruptVectorsUsed { get; private set; }
    public int InterruptVectorsFree => InterruptVectorBudget - InterruptVectorsUsed;

    public IReadOnlyDictionary<VmId, Placement> Vms => _vms;
    public IReadOnlyDictionary<VmId, int> VectorReservations => _vectors;

    public int VcpusPlaced { get; private set; }
    public long MemoryPlacedMiB { get; private set; }
    public long MemoryReservedMiB { get; private set; }
    public bool Available => Status == HostStatus.Up;

    public static Host Initial() => new();

    public static Host Evolve(Host s, HostEvent e)
    {
        switch (e)
        {
            case HostRegistered x:
                (s.Status, s.Id, s.Platform, s.Os, s.Cores, s.MemoryMiB, s.Cluster, s.InterruptVectorBudget) =
                    (HostStatus.Up, x.Host, x.Platform, x.Os, x.Cores, x.MemoryMiB, x.Cluster, x.InterruptVectorBudget);
                break;
            case HostOsChanged x:
                s.Os = x.To;
                break;
            case VmPlaced x:
                s.Unplace(x.Vm);
                s._vms[x.Vm] = new Placement(x.Vcpus, x.MemoryMiB, x.ReserveAllMemory);
                s.VcpusPlaced += x.Vcpus;
                s.MemoryPlacedMiB += x.MemoryMiB;
                if (x.ReserveAllMemory) s.MemoryReservedMiB += x.MemoryMiB;
                break;
            case VmUnplaced x:
                s.Unplace(x.Vm);
                break;
            case InterruptVectorsReserved x:
                s.InterruptVectorsUsed -= s._vectors.GetValueOrDefault(x.Vm);
                s._vectors[x.Vm] = x.Vectors;
                s.InterruptVectorsUsed += x.Vectors;
                break;
            case InterruptVectorsReleased x:
                s.InterruptVectorsUsed -= s._vectors.GetValueOrDefault(x.Vm);
                s._vectors.Remove(x.Vm);
                break;
            case HostMaintenanceChanged x when s.Status != HostStatus.Failed:
                s.Status = x.InMaintenance ? HostStatus.Maintenance : HostStatus.Up;
                break;
            case HostFailed:
                s.Status = HostStatus.Failed;
                s._vectors.Clear();
                s.InterruptVectorsUsed = 0;
                break;
            case HostRepaired:
                s.Status = HostStatus.Up;
                break;
            case HostRebooted:
                s._vectors.Clear();
                s.InterruptVectorsUsed = 0;
                break;
        }
        return s;
    }

    private void Unplace(VmId vm)
    {
        if (!_vms.Remove(vm, out var p)) return;
        VcpusPlaced -= p.Vcpus;
        MemoryPlacedMiB -= p.MemoryMiB;
        if (p.Reserved) MemoryReservedMiB -= p.MemoryMiB;
    }
}
