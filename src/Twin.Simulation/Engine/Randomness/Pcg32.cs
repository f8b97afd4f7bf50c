using System.Numerics;

namespace Twin.Simulation.Engine.Randomness;

/// <summary>
/// O'Neill's pcg32 (PCG-XSH-RR, 64-bit state, 32-bit output): a seeded generator whose sequence is fixed by its
/// (state, stream) on every machine and .NET version. Not thread-safe; use one per replication.
/// </summary>
public sealed class Pcg32
{
    private const ulong Multiplier = 6364136223846793005UL;
    private const double TwoToMinus53 = 1.0 / (1UL << 53);

    private ulong _state;
    private readonly ulong _increment;

    /// <summary>Seeds exactly as the reference <c>pcg32_srandom_r(rng, initstate, initseq)</c>.</summary>
    public Pcg32(ulong initState, ulong initSequence)
    {
        _increment = (initSequence << 1) | 1UL;
        _state = 0;
        Step();
        _state += initState;
        Step();
    }

    /// <summary>
    /// The generator of replication <paramref name="replication"/> (and optional <paramref name="substream"/>, e.g. one
    /// for arrivals and one for sizes) of a run seeded with <paramref name="seed"/>. Each depends only on its three
    /// numbers, so replications can run in parallel and any one reproduces alone.
    /// </summary>
    public static Pcg32 ForReplication(ulong seed, ulong replication, ulong substream = 0)
    {
        // SplitMix64 scrambles (seed, replication, substream) into both the state and the stream: neighbouring
        // pcg32 streams that differ only in their increment are visibly correlated, hashed ones are not
        var mix = seed;
        mix = SplitMix64(ref mix) ^ replication;
        mix = SplitMix64(ref mix) ^ substream;
        var state = SplitMix64(ref mix);
        var stream = SplitMix64(ref mix);
        return new Pcg32(state, stream);
    }

    /// <summary>A uniformly distributed 32-bit value.</summary>
    public uint NextUInt()
    {
        var old = _state;
        Step();
        var xorShifted = (uint)(((old >> 18) ^ old) >> 27);
        var rotation = (int)(old >> 59);
        return BitOperations.RotateRight(xorShifted, rotation);
    }

    /// <summary>A uniformly distributed 64-bit value: the first draw is the high half, the second the low half.</summary>
    public ulong NextULong()
    {
        var high = (ulong)NextUInt();
        return (high << 32) | NextUInt();
    }

    /// <summary>An unbiased integer in [0, <paramref name="exclusiveBound"/>) (Lemire's multiply-and-reject).</summary>
    public uint NextUInt(uint exclusiveBound)
    {
        ArgumentOutOfRangeException.ThrowIfZero(exclusiveBound);
        var product = (ulong)NextUInt() * exclusiveBound;
        var low = (uint)product;
        if (low < exclusiveBound)
        {
            // 2^32 mod bound: the low products below it belong to the over-represented values and are redrawn
            var threshold = (0u - exclusiveBound) % exclusiveBound;
            while (low < threshold)
            {
                product = (ulong)NextUInt() * exclusiveBound;
                low = (uint)product;
            }
        }

        return (uint)(product >> 32);
    }

    /// <summary>An unbiased integer in [0, <paramref name="exclusiveBound"/>).</summary>
    public int NextInt(int exclusiveBound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveBound);
        return (int)NextUInt((uint)exclusiveBound);
    }

    /// <summary>An unbiased integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), "The range is empty.");
        }

        var span = (uint)((long)maxExclusive - minInclusive);
        return (int)(minInclusive + NextUInt(span));
    }

    /// <summary>A double in [0, 1) with 53 random bits: k / 2^53 for a uniform k (two draws).</summary>
    public double NextDouble() => (NextULong() >> 11) * TwoToMinus53;

    /// <summary>A double in (0, 1]: never zero, so its logarithm is finite.</summary>
    public double NextDoubleExcludingZero() => 1.0 - NextDouble();

    /// <summary>True with probability <paramref name="probability"/>.</summary>
    public bool NextBool(double probability = 0.5) => NextDouble() < probability;

    /// <summary>Advances by <paramref name="delta"/> steps in O(log delta) (Brown's LCG jump-ahead).</summary>
    public void Advance(ulong delta)
    {
        ulong accMult = 1, accPlus = 0, curMult = Multiplier, curPlus = _increment;
        while (delta > 0)
        {
            if ((delta & 1) != 0)
            {
                accMult *= curMult;
                accPlus = (accPlus * curMult) + curPlus;
            }

            curPlus = (curMult + 1) * curPlus;
            curMult *= curMult;
            delta >>= 1;
        }

        _state = (accMult * _state) + accPlus;
    }

    private void Step() => _state = unchecked((_state * Multiplier) + _increment);

    private static ulong SplitMix64(ref ulong x)
    {
        x = unchecked(x + 0x9E3779B97F4A7C15UL);
        var z = x;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
