using Twin.Events.Common;

namespace Twin.Events.Nics;

/// <summary>One VF slot of a PF: who holds it (if anyone), under which claim, and which resource pool it is in.</summary>
public struct VfSlot
{
    /// <summary>The holder, or null when free.</summary>
    public VnicRef? Holder;

    /// <summary>The operation that allocated it (the claim).</summary>
    public OperationId Claim;

    /// <summary>The holder's IovWeight when it got the VF (Hyper-V arbitration).</summary>
    public int Weight;

    /// <summary>Hyper-V queue pairs the holder uses.</summary>
    public int QueuePairs;

    /// <summary>The named resource pool this VF is in; null = none.</summary>
    public string? ResourcePool;
}

/// <summary>A vNIC waiting for a VF on this PF (Hyper-V: it runs synthetic meanwhile).</summary>
public readonly record struct VfWaiter(VnicRef Vnic, int Weight, int QueuePairs, string? ResourcePool, long Sequence, OperationId Op);

/// <summary>
/// The VF pool of one PF: a slot per configured VF. Mutable and allocation-free on the hot path (the simulator
/// calls these methods directly); the NIC decider decides with the read methods and its Evolve calls the mutators.
/// Counters: <see cref="Configured"/> VFs exist; <see cref="Allocatable"/> of them may be handed out by a scheduler
/// (all, or those in a resource pool when pools are defined); <see cref="Allocated"/> are held.
/// </summary>
public sealed class VfPool
{
    private VfSlot[] _slots = [];
    private int _poolCount;

    // no free slot below this index (kept by Allocate/Release/Resize, so the lowest free VF is found without a scan from 0)
    private int _freeFloor;

    /// <summary>VFs that exist (sriov_numvfs / NumVFs / numVirtualFunction in effect).</summary>
    public int Configured { get; private set; }

    /// <summary>VFs held by a vNIC.</summary>
    public int Allocated { get; private set; }

    /// <summary>VFs a scheduler may hand out: all configured ones, or only those in a resource pool when any is defined.</summary>
    public int Allocatable { get; private set; }

    /// <summary>Free allocatable VFs.</summary>
    public int Free => Allocatable - AllocatedAllocatable;

    /// <summary>Held VFs that are allocatable (a held VF outside every pool can exist after pools change).</summary>
    private int AllocatedAllocatable { get; set; }

    /// <summary>Names of the defined resource pools.</summary>
    public IEnumerable<string> ResourcePools =>
        _slots.Take(Configured).Select(s => s.ResourcePool).OfType<string>().Distinct(StringComparer.Ordinal);

    /// <summary>Read-only view of slot <paramref name="index"/>.</summary>
    public ref readonly VfSlot this[int index] => ref _slots[index];

    /// <summary>Whether any resource pool is defined.</summary>
    public bool HasResourcePools => _poolCount > 0;

    /// <summary>The VF index <paramref name="vnic"/> holds, or -1.</summary>
    public int IndexHeldBy(VnicRef vnic)
    {
        for (var i = 0; i < Configured; i++)
            if (_slots[i].Holder is { } h && h == vnic) return i;
        return -1;
    }

    /// <summary>Whether slot <paramref name="index"/> may be handed out.</summary>
    public bool IsAllocatable(int index) => index < Configured && (_poolCount == 0 || _slots[index].ResourcePool is not null);

    /// <summary>The lowest free allocatable VF (in <paramref name="resourcePool"/> when given), or -1.</summary>
    public int LowestFree(string? resourcePool = null)
    {
        for (var i = resourcePool is null ? _freeFloor : 0; i < Configured; i++)
        {
            ref readonly var s = ref _slots[i];
            if (s.Holder is not null || !IsAllocatable(i)) continue;
            if (resourcePool is null || string.Equals(s.ResourcePool, resourcePool, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    /// <summary>Free allocatable VFs in <paramref name="resourcePool"/> (all pools when null).</summary>
    public int FreeIn(string? resourcePool)
    {
        if (resourcePool is null) return Free;
        var n = 0;
        for (var i = 0; i < Configured; i++)
            if (_slots[i].Holder is null && string.Equals(_slots[i].ResourcePool, resourcePool, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>The held VF with the lowest weight (ties: highest index, i.e. the most recent), or -1.</summary>
    public int LowestWeightHolder()
    {
        int best = -1;
        for (var i = 0; i < Configured; i++)
            if (_slots[i].Holder is not null && (best < 0 || _slots[i].Weight <= _slots[best].Weight)) best = i;
        return best;
    }

    /// <summary>All holders, in VF order.</summary>
    public IEnumerable<(int VfIndex, VnicRef Vnic, OperationId Claim)> Holders()
    {
        for (var i = 0; i < Configured; i++)
            if (_slots[i].Holder is { } h) yield return (i, h, _slots[i].Claim);
    }

    /// <summary>A deep copy.</summary>
    public VfPool Clone()
    {
        var c = (VfPool)MemberwiseClone();
        c._slots = (VfSlot[])_slots.Clone();
        return c;
    }

    // ---------------- mutators (Evolve and the simulator only) ----------------

    /// <summary>Sets the number of VFs in effect. Slots beyond the new count must be free (the decider revokes them first).
    /// Resource-pool membership of surviving slots is kept.</summary>
    public void Resize(int configured)
    {
        if (configured > _slots.Length) Array.Resize(ref _slots, Math.Max(configured, _slots.Length * 2));
        for (var i = configured; i < Configured; i++)
        {
            // defensive: history is the truth, so a holder beyond the new size is dropped, never kept
            if (_slots[i].Holder is not null) Release(i);
            if (_slots[i].ResourcePool is not null) _poolCount--;
            _slots[i] = default;
        }
        Configured = configured;
        _freeFloor = 0;
        Recount();
    }

    /// <summary>Gives VF <paramref name="index"/> to <paramref name="vnic"/>.</summary>
    public void Allocate(int index, VnicRef vnic, OperationId claim, int weight, int queuePairs)
    {
        if (index < 0) return;
        if (index >= Configured) Resize(index + 1); // a history may hold what a capture never configured: keep it visible
        ref var s = ref _slots[index];
        if (s.Holder is null)
        {
            Allocated++;
            if (IsAllocatable(index)) AllocatedAllocatable++;
        }
        s.Holder = vnic;
        s.Claim = claim;
        s.Weight = weight;
        s.QueuePairs = queuePairs;
        while (_freeFloor < Configured && _slots[_freeFloor].Holder is not null) _freeFloor++;
    }

    /// <summary>Frees VF <paramref name="index"/>; returns the queue pairs it used.</summary>
    public int Release(int index)
    {
        if (index < 0 || index >= Configured) return 0;
        ref var s = ref _slots[index];
        if (s.Holder is null) return 0;
        var qp = s.QueuePairs;
        if (index < _freeFloor) _freeFloor = index;
        Allocated--;
        if (IsAllocatable(index)) AllocatedAllocatable--;
        s.Holder = null;
        s.Claim = default;
        s.Weight = 0;
        s.QueuePairs = 0;
        return qp;
    }

    /// <summary>Puts the listed VFs in resource pool <paramref name="name"/> (replacing that pool's old members).</summary>
    public void DefinePool(string name, IEnumerable<int> indices)
    {
        RemovePool(name);
        foreach (var i in indices)
        {
            if (i < 0 || i >= Configured) continue;
            if (_slots[i].ResourcePool is null) _poolCount++;
            _slots[i].ResourcePool = name;
        }
        _freeFloor = 0;
        Recount();
    }

    /// <summary>Removes resource pool <paramref name="name"/>.</summary>
    public void RemovePool(string name)
    {
        for (var i = 0; i < Configured; i++)
        {
            if (!string.Equals(_slots[i].ResourcePool, name, StringComparison.Ordinal)) continue;
            _slots[i].ResourcePool = null;
            _poolCount--;
        }
        Recount();
    }

    /// <summary>Which pool (if any) already owns VF <paramref name="index"/>.</summary>
    public string? PoolOf(int index) => index >= 0 && index < Configured ? _slots[index].ResourcePool : null;

    private void Recount()
    {
        int allocatable = 0, held = 0, heldAllocatable = 0;
        for (var i = 0; i < Configured; i++)
        {
            var ok = IsAllocatable(i);
            if (ok) allocatable++;
            if (_slots[i].Holder is null) continue;
            held++;
            if (ok) heldAllocatable++;
        }
        Allocatable = allocatable;
        Allocated = held;
        AllocatedAllocatable = heldAllocatable;
    }
}
