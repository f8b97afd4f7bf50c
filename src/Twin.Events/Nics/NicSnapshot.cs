using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Nics;

/// <summary>One VF slot in a snapshot (only slots that are held or in a resource pool are listed).</summary>
[GenerateSerializer, Immutable]
public sealed record VfSlotSnapshot(
    int Index, VnicRef? Holder, OperationId Claim, int Weight,
    int QueuePairs, string? ResourcePool);

/// <summary>A vNIC waiting for a VF, in a snapshot.</summary>
[GenerateSerializer, Immutable]
public sealed record VfWaiterSnapshot(
    VnicRef Vnic, int Weight, int QueuePairs, long Sequence,
    OperationId Op);

/// <summary>
/// An immutable image of a PF's state at a stream version: what grains hand to callers, what Marten stores as the
/// NIC read model, and what time travel starts from. <see cref="Nic.FromSnapshot"/> restores the exact state, so
/// folding further events onto a snapshot gives the same result as folding the whole stream.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record NicSnapshot(
    string Id, long Version, NicStatus Status, HostId Host,
    Platform Platform, string Model, NicVendor Vendor, string PciAddress,
    int LinkMbps, int NumaNode, bool PfDriverSupportsSriov, int? Ceiling,
    bool SriovEnabled, int? PendingVfs, bool PendingSriovEnabled,
    int PoolSize, ValueList<VfSlotSnapshot> Slots, int? VPorts,
    int? QueuePairs, int QueuePairsUsed, ScarceVfPolicy Policy,
    ValueList<VfWaiterSnapshot> Waiting, long WaitSequence,
    int Configured, int Allocatable, int Allocated, int Free) : ISnapshot
{
    /// <summary>VF holders, in VF order.</summary>
    public IEnumerable<VfSlotSnapshot> Holders => Slots.Where(s => s.Holder is not null);
}

public sealed partial class Nic
{
    /// <summary>The state as an immutable snapshot at <paramref name="version"/>.</summary>
    public NicSnapshot ToSnapshot(long version)
    {
        var slots = new List<VfSlotSnapshot>();
        for (var i = 0; i < Pool.Configured; i++)
        {
            var s = Pool[i];
            if (s.Holder is not null || s.ResourcePool is not null)
                slots.Add(new VfSlotSnapshot(i, s.Holder, s.Claim, s.Weight, s.QueuePairs, s.ResourcePool));
        }
        return new NicSnapshot(Id.Value, version, Status, Host, Platform, Model, Vendor, PciAddress, LinkMbps, NumaNode, PfDriverSupportsSriov,
            Ceiling, SriovEnabled, PendingVfs, PendingSriovEnabled, Pool.Configured, slots.ToValueList(), VPorts, QueuePairs, QueuePairsUsed,
            Policy, Waiting.Select(w => new VfWaiterSnapshot(w.Vnic, w.Weight, w.QueuePairs, w.Sequence, w.Op)).ToValueList(), _waitSequence,
            Configured, Allocatable, Allocated, Free);
    }

    /// <summary>Restores the exact state a snapshot was taken of.</summary>
    public static Nic FromSnapshot(NicSnapshot s)
    {
        var n = new Nic
        {
            Status = s.Status, Id = new NicId(s.Id), Host = s.Host, Platform = s.Platform, Model = s.Model, Vendor = s.Vendor,
            PciAddress = s.PciAddress, LinkMbps = s.LinkMbps, NumaNode = s.NumaNode, PfDriverSupportsSriov = s.PfDriverSupportsSriov,
            Ceiling = s.Ceiling, SriovEnabled = s.SriovEnabled, PendingVfs = s.PendingVfs, PendingSriovEnabled = s.PendingSriovEnabled,
            VPorts = s.VPorts, QueuePairs = s.QueuePairs, Policy = s.Policy, _waitSequence = s.WaitSequence,
        };
        n.Pool.Resize(s.PoolSize);
        foreach (var pool in s.Slots.Where(x => x.ResourcePool is not null).GroupBy(x => x.ResourcePool!))
            n.Pool.DefinePool(pool.Key, pool.Select(x => x.Index));
        foreach (var h in s.Slots)
            if (h.Holder is { } holder) n.Pool.Allocate(h.Index, holder, h.Claim, h.Weight, h.QueuePairs);
        n.QueuePairsUsed = s.QueuePairsUsed;
        n._waiting.AddRange(s.Waiting.Select(w => new VfWaiter(w.Vnic, w.Weight, w.QueuePairs, null, w.Sequence, w.Op)));
        return n;
    }
}
