using Twin.Events.Common;
using Twin.Events.Platforms;
using static Twin.Events.Switches.SwitchCommand;
using static Twin.Events.Switches.SwitchEvent;

namespace Twin.Events.Switches;

/// <summary>Decides switch commands by the platform's rules (Hyper-V: IOV fixed at creation).</summary>
public static class SwitchDecider
{
    public static readonly Decider<SwitchCommand, SwitchEvent, VirtualSwitch> Decider = new(Decide, VirtualSwitch.Evolve, VirtualSwitch.Initial);

    /// <summary>The plan Hyper-V leaves an operator who wants IOV on an existing switch.</summary>
    public const string RecreatePlan = "recreate the switch with -EnableIov (Remove-VMSwitch, New-VMSwitch -EnableIov $true): every connected vNIC is disconnected";

    public static SwitchEvent[] Decide(SwitchCommand command, VirtualSwitch s) => (command, s.Status) switch
    {
        (CreateSwitch c, SwitchStatus.Absent or SwitchStatus.Deleted) => Create(c),
        (CreateSwitch c, _) => c.Kind == s.Kind && c.BoundNic == s.BoundNic && c.IovEnabled == s.IovEnabled && c.Host == s.Host ? []
            : throw new DomainRuleViolated($"switch {c.Switch} already exists ({s.Kind}, IOV {(s.IovEnabled ? "on" : "off")}); change or recreate it"),
        (_, SwitchStatus.Absent or SwitchStatus.Deleted) => throw new DomainRuleViolated($"switch {command.Switch} does not exist"),
        (SetSwitchIov c, _) when c.IovEnabled == s.IovEnabled => [],
        (SetSwitchIov c, _) when c.IovEnabled && s.Kind is not (SwitchKind.External or SwitchKind.HostdevPool) =>
            throw new DomainRuleViolated($"switch {s.Id} is {s.Kind}: only an external switch bound to a NIC can carry VFs"),
        (SetSwitchIov c, _) when PlatformRules.For(s.Platform).SwitchIovFixedAtCreation =>
            [new SwitchIovChangeRejected(s.Id, c.IovEnabled, $"IOV is fixed when a {s.Platform} switch is created", RecreatePlan, s.Ports.ToValueList(), c.Op, c.At)],
        (SetSwitchIov c, _) => [new SwitchIovChanged(s.Id, c.IovEnabled, c.Op, c.At)],
        (RecreateSwitch c, _) when c.IovEnabled && s.Kind is not (SwitchKind.External or SwitchKind.HostdevPool) =>
            throw new DomainRuleViolated($"switch {s.Id} is {s.Kind}: only an external switch bound to a NIC can carry VFs"),
        (RecreateSwitch c, _) => [new SwitchRecreated(s.Id, c.IovEnabled, s.Ports.ToValueList(), c.Op, c.At)],
        (DeleteSwitch c, _) => [new SwitchDeleted(s.Id, s.Ports.ToValueList(), c.Op, c.At)],
        (ConnectPort c, _) => s.Ports.Contains(c.Vnic) ? [] : [new PortConnected(s.Id, c.Vnic, c.At)],
        (DisconnectPort c, _) => s.Ports.Contains(c.Vnic) ? [new PortDisconnected(s.Id, c.Vnic, c.At)] : [],
        _ => throw new DomainRuleViolated($"{command.GetType().Name} is not valid for a {s.Status} switch"),
    };

    private static SwitchEvent[] Create(CreateSwitch c)
    {
        if (c.Kind is SwitchKind.External or SwitchKind.HostdevPool && c.BoundNic is null)
            throw new DomainRuleViolated($"an {c.Kind} switch needs the NIC it is bound to");
        if (c.Kind is SwitchKind.Internal or SwitchKind.Private && c.BoundNic is not null)
            throw new DomainRuleViolated($"a {c.Kind} switch is not bound to a NIC");
        if (c.IovEnabled && c.Kind is SwitchKind.Internal or SwitchKind.Private)
            throw new DomainRuleViolated($"IOV needs an external switch bound to an SR-IOV NIC, not a {c.Kind} switch");
        var iov = c.Kind == SwitchKind.HostdevPool || c.IovEnabled; // a hostdev pool is VFs by definition
        return [new SwitchCreated(c.Switch, c.Host, c.Platform, c.Name, c.Kind, c.BoundNic, iov, c.Op, c.At)];
    }
}
