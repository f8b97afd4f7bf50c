using Twin.Events.Common;
using Twin.Events.Platforms;
using static Twin.Events.Nics.NicEvent;

namespace Twin.Events.Nics;

/// <summary>Lifecycle of a PF in the twin.</summary>
public enum NicStatus
{
    Absent,
    Installed,
    Failed,
}

/// <summary>
/// The state of one PF and its VF pool, folded from its events. The four VF counters are kept apart:
/// <see cref="Ceiling"/> (hardware/firmware maximum), <see cref="Configured"/> (in effect), <see cref="Allocatable"/>
/// (a scheduler may hand out) and <see cref="Allocated"/> (held), plus the requested-but-not-in-effect state
/// (<see cref="PendingVfs"/>: vSphere change pending reboot) and the vNICs that asked and wait (<see cref="Waiting"/>).
/// Mutable: <see cref="Evolve"/> updates in place (the simulator folds millions of events without allocating).
/// </summary>
public sealed partial class Nic
{
    private List<VfWaiter> _waiting = [];
    private VfPool _pool = new();
    private long _waitSequence;

    public NicStatus Status { get; private set; }
    public NicId Id { get; private set; }
    public HostId Host { get; private set; }
    public Platform Platform { get; private set; }
    public string Model { get; private set; } = "";
    public NicVendor Vendor { get; private set; }
    public string PciAddress { get; private set; } = "";

    /// <summary>Link rate in Mbit/s.</summary>
    public int LinkMbps { get; private set; }
    public int NumaNode { get; private set; }
    public bool PfDriverSupportsSriov { get; private set; }

    /// <summary>Hardware/firmware VF maximum; null = not reported (SR-IOV disabled or too old, not zero).</summary>
    public int? Ceiling { get; private set; }

    /// <summary>SR-IOV switched on at the PF.</summary>
    public bool SriovEnabled { get; private set; }

    /// <summary>A change requested but not in effect (vSphere, until reboot): the VF count asked, or 0 to disable.</summary>
    public int? PendingVfs { get; private set; }

    /// <summary>Whether the pending change turns SR-IOV on (true) or off (false).</summary>
    public bool PendingSriovEnabled { get; private set; }

    /// <summary>The VF slots.</summary>
    public VfPool Pool => _pool;

    /// <summary>Hyper-V VPorts for VFs (null = not limiting).</summary>
    public int? VPorts { get; private set; }

    /// <summary>Hyper-V queue pairs for non-default VPorts (null = not limiting).</summary>
    public int? QueuePairs { get; private set; }

    public int QueuePairsUsed { get; private set; }

    public ScarceVfPolicy Policy { get; private set; } = ScarceVfPolicy.FirstComeThenWeight;

    /// <summary>vNICs waiting for a VF here, in arrival order.</summary>
    public IReadOnlyList<VfWaiter> Waiting => _waiting;

    public int Configured => SriovEnabled ? Pool.Configured : 0;
    public int Allocatable => Status == NicStatus.Installed && SriovEnabled ? Pool.Allocatable : 0;
    public int Allocated => Pool.Allocated;
    public int Free => Status == NicStatus.Installed && SriovEnabled ? Math.Max(0, Pool.Free) : 0;

    /// <summary>VPorts left for VFs (int.MaxValue when not limiting). Each VF uses one.</summary>
    public int VPortsFree => VPorts is { } v ? v - Pool.Allocated : int.MaxValue;

    /// <summary>Queue pairs left (int.MaxValue when not limiting).</summary>
    public int QueuePairsFree => QueuePairs is { } q ? q - QueuePairsUsed : int.MaxValue;

    /// <summary>The rules of this PF's platform.</summary>
    public PlatformRules Rules => PlatformRules.For(Platform);

    public static Nic Initial() => new();

    /// <summary>Applies one event in place and returns this state. Never throws: history is the truth.</summary>
    public static Nic Evolve(Nic s, NicEvent e)
    {
        switch (e)
        {
            case NicInstalled x:
                s.Status = NicStatus.Installed;
                (s.Id, s.Host, s.Platform, s.Model, s.Vendor, s.PciAddress) = (x.Nic, x.Host, x.Platform, x.Model, x.Vendor, x.PciAddress);
                (s.LinkMbps, s.NumaNode, s.Ceiling, s.PfDriverSupportsSriov) = (x.LinkMbps, x.NumaNode, x.MaxVfs, x.PfDriverSupportsSriov);
                (s.VPorts, s.QueuePairs) = (x.VPorts, x.QueuePairs);
                break;
            case SriovEnabled x:
                s.SriovEnabled = true;
                s.PendingVfs = null;
                s.Pool.Resize(x.VfCount);
                break;
            case SriovDisabled:
                s.SriovEnabled = false;
                s.PendingVfs = null;
                s.ReleaseAll();
                s.Pool.Resize(0);
                s._waiting.Clear();
                break;
            case VfCountChanged x:
                s.PendingVfs = null;
                s.SriovEnabled = x.To > 0;
                s.Pool.Resize(x.To);
                break;
            case VfConfigurationPending x:
                s.PendingVfs = x.RequestedVfs;
                s.PendingSriovEnabled = x.Enabled;
                break;
            case VfConfigurationObserved x:
                s.Ceiling = x.MaxVfs;
                s.SriovEnabled = x.Enabled;
                s.Pool.Resize(x.Enabled ? x.ConfiguredVfs : 0);
                s.PendingVfs = x.RequestedVfs is { } r && r != x.ConfiguredVfs ? r : null;
                s.PendingSriovEnabled = x.RequestedVfs > 0;
                break;
            case ResourcePoolDefined x:
                s.Pool.DefinePool(x.Name, x.VfIndices);
                break;
            case ResourcePoolRemoved x:
                s.Pool.RemovePool(x.Name);
                break;
            case VfAllocated x:
                s.ApplyAllocated(x.VfIndex, x.Vnic, x.Op, x.IovWeight, x.QueuePairs);
                break;
            case VfAllocationRejected x when x.Queued:
                s.ApplyQueued(x.Vnic, x.IovWeight, x.QueuePairs, x.Op);
                break;
            case VfReleased x:
                s.ApplyReleased(x.VfIndex);
                break;
            case VfRevoked x:
                s.ApplyRevoked(x.VfIndex, x.Vnic, x.Queued, x.ClaimOp);
                break;
            case VfRequestWithdrawn x:
                s.ApplyWithdrawn(x.Vnic);
                break;
            case NicFailed:
                s.Status = NicStatus.Failed;
                s.ReleaseAll();
                s._waiting.Clear();
                break;
            case NicRepaired:
                s.Status = NicStatus.Installed;
                break;
            case ScarceVfPolicyChanged x:
                s.Policy = x.Policy;
                break;
        }
        return s;
    }

    /// <summary>The waiter the scarce-VF policy serves next among those whose queue pairs fit in
    /// <paramref name="queuePairsFree"/>, or null. Allocation-free.</summary>
    public VfWaiter? NextWaiter(long queuePairsFree = long.MaxValue)
    {
        VfWaiter? best = null;
        foreach (var w in _waiting)
        {
            if (w.QueuePairs > queuePairsFree) continue;
            if (Policy == ScarceVfPolicy.FirstComeFirstServed) return w;
            if (best is null || w.Weight > best.Value.Weight) best = w; // strictly greater keeps first-come among equal weights
        }
        return best;
    }

    /// <summary>Whether <paramref name="vnic"/> is waiting for a VF here.</summary>
    public bool IsWaiting(VnicRef vnic)
    {
        foreach (var w in _waiting)
            if (w.Vnic == vnic) return true;
        return false;
    }

    // ---------------- state changes: the only writers of this state, used by Evolve and by the simulator ----------------

    /// <summary>VF <paramref name="vf"/> goes to <paramref name="vnic"/> (which stops waiting, if it was).</summary>
    public void ApplyAllocated(int vf, VnicRef vnic, OperationId claim, int weight, int queuePairs)
    {
        RemoveWaiter(vnic);
        Pool.Allocate(vf, vnic, claim, weight, queuePairs);
        QueuePairsUsed += queuePairs;
    }

    /// <summary><paramref name="vnic"/> got no VF and waits for one; a vNIC already waiting keeps its place in the
    /// queue with its new weight and queue pairs.</summary>
    public void ApplyQueued(VnicRef vnic, int weight, int queuePairs, OperationId op)
    {
        for (var i = 0; i < _waiting.Count; i++)
        {
            if (_waiting[i].Vnic != vnic) continue;
            _waiting[i] = _waiting[i] with { Weight = weight, QueuePairs = queuePairs, Op = op };
            return;
        }
        _waiting.Add(new VfWaiter(vnic, weight, queuePairs, null, _waitSequence++, op));
    }

    /// <summary>VF <paramref name="vf"/> is given back.</summary>
    public void ApplyReleased(int vf) => QueuePairsUsed -= Pool.Release(vf);

    /// <summary>VF <paramref name="vf"/> is taken from its holder, who waits for another when <paramref name="queued"/>.</summary>
    public void ApplyRevoked(int vf, VnicRef holder, bool queued, OperationId claim)
    {
        var weight = Pool.WeightOf(vf);
        var qp = Pool.Release(vf);
        QueuePairsUsed -= qp;
        if (queued) _waiting.Add(new VfWaiter(holder, weight, qp, null, _waitSequence++, claim));
    }

    /// <summary><paramref name="vnic"/> stops waiting.</summary>
    public void ApplyWithdrawn(VnicRef vnic) => RemoveWaiter(vnic);

    /// <summary>A deep copy (for deciding multi-step outcomes without touching this state).</summary>
    public Nic Clone()
    {
        var c = (Nic)MemberwiseClone();
        c._pool = _pool.Clone();
        c._waiting = [.. _waiting];
        return c;
    }

    private void RemoveWaiter(VnicRef vnic)
    {
        for (var i = _waiting.Count - 1; i >= 0; i--)
            if (_waiting[i].Vnic == vnic) _waiting.RemoveAt(i);
    }

    private void ReleaseAll()
    {
        for (var i = 0; i < Pool.Configured; i++) Pool.Release(i);
        QueuePairsUsed = 0;
    }
}
