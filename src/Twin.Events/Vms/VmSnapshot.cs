using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Vms;

/// <summary>One vNIC in a VM snapshot.</summary>
[GenerateSerializer, Immutable]
public sealed record VnicSnapshot(
    VnicSpec Spec, Datapath Datapath, DateTimeOffset Since,
    Datapath? DestinationClaim, OperationId PendingStepOp, VmOperationKind PendingStep);

/// <summary>An immutable image of a VM's state at a stream version.</summary>
[GenerateSerializer, Immutable]
public sealed record VmSnapshot(
    string Id, long Version, VmStatus Status, HostId Host,
    Platform Platform, GuestOs Guest, int Vcpus, long MemoryMiB,
    ValueList<VnicSnapshot> Vnics, OperationId PendingOp, VmOperationKind PendingKind,
    HostId? MigrationDestination, ValueList<VfHolding> SourceVfs, OperationId LastMigrationOp) : ISnapshot;

public sealed partial class Vm
{
    public VmSnapshot ToSnapshot(long version) => new(Id.Value, version, Status, Host, Platform, Guest, Vcpus, MemoryMiB,
        _vnics.Select(v => new VnicSnapshot(v.Spec, v.Datapath, v.Since, v.DestinationClaim,
            v.PendingStep?.Op ?? default, v.PendingStep?.Kind ?? VmOperationKind.None)).ToValueList(),
        PendingOp, PendingKind, MigrationDestination, SourceVfs.ToValueList(), LastMigrationOp);

    public static Vm FromSnapshot(VmSnapshot s)
    {
        var vm = new Vm
        {
            Status = s.Status, Id = new VmId(s.Id), Host = s.Host, Platform = s.Platform, Guest = s.Guest, Vcpus = s.Vcpus,
            MemoryMiB = s.MemoryMiB, PendingOp = s.PendingOp, PendingKind = s.PendingKind, MigrationDestination = s.MigrationDestination,
            SourceVfs = [.. s.SourceVfs], LastMigrationOp = s.LastMigrationOp,
        };
        vm._vnics.AddRange(s.Vnics.Select(v => new Vnic(v.Spec)
        {
            Datapath = v.Datapath, Since = v.Since, DestinationClaim = v.DestinationClaim,
            PendingStep = v.PendingStep == VmOperationKind.None ? null : (v.PendingStepOp, v.PendingStep),
        }));
        return vm;
    }
}
