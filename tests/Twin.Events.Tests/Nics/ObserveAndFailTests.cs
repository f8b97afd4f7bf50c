using Twin.Events.Platforms;
using static Twin.Events.Nics.NicCommand;
using static Twin.Events.Nics.NicEvent;
using static Twin.Events.Tests.Given;
using static Twin.Events.Tests.Nics.NicSpecs;

namespace Twin.Events.Tests.Nics;

public sealed class ObserveAndFailTests
{
    [Fact]
    public void Observing_the_same_configuration_appends_nothing() =>
        Spec.Given(Pool(Platform.Kvm, 4)).When(new ObserveVfConfiguration(Pf, 8, true, 4, null, Op2, T1)).ThenNothing();

    [Fact]
    public void Observing_fewer_vfs_revokes_the_holders_of_vfs_that_no_longer_exist() =>
        Spec.Given(Pool(Platform.Kvm, 4).With(Held(1, 1), Held(3, 2))).When(new ObserveVfConfiguration(Pf, 8, true, 2, null, Op2, T1))
            .Then(new VfRevoked(Pf, 3, Vnic(2), SriovBlocker.VfCountChanged, false, Op1, Op2, T1),
                  new VfConfigurationObserved(Pf, 8, true, 2, null, Op2, T1));

    [Fact]
    public void An_observed_vsphere_change_pending_reboot_keeps_requested_apart_from_configured()
    {
        var state = Spec.Given(Pool(Platform.VSphere, 4).With(new VfConfigurationObserved(Pf, 63, true, 4, 16, Op2, T1))).State;
        Assert.Equal((63, 4, 16), (state.Ceiling!.Value, state.Configured, state.PendingVfs!.Value));
    }

    [Fact]
    public void A_failing_nic_revokes_every_vf_and_withdraws_the_waiters() =>
        Spec.Given(Pool(Platform.HyperV, 1).With(Held(0, 1), new VfAllocationRejected(Pf, Vnic(2), SriovBlocker.VfPoolExhausted, 0, 1, true, 100, 1, Op2, T0)))
            .When(new FailNic(Pf, Op3, T1))
            .Then(new VfRevoked(Pf, 0, Vnic(1), SriovBlocker.NicFailed, false, Op1, Op3, T1),
                  new VfRequestWithdrawn(Pf, Vnic(2), Op3, T1),
                  new NicFailed(Pf, Op3, T1));

    [Fact]
    public void A_repaired_nic_gives_vfs_again()
    {
        var history = Pool(Platform.Kvm, 2).With(new NicFailed(Pf, Op1, T0));
        Spec.Given(history).When(new RepairNic(Pf, Op2, T1)).Then(new NicRepaired(Pf, Op2, T1));
        Assert.Equal(2, Spec.Given(history.With(new NicRepaired(Pf, Op2, T1))).State.Free);
    }

    [Fact]
    public void Choosing_the_current_policy_again_is_a_no_op() =>
        Spec.Given(Pool(Platform.HyperV, 1)).When(new SetScarceVfPolicy(Pf, ScarceVfPolicy.FirstComeThenWeight, T1)).ThenNothing();
}
