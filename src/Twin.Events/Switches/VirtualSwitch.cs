using System.Text.Json.Serialization;
using Twin.Events.Common;
using Twin.Events.Platforms;
using static Twin.Events.Switches.SwitchEvent;

namespace Twin.Events.Switches;

/// <summary>Kind of virtual switch.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SwitchKind>))]
public enum SwitchKind
{
    /// <summary>Bound to a physical NIC (the only kind that can carry VFs).</summary>
    External,
    /// <summary>Host and VMs only.</summary>
    Internal,
    /// <summary>VMs only.</summary>
    Private,
    /// <summary>libvirt network with forward mode='hostdev': a pool of VFs of one or more PFs.</summary>
    HostdevPool,
}

public enum SwitchStatus
{
    Absent,
    Active,
    Deleted,
}

/// <summary>An immutable image of a switch's state at a stream version.</summary>
[GenerateSerializer, Immutable]
public sealed record SwitchSnapshot([property: Id(0)] string Id, [property: Id(1)] long Version, [property: Id(2)] SwitchStatus Status,
    [property: Id(3)] HostId Host, [property: Id(4)] Platform Platform, [property: Id(5)] string Name, [property: Id(6)] SwitchKind Kind,
    [property: Id(7)] NicId? BoundNic, [property: Id(8)] bool IovEnabled, [property: Id(9)] ValueList<VnicRef> Ports) : ISnapshot;

/// <summary>The state of one virtual switch: its kind, bound NIC, IOV mode and connected vNICs.</summary>
public sealed class VirtualSwitch
{
    private readonly List<VnicRef> _ports = [];

    public SwitchSnapshot ToSnapshot(long version) => new(Id.Value, version, Status, Host, Platform, Name, Kind, BoundNic, IovEnabled, _ports.ToValueList());

    public static VirtualSwitch FromSnapshot(SwitchSnapshot s)
    {
        var w = new VirtualSwitch
        {
            Status = s.Status, Id = new SwitchId(s.Id), Host = s.Host, Platform = s.Platform, Name = s.Name, Kind = s.Kind,
            BoundNic = s.BoundNic, IovEnabled = s.IovEnabled,
        };
        w._ports.AddRange(s.Ports);
        return w;
    }

    public SwitchStatus Status { get; private set; }
    public SwitchId Id { get; private set; }
    public HostId Host { get; private set; }
    public Platform Platform { get; private set; }
    public string Name { get; private set; } = "";
    public SwitchKind Kind { get; private set; }

    /// <summary>The PF the switch is bound to (external and hostdev-pool switches).</summary>
    public NicId? BoundNic { get; private set; }
    public bool IovEnabled { get; private set; }

    /// <summary>Connected vNICs, in connection order.</summary>
    public IReadOnlyList<VnicRef> Ports => _ports;

    public static VirtualSwitch Initial() => new();

    public static VirtualSwitch Evolve(VirtualSwitch s, SwitchEvent e)
    {
        switch (e)
        {
            case SwitchCreated x:
                (s.Status, s.Id, s.Host, s.Platform, s.Name, s.Kind, s.BoundNic, s.IovEnabled) =
                    (SwitchStatus.Active, x.Switch, x.Host, x.Platform, x.Name, x.Kind, x.BoundNic, x.IovEnabled);
                s._ports.Clear();
                break;
            case SwitchIovChanged x:
                s.IovEnabled = x.IovEnabled;
                break;
            case SwitchRecreated x:
                s.IovEnabled = x.IovEnabled;
                s._ports.Clear();
                break;
            case SwitchDeleted:
                s.Status = SwitchStatus.Deleted;
                s._ports.Clear();
                break;
            case PortConnected x:
                if (!s._ports.Contains(x.Vnic)) s._ports.Add(x.Vnic);
                break;
            case PortDisconnected x:
                s._ports.Remove(x.Vnic);
                break;
        }
        return s;
    }
}

/// <summary>Commands to a virtual switch.</summary>
[GenerateSerializer, Immutable]
public abstract record SwitchCommand
{
    public abstract SwitchId Switch { get; init; }

    /// <summary>Creates a switch. Hyper-V: <c>New-VMSwitch -NetAdapterName … -EnableIov $true</c>; IOV needs an external switch.</summary>
    [GenerateSerializer, Immutable]
    public sealed record CreateSwitch([property: Id(0)] SwitchId Switch, [property: Id(1)] HostId Host, [property: Id(2)] Platform Platform,
        [property: Id(3)] string Name, [property: Id(4)] SwitchKind Kind, [property: Id(5)] NicId? BoundNic, [property: Id(6)] bool IovEnabled,
        [property: Id(7)] OperationId Op, [property: Id(8)] DateTimeOffset At) : SwitchCommand;

    /// <summary>Turns IOV on or off on an existing switch (refused on Hyper-V, where it is fixed at creation).</summary>
    [GenerateSerializer, Immutable]
    public sealed record SetSwitchIov([property: Id(0)] SwitchId Switch, [property: Id(1)] bool IovEnabled, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : SwitchCommand;

    /// <summary>Deletes and recreates the switch with another IOV mode: every connected vNIC is disconnected.</summary>
    [GenerateSerializer, Immutable]
    public sealed record RecreateSwitch([property: Id(0)] SwitchId Switch, [property: Id(1)] bool IovEnabled, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : SwitchCommand;

    [GenerateSerializer, Immutable]
    public sealed record DeleteSwitch([property: Id(0)] SwitchId Switch, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : SwitchCommand;

    [GenerateSerializer, Immutable]
    public sealed record ConnectPort([property: Id(0)] SwitchId Switch, [property: Id(1)] VnicRef Vnic, [property: Id(2)] DateTimeOffset At) : SwitchCommand;

    [GenerateSerializer, Immutable]
    public sealed record DisconnectPort([property: Id(0)] SwitchId Switch, [property: Id(1)] VnicRef Vnic, [property: Id(2)] DateTimeOffset At) : SwitchCommand;

    private SwitchCommand() { }
}

/// <summary>Facts about a virtual switch.</summary>
[GenerateSerializer, Immutable]
public abstract record SwitchEvent
{
    public abstract SwitchId Switch { get; init; }
    public abstract DateTimeOffset At { get; init; }

    [GenerateSerializer, Immutable]
    public sealed record SwitchCreated([property: Id(0)] SwitchId Switch, [property: Id(1)] HostId Host, [property: Id(2)] Platform Platform,
        [property: Id(3)] string Name, [property: Id(4)] SwitchKind Kind, [property: Id(5)] NicId? BoundNic, [property: Id(6)] bool IovEnabled,
        [property: Id(7)] OperationId Op, [property: Id(8)] DateTimeOffset At) : SwitchEvent;

    [GenerateSerializer, Immutable]
    public sealed record SwitchIovChanged([property: Id(0)] SwitchId Switch, [property: Id(1)] bool IovEnabled, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : SwitchEvent;

    /// <summary>Hyper-V refused to change IOV on an existing switch. The plan offered is to recreate it, which
    /// disconnects <paramref name="WouldDisconnect"/>.</summary>
    [GenerateSerializer, Immutable]
    public sealed record SwitchIovChangeRejected([property: Id(0)] SwitchId Switch, [property: Id(1)] bool RequestedIov,
        [property: Id(2)] string Reason, [property: Id(3)] string Plan, [property: Id(4)] ValueList<VnicRef> WouldDisconnect,
        [property: Id(5)] OperationId Op, [property: Id(6)] DateTimeOffset At) : SwitchEvent;

    /// <summary>The switch was deleted and created again with <paramref name="IovEnabled"/>; <paramref name="Disconnected"/>
    /// lost their connection (and any VF through it) and must reconnect.</summary>
    [GenerateSerializer, Immutable]
    public sealed record SwitchRecreated([property: Id(0)] SwitchId Switch, [property: Id(1)] bool IovEnabled,
        [property: Id(2)] ValueList<VnicRef> Disconnected, [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : SwitchEvent;

    [GenerateSerializer, Immutable]
    public sealed record SwitchDeleted([property: Id(0)] SwitchId Switch, [property: Id(1)] ValueList<VnicRef> Disconnected,
        [property: Id(2)] OperationId Op, [property: Id(3)] DateTimeOffset At) : SwitchEvent;

    [GenerateSerializer, Immutable]
    public sealed record PortConnected([property: Id(0)] SwitchId Switch, [property: Id(1)] VnicRef Vnic, [property: Id(2)] DateTimeOffset At) : SwitchEvent;

    [GenerateSerializer, Immutable]
    public sealed record PortDisconnected([property: Id(0)] SwitchId Switch, [property: Id(1)] VnicRef Vnic, [property: Id(2)] DateTimeOffset At) : SwitchEvent;

    private SwitchEvent() { }
}
