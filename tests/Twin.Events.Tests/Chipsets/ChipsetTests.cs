using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Platforms;
using static Twin.Events.Chipsets.ChipsetCommand;
using static Twin.Events.Chipsets.ChipsetEvent;
using static Twin.Events.Tests.Given;

namespace Twin.Events.Tests.Chipsets;

public sealed class ChipsetTests
{
    private static readonly Spec<ChipsetCommand, ChipsetEvent, Chipset> Spec = new(ChipsetDecider.Decider);
    private static readonly ChipsetId Id = ChipsetId.Of(Host7);

    [Fact]
    public void A_full_chipset_blocks_nothing() => Assert.Empty(ChipsetRules.Blockers(ChipsetCapabilities.Full, 64));

    [Theory]
    [InlineData(nameof(ChipsetCapabilities.Acs), SriovBlocker.MissingAcs)]
    [InlineData(nameof(ChipsetCapabilities.Iommu), SriovBlocker.NoIoMmuSupport)]
    [InlineData(nameof(ChipsetCapabilities.InterruptRemapping), SriovBlocker.NoIoMmuSupport)]
    [InlineData(nameof(ChipsetCapabilities.DmaRemapping), SriovBlocker.NoIoMmuSupport)]
    [InlineData(nameof(ChipsetCapabilities.Slat), SriovBlocker.NoIoMmuSupport)]
    [InlineData(nameof(ChipsetCapabilities.OscHandoff), SriovBlocker.NoOscSupport)]
    [InlineData(nameof(ChipsetCapabilities.BiosSriovEnabled), SriovBlocker.BiosSriovDisabled)]
    public void Each_missing_capability_is_named_in_the_windows_vocabulary(string capability, SriovBlocker expected)
    {
        var caps = capability switch
        {
            nameof(ChipsetCapabilities.Acs) => ChipsetCapabilities.Full with { Acs = false },
            nameof(ChipsetCapabilities.Iommu) => ChipsetCapabilities.Full with { Iommu = false },
            nameof(ChipsetCapabilities.InterruptRemapping) => ChipsetCapabilities.Full with { InterruptRemapping = false },
            nameof(ChipsetCapabilities.DmaRemapping) => ChipsetCapabilities.Full with { DmaRemapping = false },
            nameof(ChipsetCapabilities.Slat) => ChipsetCapabilities.Full with { Slat = false },
            nameof(ChipsetCapabilities.OscHandoff) => ChipsetCapabilities.Full with { OscHandoff = false },
            _ => ChipsetCapabilities.Full with { BiosSriovEnabled = false },
        };
        Assert.Equal([expected], ChipsetRules.Blockers(caps, 8));
    }

    [Fact]
    public void Bus_numbers_and_bar_space_limit_how_many_vfs_a_pf_can_get()
    {
        var caps = ChipsetCapabilities.Full with { MaxVfsByBusNumbers = 32, MaxVfsByBarSpace = 16 };
        Assert.Empty(ChipsetRules.Blockers(caps, 16));
        Assert.Equal([SriovBlocker.NoVfBarSpace], ChipsetRules.Blockers(caps, 17));
        Assert.Equal([SriovBlocker.NoBusResources, SriovBlocker.NoVfBarSpace], ChipsetRules.Blockers(caps, 33));
    }

    [Fact]
    public void Without_ari_a_pf_gets_at_most_seven_vfs()
    {
        var caps = ChipsetCapabilities.Full with { Ari = false };
        Assert.Empty(ChipsetRules.Blockers(caps, 7));
        Assert.Equal([SriovBlocker.NoAriSupport], ChipsetRules.Blockers(caps, 8));
    }

    [Fact]
    public void A_bios_update_is_recorded_as_a_capability_change()
    {
        var before = ChipsetCapabilities.Full with { OscHandoff = false };
        Spec.Given(new ChipsetRegistered(Id, Host7, "Intel C621", before, T0)).When(new ReportCapabilities(Id, ChipsetCapabilities.Full, T1))
            .Then(new ChipsetCapabilitiesChanged(Id, before, ChipsetCapabilities.Full, T1));
    }

    [Fact]
    public void Reporting_the_same_capabilities_is_a_no_op() =>
        Spec.Given(new ChipsetRegistered(Id, Host7, "Intel C621", ChipsetCapabilities.Full, T0)).When(new ReportCapabilities(Id, ChipsetCapabilities.Full, T1)).ThenNothing();

    [Fact]
    public void A_chipset_belongs_to_one_host() =>
        Spec.Given(new ChipsetRegistered(Id, Host7, "Intel C621", ChipsetCapabilities.Full, T0))
            .When(new RegisterChipset(Id, new HostId("host-08"), "Intel C621", ChipsetCapabilities.Full, T1)).ThenThrows<DomainRuleViolated>();
}
