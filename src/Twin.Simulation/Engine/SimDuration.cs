using System.Globalization;

namespace Twin.Simulation.Engine;

/// <summary>A span of simulated time, in whole microseconds (may be negative).</summary>
public readonly struct SimDuration : IEquatable<SimDuration>, IComparable<SimDuration>
{
    public const long MicrosecondsPerMillisecond = 1_000;
    public const long MicrosecondsPerSecond = 1_000_000;
    public const long MicrosecondsPerMinute = 60 * MicrosecondsPerSecond;
    public const long MicrosecondsPerHour = 60 * MicrosecondsPerMinute;
    public const long MicrosecondsPerDay = 24 * MicrosecondsPerHour;

    private SimDuration(long microseconds) => Microseconds = microseconds;

    /// <summary>The length in microseconds.</summary>
    public long Microseconds { get; }

    public static SimDuration Zero => default;

    public static SimDuration MaxValue => new(long.MaxValue);

    public double TotalSeconds => Microseconds / (double)MicrosecondsPerSecond;

    public double TotalMinutes => Microseconds / (double)MicrosecondsPerMinute;

    public double TotalHours => Microseconds / (double)MicrosecondsPerHour;

    public double TotalDays => Microseconds / (double)MicrosecondsPerDay;

    public static SimDuration FromMicroseconds(long microseconds) => new(microseconds);

    public static SimDuration FromMilliseconds(long milliseconds) => new(checked(milliseconds * MicrosecondsPerMillisecond));

    public static SimDuration FromSeconds(long seconds) => new(checked(seconds * MicrosecondsPerSecond));

    public static SimDuration FromMinutes(long minutes) => new(checked(minutes * MicrosecondsPerMinute));

    public static SimDuration FromHours(long hours) => new(checked(hours * MicrosecondsPerHour));

    public static SimDuration FromDays(long days) => new(checked(days * MicrosecondsPerDay));

    /// <summary>Rounds to the nearest microsecond (ties away from zero), so the result is the same on every machine.</summary>
    public static SimDuration FromSeconds(double seconds) => FromScaled(seconds, MicrosecondsPerSecond);

    /// <inheritdoc cref="FromSeconds(double)"/>
    public static SimDuration FromMinutes(double minutes) => FromScaled(minutes, MicrosecondsPerMinute);

    /// <inheritdoc cref="FromSeconds(double)"/>
    public static SimDuration FromHours(double hours) => FromScaled(hours, MicrosecondsPerHour);

    /// <inheritdoc cref="FromSeconds(double)"/>
    public static SimDuration FromDays(double days) => FromScaled(days, MicrosecondsPerDay);

    /// <summary>Converts a <see cref="TimeSpan"/>, truncating its 100 ns ticks to whole microseconds.</summary>
    public static SimDuration FromTimeSpan(TimeSpan span) => new(span.Ticks / 10);

    public TimeSpan ToTimeSpan() => TimeSpan.FromTicks(checked(Microseconds * 10));

    private static SimDuration FromScaled(double value, long scale)
    {
        var micros = Math.Round(value * scale, MidpointRounding.AwayFromZero);
        if (double.IsNaN(micros) || micros >= 9.2233720368547758E18 || micros < -9.2233720368547758E18)
        {
            throw new OverflowException($"{value.ToString(CultureInfo.InvariantCulture)} does not fit a SimDuration");
        }

        return new((long)micros);
    }

    public static SimDuration operator +(SimDuration a, SimDuration b) => new(checked(a.Microseconds + b.Microseconds));

    public static SimDuration operator -(SimDuration a, SimDuration b) => new(checked(a.Microseconds - b.Microseconds));

    public static SimDuration operator -(SimDuration a) => new(checked(-a.Microseconds));

    public static SimDuration operator *(SimDuration a, long factor) => new(checked(a.Microseconds * factor));

    public static SimDuration operator *(long factor, SimDuration a) => a * factor;

    public static SimDuration operator /(SimDuration a, long divisor) => new(a.Microseconds / divisor);

    public static bool operator ==(SimDuration a, SimDuration b) => a.Microseconds == b.Microseconds;

    public static bool operator !=(SimDuration a, SimDuration b) => a.Microseconds != b.Microseconds;

    public static bool operator <(SimDuration a, SimDuration b) => a.Microseconds < b.Microseconds;

    public static bool operator >(SimDuration a, SimDuration b) => a.Microseconds > b.Microseconds;

    public static bool operator <=(SimDuration a, SimDuration b) => a.Microseconds <= b.Microseconds;

    public static bool operator >=(SimDuration a, SimDuration b) => a.Microseconds >= b.Microseconds;

    public int CompareTo(SimDuration other) => Microseconds.CompareTo(other.Microseconds);

    public bool Equals(SimDuration other) => Microseconds == other.Microseconds;

    public override bool Equals(object? obj) => obj is SimDuration other && Equals(other);

    public override int GetHashCode() => Microseconds.GetHashCode();

    /// <summary>Formats as <c>[-]d.hh:mm:ss</c>, with <c>.ffffff</c> appended only when there are fractional seconds.</summary>
    public override string ToString() => SimTimeFormat.Format(Microseconds);
}
