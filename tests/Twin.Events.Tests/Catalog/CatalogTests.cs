using Twin.Events.Catalog;
using Twin.Events.Nics;

namespace Twin.Events.Tests.Catalog;

public sealed class CatalogTests
{
    [Fact]
    public void Every_model_has_a_source_and_a_positive_ceiling() =>
        Assert.All(NicCatalog.Models, m =>
        {
            Assert.False(string.IsNullOrWhiteSpace(m.Source));
            Assert.True(m.VfsPerPort > 0);
            Assert.True(m.VfsPerCard is null || m.VfsPerCard >= m.VfsPerPort);
        });

    [Theory]
    [InlineData("X520", 63)]
    [InlineData("intel-x710", 32)]
    [InlineData("XL710", 64)]
    [InlineData("E810", 256)]
    [InlineData("I350", 7)]
    [InlineData("ConnectX-3", 64)]
    [InlineData("ConnectX-4/5/6", 127)]
    [InlineData("Solarflare", 240)]
    [InlineData("Emulex", 30)]
    [InlineData("Intel(R) Ethernet Controller X550", 63)]
    [InlineData("Intel Ethernet Controller E810-XXV for SFP", 256)]
    [InlineData("Intel Corporation Ethernet Controller XL710 for 40GbE QSFP+", 64)]
    [InlineData("Intel Corporation Ethernet Controller X710 for 10GbE SFP+", 32)]
    [InlineData("Mellanox Technologies MT27800 Family [ConnectX-5]", 127)]
    [InlineData("Intel Corporation 82599ES 10-Gigabit SFI/SFP+ Network Connection", 63)]
    public void Known_models_have_their_documented_ceiling(string query, int vfsPerPort) =>
        Assert.Equal(vfsPerPort, NicCatalog.Find(query)!.VfsPerPort);

    [Fact]
    public void A_live_reading_wins_over_the_catalog()
    {
        Assert.Equal(128, NicCatalog.EffectiveCeiling(128, "E810"));
        Assert.Equal(256, NicCatalog.EffectiveCeiling(null, "E810"));
        Assert.Null(NicCatalog.EffectiveCeiling(null, "Realtek RTL8111"));
        Assert.Null(NicCatalog.Find(""));
    }

    [Fact]
    public void Vsphere_charges_three_vectors_per_intel_vf_and_two_per_emulex_vf() =>
        Assert.Equal((3, 2, 3072), (InterruptVectors.PerVf(NicVendor.Intel), InterruptVectors.PerVf(NicVendor.Emulex), InterruptVectors.DefaultPassthroughBudget.Value));

    [Fact]
    public void A_vf_reaches_about_95_percent_of_a_10g_link_shared_by_its_flows()
    {
        var m = ThroughputModel.Default;
        Assert.Equal(9.48, m.VfGbps(10_000, 1, 100), 2);
        Assert.Equal(4.74, m.VfGbps(10_000, 2, 100), 2);
        Assert.Equal(1.0, m.VfGbps(10_000, 1, 1.0), 6);
    }

    [Fact]
    public void A_synthetic_vnic_without_vrss_is_bounded_by_one_core()
    {
        var m = ThroughputModel.Default;
        Assert.Equal(4.0, m.SyntheticGbps(25_000, 1, 100, vrss: false), 6);
        Assert.Equal(16.0, m.SyntheticGbps(25_000, 1, 100, vrss: true), 6);
        Assert.Equal(2.0, m.SyntheticGbps(25_000, 1, 2.0, vrss: false), 6);
    }

    [Fact]
    public void Every_throughput_parameter_is_named_with_its_source() =>
        Assert.All(ThroughputModel.Default.Describe(), d => Assert.Matches(@"^[a-z.]+[A-Za-z]* = .+ \(.+\)$", d));

    [Fact]
    public void A_parameter_can_be_overridden_for_calibration()
    {
        var calibrated = ThroughputModel.Default with { SyntheticGbpsPerCore = ThroughputModel.Default.SyntheticGbpsPerCore.WithValue(3.2, "lab measurement 2026-11") };
        Assert.Equal(3.2, calibrated.SyntheticGbps(10_000, 1, 100, vrss: false), 6);
        Assert.False(calibrated.SyntheticGbpsPerCore.IsAssumption);
    }
}
