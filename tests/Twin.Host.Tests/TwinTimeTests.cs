using Twin.Host.Api;

namespace Twin.Host.Tests;

/// <summary>The moments the API and the CLI take: ISO-8601 (UTC when no offset is given), now, or relative to now.</summary>
public sealed class TwinTimeTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2025-03-04T03:14:00Z", "2025-03-04T03:14:00.0000000+00:00")]
    [InlineData("2025-03-04T03:14:00", "2025-03-04T03:14:00.0000000+00:00")]
    [InlineData("2025-03-04T03:14", "2025-03-04T03:14:00.0000000+00:00")]
    [InlineData("2025-03-04 03:14:00Z", "2025-03-04T03:14:00.0000000+00:00")]
    [InlineData("2025-03-04 03:14+01:00", "2025-03-04T02:14:00.0000000+00:00")]
    [InlineData("2025-03-04T03:14:00.1234567-05:00", "2025-03-04T08:14:00.1234567+00:00")]
    [InlineData("2025-03-04", "2025-03-04T00:00:00.0000000+00:00")]
    [InlineData("now", "2025-03-04T12:00:00.0000000+00:00")]
    [InlineData(" NOW ", "2025-03-04T12:00:00.0000000+00:00")]
    [InlineData("-15m", "2025-03-04T11:45:00.0000000+00:00")]
    [InlineData("-2h", "2025-03-04T10:00:00.0000000+00:00")]
    [InlineData("-1d", "2025-03-03T12:00:00.0000000+00:00")]
    [InlineData("-1w", "2025-02-25T12:00:00.0000000+00:00")]
    [InlineData("-1h30m", "2025-03-04T10:30:00.0000000+00:00")]
    [InlineData("now-90s", "2025-03-04T11:58:30.0000000+00:00")]
    [InlineData("-0s", "2025-03-04T12:00:00.0000000+00:00")]
    public void Reads_iso_8601_now_and_moments_relative_to_now(string text, string expected)
    {
        Assert.True(TwinTime.TryParse(text, Now, out var moment), text);
        Assert.Equal(expected, TwinTime.Format(moment));
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("15m")]
    [InlineData("-15M")]
    [InlineData("-1y")]
    [InlineData("+1h")]
    [InlineData("2025-13-01")]
    [InlineData("3/4/2025")]
    [InlineData("2025-03-04T25:00")]
    [InlineData("-99999999999d")]
    public void Refuses_what_is_not_a_moment(string text) => Assert.False(TwinTime.TryParse(text, Now, out _), text);

    [Fact]
    public void A_moment_round_trips_through_its_format()
    {
        var moment = new DateTimeOffset(2025, 3, 4, 3, 14, 15, TimeSpan.FromHours(2)).AddTicks(1234567);
        Assert.True(TwinTime.TryParse(TwinTime.Format(moment), Now, out var back));
        Assert.Equal(moment, back);
        Assert.Equal(TimeSpan.Zero, back.Offset);
    }
}
