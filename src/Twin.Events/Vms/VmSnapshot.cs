using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Vms;

/// <summary>One vNIC in a VM snapshot.</summary>
[GenerateSerializer, Immutable]
public sealed record VnicSnapshot(
    [property: Id(0)] VnicSpec Spec, [property: Id(1)] Datapath Datapath, [property: Id(2)] DateTimeOffset Since,
    [property: Id(3)] Datapath? DestinationClaim, [property: Id(4)] OperationId PendingStepOp, [property: Id(5)] VmOperationKind PendingStep);

/// <summary>An immutable image of a VM's state at a stream version.</summary>
[GenerateSerializer, Immutable]
public sealed record VmSnapshot(
    [property: Id(0)] string Id, [property: Id(1)] long Version, [property: Id(2)] VmStatus Status, [property: Id(3)] HostId Host,
    [property: Id(4)] Platform Platform, [property: Id(5)] GuestOs Guest, [property: Id(6)] int Vcpus, [property: Id(7)] long MemoryMiB,
    [property: Id(8)] ValueList<VnicSnapshot> Vnics, [property: Id(9)] OperationId PendingOp, [property: Id(10)] VmOperationKind PendingKind,
    [property: Id(11)] HostId? MigrationDestination, [property: Id(12)] ValueList<VfHolding> SourceVfs) : ISnapshot;

public sealed partial class Vm
{
    public VmSnapshot ToSnapshot(long version) => new(Id.Value, version, Status, Host, Platform, Guest, Vcpus, MemoryMiB,
        _vnics.Select(v => new VnicSnapshot(v.Spec, v.Datapath, v.Since, v.DestinationClaim,
            v.PendingStep?.Op ?? default, v.PendingStep?.Kind ?? VmOperationKind.None)).ToValueList(),
        PendingOp, PendingKind, MigrationDestination, SourceVfs.ToValueList());

    public static Vm FromSnapshot(VmSnapshot s)
    {
        var vm = new Vm
        {
            Status = s.Status, Id = new VmId(s.Id), Host = s.Host, Platform = s.Platform, Guest = s.Guest, Vcpus = s.Vcpus,
            MemoryMiB = s.MemoryMiB, PendingOp = s.PendingOp, PendingKind = s.PendingKind, MigrationDestination = s.MigrationDestination,
            SourceVfs = [.. s.SourceVfs],
        };
        vm._vnics.AddRange(s.Vnics.Select(v => new Vnic(v.Spec)
        {
            Datapath = v.Datapath, Since = v.Since, DestinationClaim = v.DestinationClaim,
            PendingStep = v.PendingStep == VmOperationKind.None ? null : (v.PendingStepOp, v.PendingStep),
        }));
        return vm;
    }
}
