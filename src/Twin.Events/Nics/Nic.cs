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
                s.RemoveWaiter(x.Vnic);
                s.Pool.Allocate(x.VfIndex, x.Vnic, x.Op, x.IovWeight, x.QueuePairs);
                s.QueuePairsUsed += x.QueuePairs;
                break;
            case VfAllocationRejected x when x.Queued:
            {
                var waiting = s._waiting.FindIndex(w => w.Vnic == x.Vnic);
                if (waiting >= 0) // a changed request of a vNIC already waiting: new weight, same place in the queue
                    s._waiting[waiting] = s._waiting[waiting] with { Weight = x.IovWeight, QueuePairs = x.QueuePairs, Op = x.Op };
                else
                    s._waiting.Add(new VfWaiter(x.Vnic, x.IovWeight, x.QueuePairs, null, s._waitSequence++, x.Op));
                break;
            }
            case VfReleased x:
                s.QueuePairsUsed -= s.Pool.Release(x.VfIndex);
                break;
            case VfRevoked x:
            {
                var weight = s.Pool[x.VfIndex].Weight;
                var qp = s.Pool.Release(x.VfIndex);
                s.QueuePairsUsed -= qp;
                if (x.Queued) s._waiting.Add(new VfWaiter(x.Vnic, weight, qp, null, s._waitSequence++, x.ClaimOp));
                break;
            }
            case VfRequestWithdrawn x:
                s.RemoveWaiter(x.Vnic);
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

    /// <summary>The waiter the scarce-VF policy serves next among those that <paramref name="fits"/>, or null.</summary>
    public VfWaiter? NextWaiter(Func<VfWaiter, bool>? fits = null)
    {
        VfWaiter? best = null;
        foreach (var w in _waiting)
        {
            if (fits is not null && !fits(w)) continue;
            if (Policy == ScarceVfPolicy.FirstComeFirstServed) return w;
            if (best is null || w.Weight > best.Value.Weight) best = w; // strictly greater keeps first-come among equal weights
        }
        return best;
    }

    /// <summary>A deep copy (for deciding multi-step outcomes without touching this state).</summary>
    public Nic Clone()
    {
        var c = (Nic)MemberwiseClone();
        c._pool = _pool.Clone();
        c._waiting = [.. _waiting];
        return c;
    }

    /// <summary>Whether <paramref name="vnic"/> is waiting for a VF here.</summary>
    public bool IsWaiting(VnicRef vnic) => _waiting.Exists(w => w.Vnic == vnic);

    private void RemoveWaiter(VnicRef vnic) => _waiting.RemoveAll(w => w.Vnic == vnic);

    private void ReleaseAll()
    {
        for (var i = 0; i < Pool.Configured; i++) Pool.Release(i);
        QueuePairsUsed = 0;
    }
}
