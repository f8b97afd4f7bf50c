using System.Text.Json.Serialization;
using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Vms;

/// <summary>Which path a vNIC's traffic takes.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DatapathKind>))]
public enum DatapathKind
{
    /// <summary>The VM is not running.</summary>
    Off,
    /// <summary>A VF of a PF (SR-IOV): the hardware path.</summary>
    Vf,
    /// <summary>The software path (Hyper-V vSwitch/VMBus, vmxnet3/vDS, virtio/vhost).</summary>
    Synthetic,
    /// <summary>Not connected to any switch (e.g. after the switch was recreated).</summary>
    Disconnected,
}

/// <summary>A vNIC's datapath: a VF (PF and index, under claim <see cref="Claim"/>), or synthetic/disconnected with the
/// reason (null = the vNIC did not ask for a VF).</summary>
[GenerateSerializer, Immutable]
public sealed record Datapath(
    DatapathKind Kind,
    NicId? Nic = null,
    int? VfIndex = null,
    OperationId Claim = default,
    SriovBlocker? Reason = null)
{
    public static readonly Datapath Off = new(DatapathKind.Off);

    public static Datapath OnVf(NicId nic, int vfIndex, OperationId claim) => new(DatapathKind.Vf, nic, vfIndex, claim);

    public static Datapath Synthetic(SriovBlocker? reason = null) => new(DatapathKind.Synthetic, Reason: reason);

    public static Datapath Disconnected(SriovBlocker reason) => new(DatapathKind.Disconnected, Reason: reason);

    public override string ToString() => Kind switch
    {
        DatapathKind.Vf => $"VF {VfIndex} on {Nic}",
        DatapathKind.Synthetic when Reason is { } r => $"synthetic ({r})",
        DatapathKind.Synthetic => "synthetic",
        DatapathKind.Disconnected => $"disconnected ({Reason})",
        _ => "off",
    };
}

/// <summary>A vNIC's configuration: its name in the VM, its switch, its IovWeight (0 = no VF wanted, 1–100 = wants
/// one; Hyper-V's "Enable SR-IOV") and the queue pairs it asks for (Hyper-V).</summary>
[GenerateSerializer, Immutable]
public sealed record VnicSpec(
    string Name,
    SwitchId Switch,
    int IovWeight = 0,
    int QueuePairs = 1)
{
    public bool WantsVf => IovWeight > 0;

    /// <summary>The same switch on another host: switch ids are "host/name" by convention, so a VM that moved from
    /// <paramref name="from"/> to <paramref name="to"/> is on "to/name" (other switch ids are kept).</summary>
    public static SwitchId SwitchOnHost(SwitchId sw, HostId from, HostId to) =>
        sw.Value.StartsWith(from.Value + "/", StringComparison.Ordinal) ? new SwitchId(to.Value + sw.Value[from.Value.Length..]) : sw;
}

/// <summary>A VF a vNIC holds: the PF, the index and the claim (operation) that allocated it.</summary>
[GenerateSerializer, Immutable]
public sealed record VfHolding(
    string Vnic,
    NicId Nic,
    int VfIndex,
    OperationId Claim);
