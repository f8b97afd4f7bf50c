using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using static Twin.Events.Nics.NicCommand;
using static Twin.Events.Nics.NicEvent;
using static Twin.Events.Tests.Given;
using static Twin.Events.Tests.Nics.NicSpecs;

namespace Twin.Events.Tests.Nics;

public sealed class DisableSriovTests
{
    [Fact]
    public void On_hyper_v_disabling_moves_every_holder_to_synthetic_in_one_step() =>
        Spec.Given(Pool(Platform.HyperV, 2).With(Held(0, 1), Held(1, 2), new VfAllocationRejected(Pf, Vnic(3), SriovBlocker.VfPoolExhausted, 0, 1, true, 100, 1, Op2, T0)))
            .When(new DisableSriov(Pf, Op3, T1))
            .Then(
                new VfRevoked(Pf, 0, Vnic(1), SriovBlocker.SriovDisabledByOperator, false, Op1, Op3, T1),
                new VfRevoked(Pf, 1, Vnic(2), SriovBlocker.SriovDisabledByOperator, false, Op1, Op3, T1),
                new VfRequestWithdrawn(Pf, Vnic(3), Op3, T1),
                new SriovDisabled(Pf, Op3, T1));

    [Fact]
    public void After_disabling_nothing_is_held_waiting_or_allocatable()
    {
        var state = Spec.Given(Pool(Platform.HyperV, 2).With(Held(0, 1), Held(1, 2),
            new VfRevoked(Pf, 0, Vnic(1), SriovBlocker.SriovDisabledByOperator, false, Op1, Op3, T1),
            new VfRevoked(Pf, 1, Vnic(2), SriovBlocker.SriovDisabledByOperator, false, Op1, Op3, T1),
            new SriovDisabled(Pf, Op3, T1))).State;
        Assert.Equal((0, 0, 0, 0), (state.Configured, state.Allocatable, state.Allocated, state.Waiting.Count));
        Assert.False(state.SriovEnabled);
    }

    [Fact]
    public void On_vsphere_disabling_is_pending_until_reboot() =>
        Spec.Given(Pool(Platform.VSphere, 4).With(Held(0, 1))).When(new DisableSriov(Pf, Op2, T1))
            .Then(new VfConfigurationPending(Pf, false, 0, Op2, T1));

    [Fact]
    public void On_linux_disabling_is_refused_while_a_vf_is_held() =>
        Spec.Given(Pool(Platform.Kvm, 4).With(Held(2, 1))).When(new DisableSriov(Pf, Op2, T1))
            .Then(new VfConfigurationRejected(Pf, NicChangeRefusal.VfsInUse, 0, ValueList.Of(Vnic(1)), Op2, T1));

    [Fact]
    public void Disabling_a_disabled_pf_is_a_no_op() =>
        Spec.Given(Installed(Platform.HyperV)).When(new DisableSriov(Pf, Op2, T1)).ThenNothing();
}
