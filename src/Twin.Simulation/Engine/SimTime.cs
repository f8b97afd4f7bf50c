namespace Twin.Simulation.Engine;

/// <summary>An instant of simulated time: whole microseconds since the scenario start (never a wall clock).</summary>
public readonly struct SimTime : IEquatable<SimTime>, IComparable<SimTime>
{
    private SimTime(long microseconds) => Microseconds = microseconds;

    /// <summary>Microseconds since the scenario start.</summary>
    public long Microseconds { get; }

    /// <summary>The scenario start.</summary>
    public static SimTime Zero => default;

    /// <summary>The latest representable instant; used as "never".</summary>
    public static SimTime MaxValue => new(long.MaxValue);

    public static SimTime MinValue => new(long.MinValue);

    public double TotalSeconds => Microseconds / (double)SimDuration.MicrosecondsPerSecond;

    public double TotalHours => Microseconds / (double)SimDuration.MicrosecondsPerHour;

    public double TotalDays => Microseconds / (double)SimDuration.MicrosecondsPerDay;

    /// <summary>The time elapsed since the scenario start.</summary>
    public SimDuration SinceStart => SimDuration.FromMicroseconds(Microseconds);

    public static SimTime FromMicroseconds(long microseconds) => new(microseconds);

    public static SimTime FromSeconds(long seconds) => new(checked(seconds * SimDuration.MicrosecondsPerSecond));

    /// <summary>Rounds to the nearest microsecond, the same on every machine.</summary>
    public static SimTime FromSeconds(double seconds) => Zero + SimDuration.FromSeconds(seconds);

    public static SimTime FromHours(double hours) => Zero + SimDuration.FromHours(hours);

    public static SimTime operator +(SimTime t, SimDuration d) => new(checked(t.Microseconds + d.Microseconds));

    public static SimTime operator -(SimTime t, SimDuration d) => new(checked(t.Microseconds - d.Microseconds));

    public static SimDuration operator -(SimTime a, SimTime b) => SimDuration.FromMicroseconds(checked(a.Microseconds - b.Microseconds));

    public static bool operator ==(SimTime a, SimTime b) => a.Microseconds == b.Microseconds;

    public static bool operator !=(SimTime a, SimTime b) => a.Microseconds != b.Microseconds;

    public static bool operator <(SimTime a, SimTime b) => a.Microseconds < b.Microseconds;

    public static bool operator >(SimTime a, SimTime b) => a.Microseconds > b.Microseconds;

    public static bool operator <=(SimTime a, SimTime b) => a.Microseconds <= b.Microseconds;

    public static bool operator >=(SimTime a, SimTime b) => a.Microseconds >= b.Microseconds;

    public static SimTime Min(SimTime a, SimTime b) => a <= b ? a : b;

    public static SimTime Max(SimTime a, SimTime b) => a >= b ? a : b;

    public int CompareTo(SimTime other) => Microseconds.CompareTo(other.Microseconds);

    public bool Equals(SimTime other) => Microseconds == other.Microseconds;

    public override bool Equals(object? obj) => obj is SimTime other && Equals(other);

    public override int GetHashCode() => Microseconds.GetHashCode();

    /// <summary>Formats as <c>d.hh:mm:ss</c> since the scenario start, with <c>.ffffff</c> only when there are fractional seconds.</summary>
    public override string ToString() => SimTimeFormat.Format(Microseconds);
}
