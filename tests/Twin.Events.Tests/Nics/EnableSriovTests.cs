using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using static Twin.Events.Nics.NicCommand;
using static Twin.Events.Nics.NicEvent;
using static Twin.Events.Tests.Given;
using static Twin.Events.Tests.Nics.NicSpecs;

namespace Twin.Events.Tests.Nics;

public sealed class EnableSriovTests
{
    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.Kvm)]
    public void Enabling_takes_effect_at_once_on_hyper_v_and_linux(Platform platform) =>
        Spec.Given(Installed(platform, 64)).When(new EnableSriov(Pf, 8, Op1, T1)).Then(new SriovEnabled(Pf, 8, Op1, T1));

    [Fact]
    public void Enabling_on_vsphere_is_requested_and_pending_until_the_host_reboots()
    {
        Spec.Given(Installed(Platform.VSphere, 64)).When(new EnableSriov(Pf, 8, Op1, T1))
            .Then(new VfConfigurationPending(Pf, true, 8, Op1, T1));
        var pending = Spec.Given(Installed(Platform.VSphere, 64), new VfConfigurationPending(Pf, true, 8, Op1, T1)).State;
        Assert.Equal(8, pending.PendingVfs);
        Assert.Equal(0, pending.Configured);
        Assert.Equal(0, pending.Free);
    }

    [Fact]
    public void A_pending_vsphere_change_takes_effect_at_reboot() =>
        Spec.Given(Installed(Platform.VSphere, 64), new VfConfigurationPending(Pf, true, 8, Op1, T1))
            .When(new ApplyPendingConfiguration(Pf, Op2, T2))
            .Then(new SriovEnabled(Pf, 8, Op2, T2));

    [Fact]
    public void More_vfs_than_the_ceiling_are_refused() =>
        Spec.Given(Installed(Platform.Kvm, 63)).When(new EnableSriov(Pf, 64, Op1, T1))
            .Then(new VfConfigurationRejected(Pf, NicChangeRefusal.ExceedsCeiling, 64, ValueList<VnicRef>.Empty, Op1, T1));

    [Fact]
    public void A_pf_without_a_reported_ceiling_is_not_sriov_capable() =>
        Spec.Given(Installed(Platform.Kvm, maxVfs: null)).When(new EnableSriov(Pf, 4, Op1, T1))
            .Then(new VfConfigurationRejected(Pf, NicChangeRefusal.NotSriovCapable, 4, ValueList<VnicRef>.Empty, Op1, T1));

    [Fact]
    public void A_pf_whose_driver_lacks_sriov_is_refused() =>
        Spec.Given(Installed(Platform.HyperV, 64, pfDriver: false)).When(new EnableSriov(Pf, 4, Op1, T1))
            .Then(new VfConfigurationRejected(Pf, NicChangeRefusal.NotSriovCapable, 4, ValueList<VnicRef>.Empty, Op1, T1));

    [Fact]
    public void Enabling_zero_vfs_is_impossible() =>
        Spec.Given(Installed(Platform.Kvm, 64)).When(new EnableSriov(Pf, 0, Op1, T1)).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void Enabling_the_same_count_again_is_a_no_op() =>
        Spec.Given(Pool(Platform.HyperV, 8)).When(new EnableSriov(Pf, 8, Op2, T1)).ThenNothing();
}
