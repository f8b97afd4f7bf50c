using System.Runtime.CompilerServices;

namespace Twin.Simulation.Engine;

/// <summary>
/// The future-event list: a 4-ary min-heap of <see cref="ScheduledEvent{T}"/> ordered by (time, priority, sequence),
/// so ties are deterministic and FIFO. Enqueue and dequeue allocate nothing once the capacity is reached.
/// </summary>
/// <remarks>Not thread-safe: one simulation owns one queue.</remarks>
public sealed class EventQueue<T>
    where T : struct
{
    private const int Arity = 4;
    private ScheduledEvent<T>[] _heap;
    private int _count;
    private long _nextSequence;

    public EventQueue(int initialCapacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _heap = initialCapacity == 0 ? [] : new ScheduledEvent<T>[initialCapacity];
    }

    /// <summary>Number of pending events.</summary>
    public int Count => _count;

    /// <summary>Number of events the queue holds before it has to grow (and allocate).</summary>
    public int Capacity => _heap.Length;

    /// <summary>The sequence number the next <see cref="Enqueue"/> will get.</summary>
    public long NextSequence => _nextSequence;

    /// <summary>Adds an event and returns its sequence number.</summary>
    public long Enqueue(SimTime time, T payload, int priority = 0)
    {
        var sequence = _nextSequence++;
        if (_count == _heap.Length)
        {
            Grow(_count + 1);
        }

        SiftUp(_count++, new ScheduledEvent<T>(time, priority, sequence, payload));
        return sequence;
    }

    /// <summary>Removes the earliest event (lowest time, then priority, then sequence).</summary>
    public bool TryDequeue(out ScheduledEvent<T> next)
    {
        if (_count == 0)
        {
            next = default;
            return false;
        }

        var heap = _heap;
        next = heap[0];
        var last = --_count;
        if (last > 0)
        {
            SiftDownFromRoot(heap[last]);
        }

        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            heap[last] = default;
        }

        return true;
    }

    /// <summary>The earliest event, without removing it.</summary>
    /// <exception cref="InvalidOperationException">The queue is empty.</exception>
    public ref readonly ScheduledEvent<T> Peek()
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("The event queue is empty.");
        }

        return ref _heap[0];
    }

    public bool TryPeek(out ScheduledEvent<T> next)
    {
        if (_count == 0)
        {
            next = default;
            return false;
        }

        next = _heap[0];
        return true;
    }

    /// <summary>Removes every event and restarts the sequence at 0; keeps the capacity.</summary>
    public void Clear()
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            Array.Clear(_heap, 0, _count);
        }

        _count = 0;
        _nextSequence = 0;
    }

    /// <summary>Grows the storage up front so that <paramref name="capacity"/> events fit without allocating.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity > _heap.Length)
        {
            Grow(capacity);
        }
    }

    private void Grow(int minimum)
    {
        var capacity = Math.Max(Math.Max(_heap.Length * 2, 16), minimum);
        if ((uint)capacity > (uint)Array.MaxLength)
        {
            capacity = Math.Max(minimum, Array.MaxLength);
        }

        Array.Resize(ref _heap, capacity);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Precedes(in ScheduledEvent<T> a, in ScheduledEvent<T> b)
    {
        if (a.TimeMicroseconds != b.TimeMicroseconds)
        {
            return a.TimeMicroseconds < b.TimeMicroseconds;
        }

        if (a.PriorityValue != b.PriorityValue)
        {
            return a.PriorityValue < b.PriorityValue;
        }

        return a.SequenceNumber < b.SequenceNumber;
    }

    private void SiftUp(int index, in ScheduledEvent<T> item)
    {
        var heap = _heap;
        while (index > 0)
        {
            var parent = (index - 1) / Arity;
            ref var parentItem = ref heap[parent];
            if (!Precedes(item, parentItem))
            {
                break;
            }

            heap[index] = parentItem;
            index = parent;
        }

        heap[index] = item;
    }

    private void SiftDownFromRoot(in ScheduledEvent<T> item)
    {
        var heap = _heap;
        var count = _count;
        var index = 0;
        while (true)
        {
            var first = (index * Arity) + 1;
            if (first >= count)
            {
                break;
            }

            var best = first;
            var end = Math.Min(first + Arity, count);
            for (var child = first + 1; child < end; child++)
            {
                if (Precedes(heap[child], heap[best]))
                {
                    best = child;
                }
            }

            if (!Precedes(heap[best], item))
            {
                break;
            }

            heap[index] = heap[best];
            index = best;
        }

        heap[index] = item;
    }
}
