namespace Twin.Simulation.Engine.Randomness;

/// <summary>The exponential distribution with <see cref="Rate"/> events per unit (mean 1 / rate units), by inversion.</summary>
public sealed class Exponential : ISampler<double>
{
    public Exponential(double rate)
    {
        if (!(rate > 0) || double.IsInfinity(rate))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The rate must be positive and finite.");
        }

        Rate = rate;
    }

    /// <summary>Events per unit of the sampled value.</summary>
    public double Rate { get; }

    public double Mean => 1.0 / Rate;

    public static Exponential WithMean(double mean) => new(1.0 / mean);

    public double Sample(Pcg32 random) => Sample(random, Rate);

    /// <summary>One draw with the given rate: -ln(U) / rate with U in (0, 1].</summary>
    public static double Sample(Pcg32 random, double rate) => -DeterministicMath.Log(random.NextDoubleExcludingZero()) / rate;
}
