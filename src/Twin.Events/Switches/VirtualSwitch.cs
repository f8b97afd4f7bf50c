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
public sealed record SwitchSnapshot(string Id, long Version, SwitchStatus Status,
    HostId Host, Platform Platform, string Name, SwitchKind Kind,
    NicId? BoundNic, bool IovEnabled, ValueList<VnicRef> Ports) : ISnapshot;

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
    public sealed record CreateSwitch(SwitchId Switch, HostId Host, Platform Platform,
        string Name, SwitchKind Kind, NicId? BoundNic, bool IovEnabled,
        OperationId Op, DateTimeOffset At) : SwitchCommand;

    /// <summary>Turns IOV on or off on an existing switch (refused on Hyper-V, where it is fixed at creation).</summary>
    [GenerateSerializer, Immutable]
    public sealed record SetSwitchIov(SwitchId Switch, bool IovEnabled, OperationId Op,
        DateTimeOffset At) : SwitchCommand;

    /// <summary>Deletes and recreates the switch with another IOV mode: every connected vNIC is disconnected.</summary>
    [GenerateSerializer, Immutable]
    public sealed record RecreateSwitch(SwitchId Switch, bool IovEnabled, OperationId Op,
        DateTimeOffset At) : SwitchCommand;

    [GenerateSerializer, Immutable]
    public sealed record DeleteSwitch(SwitchId Switch, OperationId Op, DateTimeOffset At) : SwitchCommand;

    [GenerateSerializer, Immutable]
    public sealed record ConnectPort(SwitchId Switch, VnicRef Vnic, DateTimeOffset At) : SwitchCommand;

    [GenerateSerializer, Immutable]
    public sealed record DisconnectPort(SwitchId Switch, VnicRef Vnic, DateTimeOffset At) : SwitchCommand;

    private SwitchCommand() { }
}

/// <summary>Facts about a virtual switch.</summary>
[GenerateSerializer, Immutable]
public abstract record SwitchEvent
{
    public abstract SwitchId Switch { get; init; }
    public abstract DateTimeOffset At { get; init; }

    [GenerateSerializer, Immutable]
    public sealed record SwitchCreated(SwitchId Switch, HostId Host, Platform Platform,
        string Name, SwitchKind Kind, NicId? BoundNic, bool IovEnabled,
        OperationId Op, DateTimeOffset At) : SwitchEvent;

    [GenerateSerializer, Immutable]
    public sealed record SwitchIovChanged(SwitchId Switch, bool IovEnabled, OperationId Op,
        DateTimeOffset At) : SwitchEvent;

    /// <summary>Hyper-V refused to change IOV on an existing switch. The plan offered is to recreate it, which
    /// disconnects <paramref name="WouldDisconnect"/>.</summary>
    [GenerateSerializer, Immutable]
    public sealed record SwitchIovChangeRejected(SwitchId Switch, bool RequestedIov,
        string Reason, string Plan, ValueList<VnicRef> WouldDisconnect,
        OperationId Op, DateTimeOffset At) : SwitchEvent;

    /// <summary>The switch was deleted and created again with <paramref name="IovEnabled"/>; <paramref name="Disconnected"/>
    /// lost their connection (and any VF through it) and must reconnect.</summary>
    [GenerateSerializer, Immutable]
    public sealed record SwitchRecreated(SwitchId Switch, bool IovEnabled,
        ValueList<VnicRef> Disconnected, OperationId Op, DateTimeOffset At) : SwitchEvent;

    [GenerateSerializer, Immutable]
    public sealed record SwitchDeleted(SwitchId Switch, ValueList<VnicRef> Disconnected,
        OperationId Op, DateTimeOffset At) : SwitchEvent;

    [GenerateSerializer, Immutable]
    public sealed record PortConnected(SwitchId Switch, VnicRef Vnic, DateTimeOffset At) : SwitchEvent;

    [GenerateSerializer, Immutable]
    public sealed record PortDisconnected(SwitchId Switch, VnicRef Vnic, DateTimeOffset At) : SwitchEvent;

    private SwitchEvent() { }
}
