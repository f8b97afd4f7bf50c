using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using static Twin.Events.Nics.NicCommand;
using static Twin.Events.Nics.NicEvent;
using static Twin.Events.Tests.Given;
using static Twin.Events.Tests.Nics.NicSpecs;

namespace Twin.Events.Tests.Nics;

public sealed class InstallNicTests
{
    private static InstallNic Install(int? maxVfs = 128) =>
        new(Pf, Host7, Platform.Kvm, "Intel E810", NicVendor.Intel, "0000:a2:00.0", 25_000, 1, maxVfs, true, null, null, T0);

    [Fact]
    public void Installs_a_pf_with_its_ceiling() =>
        Spec.Given().When(Install()).Then(new NicInstalled(Pf, Host7, Platform.Kvm, "Intel E810", NicVendor.Intel, "0000:a2:00.0", 25_000, 1, 128, true, null, null, T0));

    [Fact]
    public void An_absent_ceiling_is_kept_unknown_not_zero()
    {
        var state = Spec.Given(Installed(Platform.Kvm, maxVfs: null)).State;
        Assert.Null(state.Ceiling);
        Assert.Equal(0, state.Configured);
    }

    [Fact]
    public void Installing_the_same_pf_again_is_a_no_op() =>
        Spec.Given(Installed(Platform.Kvm, 128)).When(Install() with { Platform = Platform.Kvm }).ThenNothing();

    [Fact]
    public void Installing_another_pf_under_the_same_id_is_impossible() =>
        Spec.Given(Installed(Platform.Kvm, 128)).When(Install() with { Model = "Intel X520" }).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void Commands_to_a_nic_that_is_not_installed_are_impossible() =>
        Spec.Given().When(new EnableSriov(Pf, 4, Op1, T0)).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void The_four_counters_are_kept_apart()
    {
        var state = Spec.Given(Pool(Platform.Kvm, 8).With(
            new ResourcePoolDefined(Pf, "sriov_a", ValueList.Of(0, 1, 2, 3, 4, 5), T0),
            Held(0, 1), Held(1, 2))).State;
        Assert.Equal(8, state.Ceiling);
        Assert.Equal(8, state.Configured);
        Assert.Equal(6, state.Allocatable);
        Assert.Equal(2, state.Allocated);
        Assert.Equal(4, state.Free);
    }
}
