using Twin.Events.Common;

namespace Twin.Events.Nics;

/// <summary>One VF slot of a PF, as read: who holds it (if anyone), under which claim, and which resource pool it is in.</summary>
/// <param name="Holder">The holder, or null when free.</param>
/// <param name="Claim">The operation that allocated it (the claim).</param>
/// <param name="Weight">The holder's IovWeight when it got the VF (Hyper-V arbitration).</param>
/// <param name="QueuePairs">Hyper-V queue pairs the holder uses.</param>
/// <param name="ResourcePool">The named resource pool this VF is in; null = none.</param>
public readonly record struct VfSlot(VnicRef? Holder, OperationId Claim, int Weight, int QueuePairs, string? ResourcePool);

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
    // THIS IS IMPORTANT for the simulator's speed: a slot is 32 bytes (two per cache line), the holder stored without a
    // Nullable wrapper (free = no VM id) and the resource-pool names apart, in an array made only when a pool is defined.
    // A simulation holds thousands of pools and touches one slot of a random one at each event.
    private Held[] _slots = [];
    private string?[]? _poolOf;
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
        Enumerable.Range(0, Configured).Select(PoolOf).OfType<string>().Distinct(StringComparer.Ordinal);

    /// <summary>Slot <paramref name="index"/>.</summary>
    public VfSlot this[int index]
    {
        get
        {
            ref readonly var s = ref _slots[index];
            return new VfSlot(s.IsHeld ? s.Vnic : null, s.Claim, s.Weight, s.QueuePairs, _poolOf?[index]);
        }
    }

    /// <summary>Whether slot <paramref name="index"/> is held.</summary>
    public bool IsHeld(int index) => _slots[index].IsHeld;

    /// <summary>The weight of slot <paramref name="index"/>'s holder (0 when free).</summary>
    public int WeightOf(int index) => _slots[index].Weight;

    /// <summary>Whether any resource pool is defined.</summary>
    public bool HasResourcePools => _poolCount > 0;

    /// <summary>The VF index <paramref name="vnic"/> holds, or -1.</summary>
    public int IndexHeldBy(VnicRef vnic)
    {
        for (var i = 0; i < Configured; i++)
            if (_slots[i].IsHeld && _slots[i].Vnic == vnic) return i;
        return -1;
    }

    /// <summary>Whether slot <paramref name="index"/> may be handed out.</summary>
    public bool IsAllocatable(int index) => index < Configured && (_poolCount == 0 || _poolOf![index] is not null);

    /// <summary>The lowest free allocatable VF (in <paramref name="resourcePool"/> when given), or -1.</summary>
    public int LowestFree(string? resourcePool = null)
    {
        for (var i = resourcePool is null ? _freeFloor : 0; i < Configured; i++)
        {
            if (_slots[i].IsHeld || !IsAllocatable(i)) continue;
            if (resourcePool is null || string.Equals(_poolOf?[i], resourcePool, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    /// <summary>Free allocatable VFs in <paramref name="resourcePool"/> (all pools when null).</summary>
    public int FreeIn(string? resourcePool)
    {
        if (resourcePool is null) return Free;
        var n = 0;
        for (var i = 0; i < Configured; i++)
            if (!_slots[i].IsHeld && string.Equals(_poolOf?[i], resourcePool, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>The held VF with the lowest weight (ties: highest index, i.e. the most recent), or -1.</summary>
    public int LowestWeightHolder()
    {
        int best = -1;
        for (var i = 0; i < Configured; i++)
            if (_slots[i].IsHeld && (best < 0 || _slots[i].Weight <= _slots[best].Weight)) best = i;
        return best;
    }

    /// <summary>All holders, in VF order.</summary>
    public IEnumerable<(int VfIndex, VnicRef Vnic, OperationId Claim)> Holders()
    {
        for (var i = 0; i < Configured; i++)
            if (_slots[i].IsHeld) yield return (i, _slots[i].Vnic, _slots[i].Claim);
    }

    /// <summary>A deep copy.</summary>
    public VfPool Clone()
    {
        var c = (VfPool)MemberwiseClone();
        c._slots = (Held[])_slots.Clone();
        c._poolOf = (string?[]?)_poolOf?.Clone();
        return c;
    }

    // ---------------- mutators (Evolve and the simulator only) ----------------

    /// <summary>Sets the number of VFs in effect. Slots beyond the new count must be free (the decider revokes them first).
    /// Resource-pool membership of surviving slots is kept.</summary>
    public void Resize(int configured)
    {
        if (configured > _slots.Length)
        {
            var length = Math.Max(configured, _slots.Length * 2);
            Array.Resize(ref _slots, length);
            if (_poolOf is not null) Array.Resize(ref _poolOf, length);
        }
        for (var i = configured; i < Configured; i++)
        {
            // defensive: history is the truth, so a holder beyond the new size is dropped, never kept
            if (_slots[i].IsHeld) Release(i);
            if (_poolOf?[i] is not null)
            {
                _poolCount--;
                _poolOf[i] = null;
            }
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
        if (!s.IsHeld)
        {
            Allocated++;
            if (IsAllocatable(index)) AllocatedAllocatable++;
        }
        // free is told apart by a missing VM id: a holder without one (never written by the twin) is kept as VM ""
        s = new Held(vnic.Vm.Value is null ? vnic with { Vm = new VmId("") } : vnic, claim, weight, queuePairs);
        while (_freeFloor < Configured && _slots[_freeFloor].IsHeld) _freeFloor++;
    }

    /// <summary>Frees VF <paramref name="index"/>; returns the queue pairs it used.</summary>
    public int Release(int index)
    {
        if (index < 0 || index >= Configured) return 0;
        ref var s = ref _slots[index];
        if (!s.IsHeld) return 0;
        var qp = s.QueuePairs;
        if (index < _freeFloor) _freeFloor = index;
        Allocated--;
        if (IsAllocatable(index)) AllocatedAllocatable--;
        s = default;
        return qp;
    }

    /// <summary>Puts the listed VFs in resource pool <paramref name="name"/> (replacing that pool's old members).</summary>
    public void DefinePool(string name, IEnumerable<int> indices)
    {
        RemovePool(name);
        foreach (var i in indices)
        {
            if (i < 0 || i >= Configured) continue;
            _poolOf ??= new string?[_slots.Length];
            if (_poolOf[i] is null) _poolCount++;
            _poolOf[i] = name;
        }
        _freeFloor = 0;
        Recount();
    }

    /// <summary>Removes resource pool <paramref name="name"/>.</summary>
    public void RemovePool(string name)
    {
        for (var i = 0; _poolOf is not null && i < Configured; i++)
        {
            if (!string.Equals(_poolOf[i], name, StringComparison.Ordinal)) continue;
            _poolOf[i] = null;
            _poolCount--;
        }
        Recount();
    }

    /// <summary>Which pool (if any) already owns VF <paramref name="index"/>.</summary>
    public string? PoolOf(int index) => index >= 0 && index < Configured ? _poolOf?[index] : null;

    private void Recount()
    {
        int allocatable = 0, held = 0, heldAllocatable = 0;
        for (var i = 0; i < Configured; i++)
        {
            var ok = IsAllocatable(i);
            if (ok) allocatable++;
            if (!_slots[i].IsHeld) continue;
            held++;
            if (ok) heldAllocatable++;
        }
        Allocatable = allocatable;
        Allocated = held;
        AllocatedAllocatable = heldAllocatable;
    }

    /// <summary>A slot as stored: default = free.</summary>
    private readonly struct Held(VnicRef vnic, OperationId claim, int weight, int queuePairs)
    {
        public readonly VnicRef Vnic = vnic;
        public readonly OperationId Claim = claim;
        public readonly int Weight = weight;
        public readonly int QueuePairs = queuePairs;

        public bool IsHeld => Vnic.Vm.Value is not null;
    }
}
