using Twin.Simulation.Engine.Randomness;

namespace Twin.Simulation.Tests.Engine.Randomness;

public sealed class Pcg32Tests
{
    [Fact]
    public void Reproduces_the_reference_pcg32_demo_output_for_initstate_42_and_initseq_54()
    {
        // pcg32-demo (pcg-c-basic), round 1; checked against an independent Python port of the reference algorithm
        var random = new Pcg32(42, 54);

        uint[] first = [random.NextUInt(), random.NextUInt(), random.NextUInt(), random.NextUInt(), random.NextUInt(), random.NextUInt()];

        Assert.Equal([0xa15c02b7u, 0x7b47f409u, 0xba1d3330u, 0x83d2f293u, 0xbfa4784bu, 0xcbed606eu], first);
    }

    [Fact]
    public void Reproduces_the_reference_outputs_621_to_626()
    {
        var random = new Pcg32(42, 54);
        for (var i = 0; i < 620; i++)
        {
            random.NextUInt();
        }

        uint[] next = [random.NextUInt(), random.NextUInt(), random.NextUInt(), random.NextUInt(), random.NextUInt(), random.NextUInt()];

        Assert.Equal([0xfcef7cd6u, 0x1b488b5au, 0xd0daf7eau, 0x1d9a70f7u, 0x241a37cfu, 0x9a3857b7u], next);
    }

    [Fact]
    public void Advance_jumps_to_the_same_state_as_stepping()
    {
        var stepped = new Pcg32(42, 54);
        var jumped = new Pcg32(42, 54);
        for (var i = 0; i < 620; i++)
        {
            stepped.NextUInt();
        }

        jumped.Advance(620);

        Assert.Equal(stepped.NextUInt(), jumped.NextUInt());
        Assert.Equal(0x1b488b5au, jumped.NextUInt());
    }

    [Fact]
    public void The_same_seed_gives_the_same_sequence()
    {
        var a = Pcg32.ForReplication(seed: 12345, replication: 3);
        var b = Pcg32.ForReplication(seed: 12345, replication: 3);

        var left = Enumerable.Range(0, 1000).Select(_ => a.NextULong()).ToArray();
        var right = Enumerable.Range(0, 1000).Select(_ => b.NextULong()).ToArray();

        Assert.Equal(left, right);
    }

    [Fact]
    public void Different_replications_and_substreams_give_different_sequences()
    {
        var sequences = new[]
        {
            Pcg32.ForReplication(12345, 0),
            Pcg32.ForReplication(12345, 1),
            Pcg32.ForReplication(12345, 0, substream: 1),
            Pcg32.ForReplication(12346, 0),
        }.Select(random => Enumerable.Range(0, 64).Select(_ => random.NextUInt()).ToArray()).ToArray();

        for (var i = 0; i < sequences.Length; i++)
        {
            for (var j = i + 1; j < sequences.Length; j++)
            {
                var equalPositions = sequences[i].Zip(sequences[j]).Count(pair => pair.First == pair.Second);
                Assert.True(equalPositions <= 1, $"sequences {i} and {j} agree at {equalPositions} of 64 positions");
            }
        }
    }

    [Fact]
    public void A_replication_reproduces_alone_whatever_ran_before_it()
    {
        var alone = Pcg32.ForReplication(99, 7).NextULong();
        for (var k = 0UL; k < 7; k++)
        {
            Pcg32.ForReplication(99, k).NextULong();
        }

        Assert.Equal(alone, Pcg32.ForReplication(99, 7).NextULong());
    }

    [Fact]
    public void NextDouble_uses_53_bits_from_two_draws_and_stays_in_the_unit_interval()
    {
        var reference = new Pcg32(42, 54);
        var expected = ((((ulong)reference.NextUInt() << 32) | reference.NextUInt()) >> 11) / 9007199254740992.0;
        var random = new Pcg32(42, 54);

        Assert.Equal(expected, random.NextDouble());
        Assert.Equal(0.6303102205231708, expected);
        for (var i = 0; i < 100_000; i++)
        {
            var u = random.NextDouble();
            Assert.InRange(u, 0.0, 1.0);
            Assert.NotEqual(1.0, u);
        }
    }

    [Fact]
    public void Bounded_integers_are_uniform_by_a_chi_square_test()
    {
        var random = new Pcg32(2025, 1);
        const int Bound = 7;
        const int Draws = 70_000;
        var counts = new int[Bound];
        for (var i = 0; i < Draws; i++)
        {
            counts[random.NextInt(Bound)]++;
        }

        var expected = Draws / (double)Bound;
        var chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);

        // 6 degrees of freedom: P(chi2 > 22.46) = 0.001; 30 leaves a wide margin for a fixed seed
        Assert.True(chiSquare < 30, $"chi-square {chiSquare:F2} with counts {string.Join(", ", counts)}");
    }

    [Fact]
    public void Bounded_integers_show_no_modulo_bias_for_a_bound_near_two_to_the_32()
    {
        // bound = 3 * 2^30: "x % bound" would put half the draws in the lowest third; Lemire's method keeps a third
        var random = new Pcg32(7, 7);
        const uint Bound = 3u << 30;
        var lowestThird = 0;
        const int Draws = 60_000;
        for (var i = 0; i < Draws; i++)
        {
            if (random.NextUInt(Bound) < (1u << 30))
            {
                lowestThird++;
            }
        }

        Assert.InRange(lowestThird / (double)Draws, 0.32, 0.347);
    }

    [Fact]
    public void Ranged_integers_cover_exactly_the_range()
    {
        var random = new Pcg32(1, 2);
        var seen = new HashSet<int>();
        for (var i = 0; i < 2_000; i++)
        {
            var value = random.NextInt(-3, 4);
            Assert.InRange(value, -3, 3);
            seen.Add(value);
        }

        Assert.Equal(7, seen.Count);
    }
}
