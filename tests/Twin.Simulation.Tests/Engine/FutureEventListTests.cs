using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;

namespace Twin.Simulation.Tests.Engine;

/// <summary>The two-tier future-event list gives exactly the heap's order: same events, same ties, same sequences.</summary>
public sealed class FutureEventListTests
{
    private static (long Time, int Priority, long Sequence, int Payload) Key(ScheduledEvent<int> e) =>
        (e.Time.Microseconds, e.Priority, e.Sequence, e.Payload);

    /// <summary>Runs the same random mix of enqueues, peeks and dequeues on both lists and compares every answer.</summary>
    [Theory]
    [InlineData(1UL, 50, 1_000_000L, 3)]        // few events, coarse times, many ties
    [InlineData(2UL, 5_000, 3_600_000_000L, 0)] // thousands pending over an hour of microseconds
    [InlineData(3UL, 20_000, 10L, 2)]           // times packed into 10 µs: nearly everything ties
    [InlineData(4UL, 2_000, 1L, 1)]             // every event at the same instant as now or the next
    public void Gives_the_heaps_order_for_any_mix_of_operations(ulong seed, int target, long spread, int priorities)
    {
        var rng = Pcg32.ForReplication(seed, 0);
        var heap = new EventQueue<int>();
        var list = new FutureEventList<int>();
        var now = 0L;
        var payload = 0;
        for (var step = 0; step < 200_000; step++)
        {
            // drift around the target population: enqueue more when below it
            var enqueue = list.Count == 0 || rng.NextInt(2 * target) >= list.Count;
            if (enqueue)
            {
                // mostly exponential-looking delays, sometimes far out, sometimes exactly now
                var delay = rng.NextInt(10) switch
                {
                    0 => 0,
                    1 => spread * 100 + rng.NextInt(1000),
                    _ => (long)(spread * rng.NextDouble() * rng.NextDouble() * 4),
                };
                var priority = priorities == 0 ? 0 : rng.NextInt(priorities) - 1;
                var at = SimTime.FromMicroseconds(now + delay);
                Assert.Equal(heap.Enqueue(at, payload, priority), list.Enqueue(at, payload, priority));
                payload++;
            }
            else if (rng.NextInt(4) == 0)
            {
                Assert.True(heap.TryPeek(out var expected));
                Assert.True(list.TryPeek(out var actual));
                Assert.Equal(Key(expected), Key(actual));
                Assert.True(list.TryPeekTime(out var time));
                Assert.Equal(expected.Time, time);
            }
            else
            {
                Assert.True(heap.TryDequeue(out var expected));
                Assert.True(list.TryDequeue(out var actual));
                Assert.Equal(Key(expected), Key(actual));
                now = actual.Time.Microseconds;
            }

            Assert.Equal(heap.Count, list.Count);
        }

        while (heap.TryDequeue(out var expected))
        {
            Assert.True(list.TryDequeue(out var actual));
            Assert.Equal(Key(expected), Key(actual));
        }

        Assert.False(list.TryDequeue(out _));
        Assert.False(list.TryPeekTime(out _));
        Assert.Equal(0, list.Count);
    }

    [Fact]
    public void Takes_the_extremes_of_time()
    {
        var list = new FutureEventList<int>();
        list.Enqueue(SimTime.FromMicroseconds(long.MaxValue), 3);
        list.Enqueue(SimTime.FromMicroseconds(long.MinValue), 1);
        list.Enqueue(SimTime.FromMicroseconds(0), 2);
        list.Enqueue(SimTime.FromMicroseconds(long.MaxValue), 4);

        var order = new List<int>();
        while (list.TryDequeue(out var next))
        {
            order.Add(next.Payload);
            if (next.Payload == 1)
            {
                list.Enqueue(SimTime.FromMicroseconds(long.MaxValue - 1), 5);
            }
        }

        Assert.Equal([1, 2, 5, 3, 4], order);
    }

    [Fact]
    public void Keeps_the_order_when_the_buckets_would_end_beyond_the_last_instant()
    {
        // a thousand events in the last microseconds of time (more buckets than microseconds left: bucket starts
        // computed without care would wrap around), and events added meanwhile, some at earlier instants, as the heap
        // allows
        var rng = Pcg32.ForReplication(11, 0);
        var heap = new EventQueue<int>();
        var list = new FutureEventList<int>();
        for (var i = 0; i < 1_000; i++)
        {
            var at = SimTime.FromMicroseconds(long.MaxValue - rng.NextInt(13));
            heap.Enqueue(at, i);
            list.Enqueue(at, i);
        }

        var added = 1_000;
        while (heap.TryDequeue(out var expected))
        {
            Assert.True(list.TryDequeue(out var actual));
            Assert.Equal(Key(expected), Key(actual));
            if (added < 1_500 && rng.NextInt(3) == 0)
            {
                var at = SimTime.FromMicroseconds(long.MaxValue - rng.NextInt(40));
                heap.Enqueue(at, added);
                list.Enqueue(at, added);
                added++;
            }
        }

        Assert.Equal(0, list.Count);
    }

    [Fact]
    public void Clear_empties_the_list_and_restarts_the_sequence()
    {
        var list = new FutureEventList<int>(16);
        for (var i = 0; i < 1_000; i++)
        {
            list.Enqueue(SimTime.FromSeconds(i % 37), i);
        }

        Assert.True(list.TryDequeue(out _));
        list.Clear();

        Assert.Equal(0, list.Count);
        Assert.False(list.TryPeek(out _));
        Assert.Equal(0, list.Enqueue(SimTime.FromSeconds(5), 7));
        Assert.True(list.TryDequeue(out var only));
        Assert.Equal((5_000_000L, 7), (only.Time.Microseconds, only.Payload));
    }

    [Fact]
    public void Holds_allocate_nothing_once_the_list_has_its_size()
    {
        const int Pending = 50_000;
        var rng = Pcg32.ForReplication(9, 0);
        var list = new FutureEventList<int>(Pending);
        for (var i = 0; i < Pending; i++)
        {
            list.Enqueue(SimTime.FromMicroseconds((long)(Exponential.Sample(rng, 1.0) * 1e6)), i);
        }

        void Hold(int events)
        {
            for (var i = 0; i < events; i++)
            {
                list.TryDequeue(out var next);
                list.Enqueue(next.Time + SimDuration.FromSeconds(Exponential.Sample(rng, 1.0)), next.Payload);
            }
        }

        Hold(200_000); // the pool reaches what the population needs
        var before = GC.GetAllocatedBytesForCurrentThread();
        Hold(200_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(Pending, list.Count);
    }

    [Fact]
    public void Payloads_holding_references_come_back_intact()
    {
        var list = new FutureEventList<(string Name, int Value)>();
        for (var i = 0; i < 300; i++)
        {
            list.Enqueue(SimTime.FromSeconds(300 - i), ($"e{300 - i}", 300 - i));
        }

        for (var i = 1; i <= 300; i++)
        {
            Assert.True(list.TryDequeue(out var next));
            Assert.Equal(($"e{i}", i), next.Payload);
        }
    }
}
