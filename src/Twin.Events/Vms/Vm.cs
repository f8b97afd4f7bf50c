using Twin.Events.Common;
using Twin.Events.Platforms;
using static Twin.Events.Vms.VmEvent;

namespace Twin.Events.Vms;

public enum VmStatus
{
    Absent,
    Off,
    Starting,
    Running,
    Stopping,
    Migrating,
    Deleted,
}

/// <summary>The kind of saga a VM has open.</summary>
public enum VmOperationKind
{
    None,
    Start,
    Stop,
    Migrate,
    /// <summary>Give a running vNIC a VF after its IovWeight went above 0.</summary>
    AssignVf,
    /// <summary>Take a running vNIC's VF back after its IovWeight went to 0.</summary>
    ReleaseVf,
    /// <summary>A migration moved the VM; its source VFs are still to be freed.</summary>
    ReleaseSourceVfs,
}

/// <summary>One vNIC of a VM: its configuration, its datapath now and since when, and (during a migration) the
/// datapath claimed for it on the destination.</summary>
public sealed class Vnic(VnicSpec spec)
{
    public VnicSpec Spec { get; internal set; } = spec;
    public string Name => Spec.Name;
    public Datapath Datapath { get; internal set; } = Datapath.Off;
    public DateTimeOffset Since { get; internal set; }
    public Datapath? DestinationClaim { get; internal set; }

    /// <summary>An open per-vNIC step (assign or release a VF on a running VM) and its operation.</summary>
    public (OperationId Op, VmOperationKind Kind)? PendingStep { get; internal set; }
}

/// <summary>The state of one VM, folded from its events. Mutable, evolved in place.</summary>
public sealed partial class Vm
{
    private readonly List<Vnic> _vnics = [];

    public VmStatus Status { get; private set; }
    public VmId Id { get; private set; }
    public HostId Host { get; private set; }
    public Platform Platform { get; private set; }
    public GuestOs Guest { get; private set; } = GuestOs.Parse("unknown");
    public int Vcpus { get; private set; }
    public long MemoryMiB { get; private set; }
    public IReadOnlyList<Vnic> Vnics => _vnics;

    /// <summary>The open VM-level saga (start, stop, migrate), if any.</summary>
    public OperationId PendingOp { get; private set; }
    public VmOperationKind PendingKind { get; private set; }

    /// <summary>During a migration: where to, and the VFs held on the source.</summary>
    public HostId? MigrationDestination { get; private set; }
    public IReadOnlyList<VfHolding> SourceVfs { get; private set; } = [];

    /// <summary>The operation of the last completed switch-over: a retry of that move is done, another move to the
    /// host the VM is on is refused.</summary>
    public OperationId LastMigrationOp { get; private set; }

    public Vnic? Find(string name) => _vnics.Find(v => v.Name == name);

    /// <summary>The VFs the VM's vNICs hold now (by their datapaths).</summary>
    public IEnumerable<VfHolding> HeldVfs() =>
        _vnics.Where(v => v.Datapath.Kind == DatapathKind.Vf)
              .Select(v => new VfHolding(v.Name, v.Datapath.Nic!.Value, v.Datapath.VfIndex!.Value, v.Datapath.Claim));

    /// <summary>Whether any vNIC asks for a VF.</summary>
    public bool WantsSriov => _vnics.Exists(v => v.Spec.WantsVf);

    public static Vm Initial() => new();

    public static Vm Evolve(Vm s, VmEvent e)
    {
        switch (e)
        {
            case VmDefined x:
                (s.Status, s.Id, s.Host, s.Platform, s.Guest, s.Vcpus, s.MemoryMiB) = (VmStatus.Off, x.Vm, x.Host, x.Platform, x.Guest, x.Vcpus, x.MemoryMiB);
                s._vnics.Clear();
                s._vnics.AddRange(x.Vnics.Select(v => new Vnic(v) { Since = x.At }));
                break;
            case VnicAdded x:
                s._vnics.Add(new Vnic(x.Vnic) { Since = x.At });
                break;
            case VnicRemoved x:
                s._vnics.RemoveAll(v => v.Name == x.Name);
                break;
            case IovWeightChanged x when s.Find(x.Name) is { } v:
                v.Spec = v.Spec with { IovWeight = x.To };
                // a running vNIC that stops wanting a VF gives back the one it holds, or stops waiting for one
                if (s.Status == VmStatus.Running)
                    v.PendingStep = x.To > 0 && v.Datapath.Kind != DatapathKind.Vf ? (x.Op, VmOperationKind.AssignVf)
                        : x.To == 0 && (v.Datapath.Kind == DatapathKind.Vf || x.From > 0 && v.Datapath.Kind == DatapathKind.Synthetic) ? (x.Op, VmOperationKind.ReleaseVf)
                        : null;
                break;
            case VfRequested x when s.Find(x.Name) is { } v:
                v.PendingStep = (x.Op, VmOperationKind.AssignVf);
                break;
            case VmStartRequested x:
                (s.Status, s.PendingOp, s.PendingKind) = (VmStatus.Starting, x.Op, VmOperationKind.Start);
                break;
            case VnicDatapathChanged x when s.Find(x.Name) is { } v:
                if (v.Datapath != x.To) (v.Datapath, v.Since) = (x.To, x.At); // From == To only closes the step
                if (v.PendingStep is { } step && step.Op == x.Op) v.PendingStep = null;
                break;
            case VmStarted x:
                (s.Status, s.PendingOp, s.PendingKind, s.Host) = (VmStatus.Running, default, VmOperationKind.None, x.Host);
                break;
            case VmStartFailed x:
                (s.Status, s.PendingOp, s.PendingKind) = (VmStatus.Off, default, VmOperationKind.None);
                s.AllOff(x.At);
                break;
            case VmStopRequested x:
                (s.Status, s.PendingOp, s.PendingKind) = (VmStatus.Stopping, x.Op, VmOperationKind.Stop);
                break;
            case VmStopped x:
                (s.Status, s.PendingOp, s.PendingKind) = (VmStatus.Off, default, VmOperationKind.None);
                s.AllOff(x.At);
                break;
            case VmMigrationStarted x:
                (s.Status, s.PendingOp, s.PendingKind, s.MigrationDestination, s.SourceVfs) = (VmStatus.Migrating, x.Op, VmOperationKind.Migrate, x.To, x.SourceVfs);
                foreach (var v in s._vnics) v.DestinationClaim = null;
                break;
            case DestinationVfClaimed x when s.Find(x.Name) is { } v:
                v.DestinationClaim = x.Datapath;
                break;
            case VmMigrated x:
                (s.Status, s.Host, s.MigrationDestination, s.LastMigrationOp) = (VmStatus.Running, x.To, null, x.Op);
                (s.PendingOp, s.PendingKind) = s.SourceVfs.Count > 0 ? (x.Op, VmOperationKind.ReleaseSourceVfs) : (default, VmOperationKind.None);
                foreach (var v in s._vnics)
                {
                    v.Spec = v.Spec with { Switch = v.Spec.Switch.OnHost(x.From, x.To) };
                    v.Datapath = v.DestinationClaim ?? (v.Spec.WantsVf ? Datapath.Synthetic(SriovBlocker.NoVfOnDestination) : Datapath.Synthetic());
                    v.Since = x.At;
                    v.DestinationClaim = null;
                }
                break;
            case SourceVfReleased x:
                s.SourceVfs = [.. s.SourceVfs.Where(h => h.Vnic != x.Name)];
                if (s.SourceVfs.Count == 0 && s.PendingKind == VmOperationKind.ReleaseSourceVfs) (s.PendingOp, s.PendingKind) = (default, VmOperationKind.None);
                break;
            case VmMigrationAborted:
                (s.Status, s.PendingOp, s.PendingKind, s.MigrationDestination, s.SourceVfs) = (VmStatus.Running, default, VmOperationKind.None, null, []);
                foreach (var v in s._vnics) v.DestinationClaim = null;
                break;
            case VmDeleted:
                s.Status = VmStatus.Deleted;
                break;
        }
        return s;
    }

    private void AllOff(DateTimeOffset at)
    {
        foreach (var v in _vnics)
        {
            v.Datapath = Datapath.Off;
            v.Since = at;
            v.PendingStep = null;
            v.DestinationClaim = null;
        }
    }
}
