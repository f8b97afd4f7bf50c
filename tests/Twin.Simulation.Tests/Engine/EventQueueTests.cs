using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;

namespace Twin.Simulation.Tests.Engine;

public sealed class EventQueueTests
{
    private static SimTime At(long seconds) => SimTime.FromSeconds(seconds);

    private static List<(SimTime Time, int Priority, long Sequence, int Payload)> Drain(EventQueue<int> queue)
    {
        var drained = new List<(SimTime, int, long, int)>();
        while (queue.TryDequeue(out var next))
        {
            drained.Add((next.Time, next.Priority, next.Sequence, next.Payload));
        }

        return drained;
    }

    [Fact]
    public void Dequeues_in_time_order()
    {
        var queue = new EventQueue<int>();
        queue.Enqueue(At(30), 3);
        queue.Enqueue(At(10), 1);
        queue.Enqueue(At(20), 2);

        Assert.Equal([1, 2, 3], Drain(queue).Select(e => e.Payload));
    }

    [Fact]
    public void Among_equal_times_the_lower_priority_comes_first()
    {
        var queue = new EventQueue<int>();
        queue.Enqueue(At(10), 1, priority: 5);
        queue.Enqueue(At(10), 2, priority: -1);
        queue.Enqueue(At(10), 3, priority: 0);

        Assert.Equal([2, 3, 1], Drain(queue).Select(e => e.Payload));
    }

    [Fact]
    public void Among_equal_time_and_priority_the_first_inserted_comes_first()
    {
        var queue = new EventQueue<int>();
        for (var i = 0; i < 100; i++)
        {
            queue.Enqueue(At(7), i);
        }

        var drained = Drain(queue);

        Assert.Equal(Enumerable.Range(0, 100), drained.Select(e => e.Payload));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), drained.Select(e => e.Sequence));
    }

    [Fact]
    public void Peek_shows_the_next_event_without_removing_it()
    {
        var queue = new EventQueue<int>();
        queue.Enqueue(At(2), 20);
        queue.Enqueue(At(1), 10);

        var peeked = queue.Peek();

        Assert.Equal(10, peeked.Payload);
        Assert.Equal(At(1), peeked.Time);
        Assert.Equal(2, queue.Count);
        Assert.True(queue.TryDequeue(out var next));
        Assert.Equal(peeked, next);
    }

    [Fact]
    public void An_empty_queue_has_nothing_to_dequeue_or_peek()
    {
        var queue = new EventQueue<int>();

        Assert.False(queue.TryDequeue(out _));
        Assert.False(queue.TryPeek(out _));
        Assert.Throws<InvalidOperationException>(() => queue.Peek());
    }

    [Fact]
    public void Clear_empties_the_queue_and_restarts_the_sequence()
    {
        var queue = new EventQueue<int>(4);
        for (var i = 0; i < 50; i++)
        {
            queue.Enqueue(At(i), i);
        }

        queue.Clear();

        Assert.Equal(0, queue.Count);
        Assert.False(queue.TryDequeue(out _));
        Assert.Equal(0L, queue.Enqueue(At(1), 1));
        Assert.True(queue.Capacity >= 50);
    }

    [Fact]
    public void Growing_keeps_every_pending_event()
    {
        var queue = new EventQueue<int>(1);
        for (var i = 999; i >= 0; i--)
        {
            queue.Enqueue(At(i), i);
        }

        Assert.Equal(Enumerable.Range(0, 1000), Drain(queue).Select(e => e.Payload));
    }

    [Fact]
    public void Matches_a_sorted_reference_over_many_interleaved_operations() =>
        MatchesSortedReference(seed: 2024, prefill: 0, steps: 40_000, distinctTimes: 20);

    [Fact]
    public void Matches_a_sorted_reference_with_a_large_heap_and_few_ties() =>
        MatchesSortedReference(seed: 7, prefill: 60_000, steps: 120_000, distinctTimes: 1_000_000);

    private static void MatchesSortedReference(ulong seed, int prefill, int steps, int distinctTimes)
    {
        var random = new Pcg32(seed, 7);
        var queue = new EventQueue<int>(2);
        var reference = new SortedSet<(long Time, int Priority, long Sequence, int Payload)>();
        var floor = 0L;
        for (var step = -prefill; step < steps; step++)
        {
            // few distinct times and priorities make most comparisons ties that the sequence must break
            if (step < 0 || reference.Count == 0 || random.NextUInt(100) < 50)
            {
                var time = At(floor + random.NextInt(distinctTimes)).Microseconds;
                var priority = random.NextInt(-1, 2);
                var sequence = queue.Enqueue(SimTime.FromMicroseconds(time), step, priority);
                reference.Add((time, priority, sequence, step));
            }
            else
            {
                var expected = reference.Min;
                reference.Remove(expected);
                Assert.True(queue.TryDequeue(out var actual));
                Assert.Equal(expected, (actual.Time.Microseconds, actual.Priority, actual.Sequence, actual.Payload));
                floor = expected.Time / SimDuration.MicrosecondsPerSecond;
            }

            Assert.Equal(reference.Count, queue.Count);
        }

        Assert.Equal(reference, Drain(queue).Select(e => (e.Time.Microseconds, e.Priority, e.Sequence, e.Payload)));
    }

    [Fact]
    public void Events_scheduled_right_after_a_dequeue_take_their_proper_place()
    {
        var queue = new EventQueue<int>();
        foreach (var t in new[] { 5, 1, 9, 3 })
        {
            queue.Enqueue(At(t), t);
        }

        Assert.True(queue.TryDequeue(out var first));
        Assert.Equal(3, queue.Count);
        queue.Enqueue(At(2), 2);
        Assert.True(queue.TryDequeue(out var second));
        Assert.True(queue.TryDequeue(out var third));
        Assert.Equal(5, queue.Peek().Payload);
        Assert.True(queue.TryPeekTime(out var nextTime));
        queue.Enqueue(At(100), 100);

        Assert.Equal([1, 2, 3], new[] { first.Payload, second.Payload, third.Payload });
        Assert.Equal(At(5), nextTime);
        Assert.Equal([5, 9, 100], Drain(queue).Select(e => e.Payload));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void Payloads_holding_references_come_back_intact()
    {
        var queue = new EventQueue<(string Name, int Value)>();
        queue.Enqueue(At(2), ("b", 2));
        queue.Enqueue(At(1), ("a", 1));

        Assert.True(queue.TryDequeue(out var first));
        Assert.True(queue.TryDequeue(out var second));

        Assert.Equal(("a", 1), first.Payload);
        Assert.Equal(("b", 2), second.Payload);
    }
}
