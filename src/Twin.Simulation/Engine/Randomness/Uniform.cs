namespace Twin.Simulation.Engine.Randomness;

/// <summary>The continuous uniform distribution on [<see cref="Min"/>, <see cref="Max"/>), in the caller's unit.</summary>
public sealed class Uniform : ISampler<double>
{
    public Uniform(double min, double max)
    {
        if (!(max >= min))
        {
            throw new ArgumentOutOfRangeException(nameof(max), "max must be at least min.");
        }

        Min = min;
        Max = max;
    }

    public double Min { get; }

    public double Max { get; }

    public double Sample(Pcg32 random) => Min + ((Max - Min) * random.NextDouble());
}

/// <summary>Always the same value (a degenerate distribution), for parameters a scenario fixes.</summary>
public sealed class Constant<T>(T value) : ISampler<T>
{
    public T Value { get; } = value;

    public T Sample(Pcg32 random) => Value;
}
