using Twin.Events.Common;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using static Twin.Events.Switches.SwitchCommand;
using static Twin.Events.Switches.SwitchEvent;
using static Twin.Events.Tests.Given;

namespace Twin.Events.Tests.Switches;

public sealed class SwitchTests
{
    private static readonly Spec<SwitchCommand, SwitchEvent, VirtualSwitch> Spec = new(SwitchDecider.Decider);
    private static readonly SwitchId Sw = new("host-07/external");

    private static SwitchCreated Created(Platform platform, bool iov, SwitchKind kind = SwitchKind.External) =>
        new(Sw, Host7, platform, "external", kind, kind == SwitchKind.External ? Pf : null, iov, Op1, T0);

    [Fact]
    public void Enabling_iov_on_an_existing_hyper_v_switch_is_refused_with_a_recreate_plan_listing_the_vnics_it_disconnects() =>
        Spec.Given(Created(Platform.HyperV, iov: false), new PortConnected(Sw, Vnic(1), T0), new PortConnected(Sw, Vnic(2), T0))
            .When(new SetSwitchIov(Sw, true, Op2, T1))
            .Then(new SwitchIovChangeRejected(Sw, true, "IOV is fixed when a HyperV switch is created", SwitchDecider.RecreatePlan,
                ValueList.Of(Vnic(1), Vnic(2)), Op2, T1));

    [Fact]
    public void On_vsphere_iov_is_set_per_port_group_at_any_time() =>
        Spec.Given(Created(Platform.VSphere, iov: false)).When(new SetSwitchIov(Sw, true, Op2, T1)).Then(new SwitchIovChanged(Sw, true, Op2, T1));

    [Fact]
    public void Recreating_a_switch_disconnects_every_vnic_on_it()
    {
        Spec.Given(Created(Platform.HyperV, iov: false), new PortConnected(Sw, Vnic(1), T0))
            .When(new RecreateSwitch(Sw, true, Op2, T1))
            .Then(new SwitchRecreated(Sw, true, ValueList.Of(Vnic(1)), Op2, T1));
        var after = Spec.Given(Created(Platform.HyperV, iov: false), new PortConnected(Sw, Vnic(1), T0), new SwitchRecreated(Sw, true, ValueList.Of(Vnic(1)), Op2, T1)).State;
        Assert.Empty(after.Ports);
        Assert.True(after.IovEnabled);
    }

    [Fact]
    public void Iov_needs_an_external_switch() =>
        Spec.Given().When(new CreateSwitch(Sw, Host7, Platform.HyperV, "internal", SwitchKind.Internal, null, true, Op1, T0)).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void An_external_switch_is_bound_to_a_nic() =>
        Spec.Given().When(new CreateSwitch(Sw, Host7, Platform.HyperV, "external", SwitchKind.External, null, true, Op1, T0)).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void A_libvirt_hostdev_network_is_a_vf_pool_by_definition() =>
        Spec.Given().When(new CreateSwitch(Sw, Host7, Platform.Kvm, "hostdev-net", SwitchKind.HostdevPool, Pf, false, Op1, T0))
            .Then(new SwitchCreated(Sw, Host7, Platform.Kvm, "hostdev-net", SwitchKind.HostdevPool, Pf, true, Op1, T0));

    [Fact]
    public void Connecting_twice_is_a_no_op() =>
        Spec.Given(Created(Platform.HyperV, true), new PortConnected(Sw, Vnic(1), T0)).When(new ConnectPort(Sw, Vnic(1), T1)).ThenNothing();
}
