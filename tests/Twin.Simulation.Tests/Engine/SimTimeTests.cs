using Twin.Simulation.Engine;

namespace Twin.Simulation.Tests.Engine;

public sealed class SimTimeTests
{
    [Fact]
    public void Counts_microseconds_since_the_scenario_start()
    {
        var t = SimTime.Zero + SimDuration.FromHours(1) + SimDuration.FromMilliseconds(5);

        Assert.Equal(3_600_005_000L, t.Microseconds);
        Assert.Equal(1.0 + (0.005 / 3600), t.TotalHours, 12);
    }

    [Fact]
    public void Formats_as_days_hours_minutes_seconds()
    {
        Assert.Equal("0.00:00:00", SimTime.Zero.ToString());
        Assert.Equal("1.02:03:04", (SimTime.Zero + SimDuration.FromDays(1) + SimDuration.FromHours(2) + SimDuration.FromMinutes(3) + SimDuration.FromSeconds(4)).ToString());
        Assert.Equal("0.00:00:01.500000", SimTime.FromSeconds(1.5).ToString());
        Assert.Equal("-0.00:01:00", (-SimDuration.FromMinutes(1)).ToString());
        Assert.Equal("30.00:00:00", SimTime.FromSeconds(2_592_000).ToString());
    }

    [Fact]
    public void Subtracting_instants_gives_a_duration_and_adding_it_back_round_trips()
    {
        var a = SimTime.FromSeconds(100);
        var b = SimTime.FromSeconds(2_591_700);

        var gap = b - a;

        Assert.Equal(SimDuration.FromSeconds(2_591_600), gap);
        Assert.Equal(b, a + gap);
        Assert.True(a < b);
        Assert.Equal(-1, a.CompareTo(b));
    }

    [Fact]
    public void Fractional_constructors_round_to_the_nearest_microsecond()
    {
        Assert.Equal(1L, SimDuration.FromSeconds(0.0000005).Microseconds);
        Assert.Equal(0L, SimDuration.FromSeconds(0.0000004).Microseconds);
        Assert.Equal(360_000_000L, SimDuration.FromHours(0.1).Microseconds);
    }

    [Fact]
    public void Converts_to_and_from_TimeSpan()
    {
        var d = SimDuration.FromMinutes(90);

        Assert.Equal(TimeSpan.FromMinutes(90), d.ToTimeSpan());
        Assert.Equal(d, SimDuration.FromTimeSpan(TimeSpan.FromMinutes(90)));
    }

    [Fact]
    public void Overflowing_arithmetic_throws_instead_of_wrapping()
    {
        Assert.Throws<OverflowException>(() => SimTime.MaxValue + SimDuration.FromMicroseconds(1));
        Assert.Throws<OverflowException>(() => SimDuration.FromDays(1e300));
    }
}
