using Twin.Events.Platforms;
using Twin.Grains.Investigations;

namespace Twin.Grains.Tests;

/// <summary>The change a counterfactual replay applies, as written on a command line.</summary>
public sealed class ReplayChangeTests
{
    [Fact]
    public void Ids_with_colons_and_spaces_are_everything_between_the_keyword_and_the_last_word()
    {
        Assert.Equal(new ReplayChange.PfVfCount("kvm-a01/0000:a2:00.0", 16), ReplayChange.Parse("vfs kvm-a01/0000:a2:00.0 16"));
        Assert.Equal(new ReplayChange.PfVfCount("AMVAL-216-025/Intel(R) Ethernet Controller X550", 8),
            ReplayChange.Parse("vfs AMVAL-216-025/Intel(R) Ethernet Controller X550 8"));
        Assert.Equal(new ReplayChange.SwitchIov("hv01/Ext Switch", false), ReplayChange.Parse("  iov hv01/Ext Switch   off "));
        Assert.Equal(new ReplayChange.VfPolicy(ScarceVfPolicy.FirstComeFirstServed, "hv01/Mellanox ConnectX-5"),
            ReplayChange.Parse("policy firstcomefirstserved hv01/Mellanox ConnectX-5"));
        Assert.Equal(new ReplayChange.VfPolicy(ScarceVfPolicy.WeightPreemptive), ReplayChange.Parse("policy WeightPreemptive"));
        Assert.IsType<ReplayChange.Nothing>(ReplayChange.Parse("none"));
    }

    [Theory]
    [InlineData("vfs kvm-a01/0000:a2:00.0")]
    [InlineData("vfs kvm-a01/0000:a2:00.0 -1")]
    [InlineData("vfs 16")]
    [InlineData("iov hv01/ext maybe")]
    [InlineData("policy Lottery")]
    [InlineData("")]
    public void Anything_else_is_refused_with_the_forms_that_are_accepted(string text)
    {
        var e = Assert.Throws<FormatException>(() => ReplayChange.Parse(text));
        Assert.Contains("use 'vfs NIC COUNT', 'iov SWITCH on|off'", e.Message, StringComparison.Ordinal);
    }
}
