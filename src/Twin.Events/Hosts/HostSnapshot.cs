using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Hosts;

/// <summary>A VM on a host, in a snapshot: its placement (when <paramref name="Placed"/>) and the interrupt vectors it holds.</summary>
[GenerateSerializer, Immutable]
public sealed record PlacementSnapshot([property: Id(0)] VmId Vm, [property: Id(1)] bool Placed, [property: Id(2)] int Vcpus,
    [property: Id(3)] long MemoryMiB, [property: Id(4)] bool Reserved, [property: Id(5)] int InterruptVectors);

/// <summary>An immutable image of a host's state at a stream version (see <see cref="Nics.NicSnapshot"/>).</summary>
[GenerateSerializer, Immutable]
public sealed record HostSnapshot(
    [property: Id(0)] string Id, [property: Id(1)] long Version, [property: Id(2)] HostStatus Status, [property: Id(3)] Platform Platform,
    [property: Id(4)] string Os, [property: Id(5)] int Cores, [property: Id(6)] long MemoryMiB, [property: Id(7)] string Cluster,
    [property: Id(8)] int InterruptVectorBudget, [property: Id(9)] int InterruptVectorsUsed, [property: Id(10)] ValueList<PlacementSnapshot> Vms,
    [property: Id(11)] int VcpusPlaced, [property: Id(12)] long MemoryPlacedMiB, [property: Id(13)] long MemoryReservedMiB) : ISnapshot;

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
