using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Hosts;

/// <summary>A VM on a host, in a snapshot: its placement (when <paramref name="Placed"/>) and the interrupt vectors it holds.</summary>
[GenerateSerializer, Immutable]
public sealed record PlacementSnapshot(VmId Vm, bool Placed, int Vcpus,
    long MemoryMiB, bool Reserved, int InterruptVectors);

/// <summary>An immutable image of a host's state at a stream version (see <see cref="Nics.NicSnapshot"/>).</summary>
[GenerateSerializer, Immutable]
public sealed record HostSnapshot(
    string Id, long Version, HostStatus Status, Platform Platform,
    string Os, int Cores, long MemoryMiB, string Cluster,
    int InterruptVectorBudget, int InterruptVectorsUsed, ValueList<PlacementSnapshot> Vms,
    int VcpusPlaced, long MemoryPlacedMiB, long MemoryReservedMiB) : ISnapshot;

public sealed partial class Host
{
    public HostSnapshot ToSnapshot(long version) => new(Id.Value, version, Status, Platform, Os, Cores, MemoryMiB, Cluster,
        InterruptVectorBudget, InterruptVectorsUsed,
        _vms.Keys.Union(_vectors.Keys).OrderBy(v => v.Value, StringComparer.Ordinal)
            .Select(v => _vms.TryGetValue(v, out var p)
                ? new PlacementSnapshot(v, true, p.Vcpus, p.MemoryMiB, p.Reserved, _vectors.GetValueOrDefault(v))
                : new PlacementSnapshot(v, false, 0, 0, false, _vectors[v]))
            .ToValueList(),
        VcpusPlaced, MemoryPlacedMiB, MemoryReservedMiB);

    public static Host FromSnapshot(HostSnapshot s)
    {
        var h = new Host
        {
            Status = s.Status, Id = new HostId(s.Id), Platform = s.Platform, Os = s.Os, Cores = s.Cores, MemoryMiB = s.MemoryMiB,
            Cluster = s.Cluster, InterruptVectorBudget = s.InterruptVectorBudget, InterruptVectorsUsed = s.InterruptVectorsUsed,
            VcpusPlaced = s.VcpusPlaced, MemoryPlacedMiB = s.MemoryPlacedMiB, MemoryReservedMiB = s.MemoryReservedMiB,
        };
        foreach (var p in s.Vms)
        {
            if (p.Placed) h._vms[p.Vm] = new Placement(p.Vcpus, p.MemoryMiB, p.Reserved);
            if (p.InterruptVectors > 0) h._vectors[p.Vm] = p.InterruptVectors;
        }
        return h;
    }
}
