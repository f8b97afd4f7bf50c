using System.Globalization;

namespace Twin.Simulation.Engine;

internal static class SimTimeFormat
{
    public static string Format(long microseconds)
    {
        // long.MinValue has no positive counterpart, so work on the unsigned magnitude
        var negative = microseconds < 0;
        var magnitude = negative ? (ulong)-(microseconds + 1) + 1 : (ulong)microseconds;
        var days = magnitude / (ulong)SimDuration.MicrosecondsPerDay;
        var rest = magnitude % (ulong)SimDuration.MicrosecondsPerDay;
        var hours = rest / (ulong)SimDuration.MicrosecondsPerHour;
        rest %= (ulong)SimDuration.MicrosecondsPerHour;
        var minutes = rest / (ulong)SimDuration.MicrosecondsPerMinute;
        rest %= (ulong)SimDuration.MicrosecondsPerMinute;
        var seconds = rest / (ulong)SimDuration.MicrosecondsPerSecond;
        var fraction = rest % (ulong)SimDuration.MicrosecondsPerSecond;
        var sign = negative ? "-" : "";
        return fraction == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{sign}{days}.{hours:00}:{minutes:00}:{seconds:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{sign}{days}.{hours:00}:{minutes:00}:{seconds:00}.{fraction:000000}");
    }
}
