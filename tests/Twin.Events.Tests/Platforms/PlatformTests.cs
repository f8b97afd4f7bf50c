using Twin.Events.Platforms;

namespace Twin.Events.Tests.Platforms;

public sealed class PlatformTests
{
    [Fact]
    public void Each_platform_carries_the_rules_of_the_design_table()
    {
        Assert.Equal((true, VfCountChangeBehaviour.AdapterRestartRevokesAll, ExhaustionBehaviour.SyntheticFallback, MigrationBehaviour.SyntheticDuringMove, DisableSriovBehaviour.AllHoldersToSynthetic),
            Rules(Platform.HyperV));
        Assert.Equal((false, VfCountChangeBehaviour.PendingUntilReboot, ExhaustionBehaviour.PowerOnFails, MigrationBehaviour.RefusedForSriovVms, DisableSriovBehaviour.PendingUntilReboot),
            Rules(Platform.VSphere));
        Assert.Equal((false, VfCountChangeBehaviour.MustPassThroughZero, ExhaustionBehaviour.StartFailsAtomically, MigrationBehaviour.UnplugAndReplug, DisableSriovBehaviour.RefusedWhileHeld),
            Rules(Platform.Kvm));
        Assert.All([Platform.HyperV, Platform.VSphere, Platform.Kvm], p => Assert.False(string.IsNullOrWhiteSpace(PlatformRules.For(p).Source)));
    }

    private static (bool, VfCountChangeBehaviour, ExhaustionBehaviour, MigrationBehaviour, DisableSriovBehaviour) Rules(Platform p)
    {
        var r = PlatformRules.For(p);
        return (r.SwitchIovFixedAtCreation, r.OnVfCountChange, r.OnExhaustion, r.OnLiveMigration, r.OnDisableSriov);
    }

    [Theory]
    [InlineData("Windows Server 2012", "6.2")]
    [InlineData("Windows Server 2012 R2", "6.3")]
    [InlineData("Windows 8.1", "6.3")]
    [InlineData("Windows 7", "6.1")]
    [InlineData("Windows 11", "10.0")]
    [InlineData("Windows Server 2019", "10.0")]
    public void Windows_guests_map_to_their_nt_version(string name, string nt)
    {
        var g = GuestOs.Parse(name);
        Assert.Equal((OsFamily.Windows, nt), (g.Family, g.Version));
    }

    [Theory]
    [InlineData("Ubuntu 22.04", OsFamily.Linux)]
    [InlineData("Red Hat Enterprise Linux 9", OsFamily.Linux)]
    [InlineData("FreeBSD 14.1", OsFamily.Other)]
    public void Other_guests_get_their_family(string name, OsFamily family) => Assert.Equal(family, GuestOs.Parse(name).Family);

    [Theory]
    [InlineData("ESXi 8.0u3", "8.0.3")]
    [InlineData("10.0.17763", "10.0.17763")]
    [InlineData("libvirt 9.0", "9.0")]
    [InlineData("nothing", "0.0")]
    public void Versions_are_read_loosely(string text, string expected) => Assert.Equal(Version.Parse(expected), OsVersions.ParseLoose(text));

    [Fact]
    public void The_default_scarce_vf_policy_is_first_come_then_weight() =>
        Assert.Equal(ScarceVfPolicy.FirstComeThenWeight, new Twin.Events.Nics.Nic().Policy);
}
