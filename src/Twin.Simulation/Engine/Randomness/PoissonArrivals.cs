namespace Twin.Simulation.Engine.Randomness;

/// <summary>
/// Arrival instants of a Poisson process with a rate in arrivals per hour: exponential gaps for a constant rate,
/// and Lewis–Shedler thinning for a rate that varies over time (bounded by a maximum).
/// </summary>
public sealed class PoissonArrivals
{
    private readonly Func<SimTime, double>? _ratePerHourAt;
    private readonly double _maxRatePerHour;

    /// <summary>A homogeneous process with <paramref name="ratePerHour"/> arrivals per hour, starting at <paramref name="start"/>.</summary>
    public PoissonArrivals(double ratePerHour, SimTime start = default)
    {
        if (!(ratePerHour > 0) || double.IsInfinity(ratePerHour))
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerHour), ratePerHour, "The rate must be positive and finite.");
        }

        _maxRatePerHour = ratePerHour;
        Last = start;
    }

    /// <summary>
    /// A non-homogeneous process whose rate at time t is <paramref name="ratePerHourAt"/>(t) arrivals per hour, never
    /// above <paramref name="maxRatePerHour"/> (checked at each candidate).
    /// </summary>
    public PoissonArrivals(Func<SimTime, double> ratePerHourAt, double maxRatePerHour, SimTime start = default)
        : this(maxRatePerHour, start) =>
        _ratePerHourAt = ratePerHourAt ?? throw new ArgumentNullException(nameof(ratePerHourAt));

    /// <summary>The last arrival returned (or the start).</summary>
    public SimTime Last { get; private set; }

    /// <summary>The next arrival instant, strictly after the previous one unless two gaps round to the same microsecond.</summary>
    public SimTime Next(Pcg32 random)
    {
        while (true)
        {
            var candidate = Last + SimDuration.FromHours(Exponential.Sample(random, _maxRatePerHour));
            Last = candidate;
            if (_ratePerHourAt is null)
            {
                return candidate;
            }

            var rate = _ratePerHourAt(candidate);
            if (rate > _maxRatePerHour * (1 + 1e-12))
            {
                throw new InvalidOperationException($"The rate at {candidate} is {rate}/h, above the declared maximum {_maxRatePerHour}/h.");
            }

            // always draw the acceptance number, so the stream's use does not depend on the rate function's shape
            if (random.NextDouble() * _maxRatePerHour < rate)
            {
                return candidate;
            }
        }
    }
}
