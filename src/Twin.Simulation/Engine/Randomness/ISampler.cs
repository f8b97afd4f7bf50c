namespace Twin.Simulation.Engine.Randomness;

/// <summary>A distribution that draws values from a seeded <see cref="Pcg32"/>; the unit is the implementation's.</summary>
public interface ISampler<out T>
{
    T Sample(Pcg32 random);
}
