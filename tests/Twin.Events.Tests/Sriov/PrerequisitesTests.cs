using Twin.Events.Chipsets;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sriov;
using Twin.Events.Switches;
using static Twin.Events.Tests.Given;

namespace Twin.Events.Tests.Sriov;

public sealed class PrerequisitesTests
{
    private static readonly SwitchFacts IovSwitch = new(new("host-07/ext"), Host7, SwitchKind.External, Pf, true, SwitchStatus.Active);
    private static readonly NicFacts ReadyNic = new(Pf, Host7, NicStatus.Installed, 64, true, 8, 8, true, NicVendor.Intel, "Intel E810", 25_000);

    private static HostFacts HyperV(string os = "Windows Server 2019") => new(Host7, Platform.HyperV, os, HostStatus.Up, 0);

    private static IEnumerable<SriovBlocker> Check(HostFacts? host = null, ChipsetCapabilities? chipset = null, SwitchFacts? sw = null,
        NicFacts? nic = null, string guest = "Windows Server 2022", int weight = 100, bool vfDriver = true) =>
        SriovPrerequisites.Check(host ?? HyperV(), chipset ?? ChipsetCapabilities.Full, sw ?? IovSwitch, nic ?? ReadyNic, GuestOs.Parse(guest, vfDriver), weight);

    [Fact]
    public void Everything_in_place_means_no_blocker() => Assert.Empty(Check());

    [Fact]
    public void A_vnic_with_iov_weight_zero_does_not_ask() => Assert.Equal([SriovBlocker.IovNotRequested], Check(weight: 0));

    [Theory]
    [InlineData("Windows 8")]
    [InlineData("Windows Server 2012")]
    [InlineData("Windows 10")]
    [InlineData("Windows Server 2025")]
    public void Hyper_v_gives_vfs_to_windows_8_and_server_2012_or_later(string guest) => Assert.Empty(Check(guest: guest));

    [Theory]
    [InlineData("Windows 7")]
    [InlineData("Windows Server 2008 R2")]
    [InlineData("FreeBSD 14")]
    public void Hyper_v_refuses_older_windows_and_other_guests(string guest) => Assert.Equal([SriovBlocker.GuestOsUnsupported], Check(guest: guest));

    [Fact]
    public void Hyper_v_gives_linux_guests_vfs_only_on_a_2016_or_later_host()
    {
        Assert.Empty(Check(HyperV("Windows Server 2016"), guest: "Ubuntu 22.04"));
        Assert.Equal([SriovBlocker.GuestOsUnsupported], Check(HyperV("Windows Server 2012 R2"), guest: "Ubuntu 22.04"));
    }

    [Fact]
    public void Hyper_v_before_server_2012_has_no_sriov() =>
        Assert.Contains(SriovBlocker.HostOsUnsupported, Check(HyperV("Windows Server 2008 R2")));

    [Theory]
    [InlineData(Platform.VSphere)]
    [InlineData(Platform.Kvm)]
    public void Vsphere_and_kvm_need_a_vf_driver_in_the_guest(Platform platform)
    {
        var host = new HostFacts(Host7, platform, "x", HostStatus.Up, 3072);
        Assert.Empty(Check(host, guest: "FreeBSD 14"));
        Assert.Equal([SriovBlocker.NoVfDriverInGuest], Check(host, guest: "Ubuntu 22.04", vfDriver: false));
    }

    [Fact]
    public void The_switch_must_be_external_with_iov()
    {
        Assert.Equal([SriovBlocker.SwitchIovDisabled], Check(sw: IovSwitch with { IovEnabled = false }));
        Assert.Equal([SriovBlocker.SwitchNotExternal], Check(sw: IovSwitch with { Kind = SwitchKind.Internal, BoundNic = null }));
    }

    [Fact]
    public void The_nic_must_implement_the_pf_with_sriov_on()
    {
        Assert.Equal([SriovBlocker.MissingPfDriver], Check(nic: ReadyNic with { PfDriverSupportsSriov = false }));
        Assert.Equal([SriovBlocker.NicNotSriovCapable], Check(nic: ReadyNic with { Ceiling = null }));
        Assert.Equal([SriovBlocker.SriovDisabledOnNic], Check(nic: ReadyNic with { SriovEnabled = false, Configured = 0 }));
    }

    [Fact]
    public void The_chipset_must_support_it() =>
        Assert.Equal([SriovBlocker.NoIoMmuSupport, SriovBlocker.MissingAcs], Check(chipset: ChipsetCapabilities.Full with { Iommu = false, Acs = false }));

    [Fact]
    public void Several_missing_prerequisites_are_all_named() =>
        Assert.Equal([SriovBlocker.GuestOsUnsupported, SriovBlocker.SwitchIovDisabled, SriovBlocker.SriovDisabledOnNic],
            Check(guest: "Windows 7", sw: IovSwitch with { IovEnabled = false }, nic: ReadyNic with { SriovEnabled = false }));
}
