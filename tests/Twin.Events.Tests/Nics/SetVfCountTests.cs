using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using static Twin.Events.Nics.NicCommand;
using static Twin.Events.Nics.NicEvent;
using static Twin.Events.Tests.Given;
using static Twin.Events.Tests.Nics.NicSpecs;

namespace Twin.Events.Tests.Nics;

public sealed class SetVfCountTests
{
    [Fact]
    public void On_hyper_v_changing_the_count_restarts_the_adapter_revoking_every_vf_then_regives_them_by_policy() =>
        Spec.Given(Pool(Platform.HyperV, 4).With(Held(0, 1, weight: 10), Held(1, 2, weight: 50), Held(2, 3, weight: 90)))
            .When(new SetVfCount(Pf, 2, Op2, T1))
            .Then(
                new VfRevoked(Pf, 0, Vnic(1), SriovBlocker.VfCountChanged, true, Op1, Op2, T1),
                new VfRevoked(Pf, 1, Vnic(2), SriovBlocker.VfCountChanged, true, Op1, Op2, T1),
                new VfRevoked(Pf, 2, Vnic(3), SriovBlocker.VfCountChanged, true, Op1, Op2, T1),
                new VfCountChanged(Pf, 4, 2, 2, Op2, T1),
                new VfAllocated(Pf, 0, Vnic(3), 90, 1, VfAllocationCause.HandedOverOnRelease, Op1, T1),
                new VfAllocated(Pf, 1, Vnic(2), 50, 1, VfAllocationCause.HandedOverOnRelease, Op1, T1));

    [Fact]
    public void After_a_hyper_v_restart_the_vnic_that_did_not_get_a_vf_waits_for_one()
    {
        var state = Spec.Given(Pool(Platform.HyperV, 4).With(Held(0, 1, weight: 10), Held(1, 2, weight: 50), Held(2, 3, weight: 90))).State;
        var (_, after) = NicDecider.Decider.Run(new SetVfCount(Pf, 2, Op2, T1), state);
        Assert.Equal(2, after.Allocated);
        Assert.Equal([Vnic(1)], after.Waiting.Select(w => w.Vnic));
    }

    [Fact]
    public void On_vsphere_a_count_change_is_pending_until_reboot_and_the_pool_is_unchanged()
    {
        Spec.Given(Pool(Platform.VSphere, 4, maxVfs: 63).With(Held(0, 1))).When(new SetVfCount(Pf, 16, Op2, T1))
            .Then(new VfConfigurationPending(Pf, true, 16, Op2, T1));
        var state = Spec.Given(Pool(Platform.VSphere, 4).With(Held(0, 1), new VfConfigurationPending(Pf, true, 16, Op2, T1))).State;
        Assert.Equal(4, state.Configured);
        Assert.Equal(16, state.PendingVfs);
        Assert.Equal(1, state.Allocated);
    }

    [Fact]
    public void On_vsphere_the_reboot_applies_the_pending_count() =>
        Spec.Given(Pool(Platform.VSphere, 4, maxVfs: 63).With(new VfConfigurationPending(Pf, true, 16, Op2, T1)))
            .When(new ApplyPendingConfiguration(Pf, Op3, T2))
            .Then(new VfCountChanged(Pf, 4, 16, 16, Op3, T2));

    [Fact]
    public void On_linux_changing_n_to_m_with_both_non_zero_is_refused_ebusy() =>
        Spec.Given(Pool(Platform.Kvm, 4).With(Held(0, 1))).When(new SetVfCount(Pf, 8, Op2, T1))
            .Then(new VfConfigurationRejected(Pf, NicChangeRefusal.MustPassThroughZero, 8, ValueList.Of(Vnic(1)), Op2, T1));

    [Fact]
    public void On_linux_going_through_zero_needs_every_holder_evicted_first() =>
        Spec.Given(Pool(Platform.Kvm, 4).With(Held(0, 1), Held(3, 2))).When(new SetVfCount(Pf, 0, Op2, T1))
            .Then(new VfConfigurationRejected(Pf, NicChangeRefusal.VfsInUse, 0, ValueList.Of(Vnic(1), Vnic(2)), Op2, T1));

    [Fact]
    public void On_linux_an_unheld_pool_goes_to_zero_then_to_the_new_count()
    {
        var history = Pool(Platform.Kvm, 4);
        Spec.Given(history).When(new SetVfCount(Pf, 0, Op2, T1)).Then(new SriovDisabled(Pf, Op2, T1));
        Spec.Given(history.With(new SriovDisabled(Pf, Op2, T1))).When(new SetVfCount(Pf, 8, Op3, T2)).Then(new SriovEnabled(Pf, 8, Op3, T2));
    }

    [Fact]
    public void Writing_the_current_count_is_a_no_op() =>
        Spec.Given(Pool(Platform.Kvm, 4)).When(new SetVfCount(Pf, 4, Op2, T1)).ThenNothing();

    [Fact]
    public void A_count_above_the_ceiling_is_refused_on_every_platform() =>
        Spec.Given(Pool(Platform.HyperV, 4)).When(new SetVfCount(Pf, 9, Op2, T1))
            .Then(new VfConfigurationRejected(Pf, NicChangeRefusal.ExceedsCeiling, 9, ValueList<VnicRef>.Empty, Op2, T1));

    [Fact]
    public void A_negative_count_is_impossible() =>
        Spec.Given(Pool(Platform.HyperV, 4)).When(new SetVfCount(Pf, -1, Op2, T1)).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void A_linux_driver_may_enable_fewer_vfs_than_asked_and_the_twin_keeps_what_is_in_effect()
    {
        var state = Spec.Given(Installed(Platform.Kvm, 64), new VfCountChanged(Pf, 0, 6, 8, Op1, T1)).State;
        Assert.Equal(6, state.Configured);
    }
}
