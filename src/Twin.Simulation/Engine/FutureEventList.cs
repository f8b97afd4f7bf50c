using System.Runtime.CompilerServices;

namespace Twin.Simulation.Engine;

/// <summary>
/// The future-event list of a run: the same order as <see cref="EventQueue{T}"/> — (time, priority, sequence), FIFO
/// among equal time and priority — in two tiers, because a large heap is slow for a reason a simulation can avoid.
/// </summary>
/// <remarks>
/// <para>With hundreds of thousands of events pending, every dequeue of a heap walks a dozen levels, and the lower ones
/// are cache misses. Here only the events of the near future sit in a heap (<see cref="EventQueue{T}"/>, a few hundred
/// of them, in cache); the rest wait unsorted in time buckets of equal width, appended at the bucket's end, and a
/// bucket's events join the heap when time reaches the bucket. Events beyond the last bucket wait in an overflow list;
/// when the buckets are used up, the overflow is spread over a new set of buckets sized to it. Each event is written at
/// most three times (overflow, bucket, heap) and read in order from its bucket, so the cost per event no longer grows
/// with the number pending (a calendar queue in the manner of Brown 1988 and the ladder queue of Tang, Goh and Thng
/// 2005, with the near heap keeping ties exact).</para>
/// <para>Buckets hold their events in chunks of a shared pool: once the pool has grown to what a run needs, enqueue
/// and dequeue allocate nothing. Not thread-safe: one run owns one list.</para>
/// </remarks>
public sealed class FutureEventList<T>
    where T : struct
{
    private const int ChunkSize = 16;

    // events per bucket aimed at when the overflow is spread (the first buckets of an exponential spread get several
    // times that, the last ones fewer)
    private const int EventsPerBucket = 32;
    private const int MaxBuckets = 1 << 22;

    private readonly EventQueue<T> _near;

    // the chunk pool: chunk c holds entries [c * ChunkSize, (c + 1) * ChunkSize); _chunkNext links a list's chunks and
    // the free chunks
    private Entry[] _entries;
    private int[] _chunkNext;
    private int _chunksMade;
    private int _freeChunks = -1;

    private ChunkList[] _buckets;
    private ChunkList _overflow = ChunkList.Empty;
    private int _bucketCount;
    private int _current;
    private long _bucketBase;
    private ulong _width = 1;

    // events before _nearEnd are in the heap; events from _farStart on are in the overflow; the rest in a bucket
    private long _nearEnd = long.MinValue;
    private long _farStart = long.MinValue;
    private long _nextSequence;
    private int _count;

    public FutureEventList(int initialCapacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _near = new EventQueue<T>(Math.Min(Math.Max(initialCapacity, 16), 4096));
        // enough for initialCapacity events without growing: at most one part-filled chunk per bucket besides the full ones
        var chunks = (initialCapacity / ChunkSize) + (initialCapacity / EventsPerBucket) + 64;
        _entries = new Entry[chunks * ChunkSize];
        _chunkNext = new int[chunks];
        _buckets = new ChunkList[(initialCapacity / EventsPerBucket) + 1];
    }

    /// <summary>Number of pending events.</summary>
    public int Count => _count;

    /// <summary>Adds an event and returns its sequence number.</summary>
    public long Enqueue(SimTime time, T payload, int priority = 0)
    {
        var sequence = _nextSequence++;
        _count++;
        var t = time.Microseconds;
        if (t < _nearEnd)
        {
            _near.Enqueue(time, payload, priority, sequence);
        }
        else if (t < _farStart)
        {
            Append(ref _buckets[(int)((ulong)(t - _bucketBase) / _width)], new Entry(t, priority, sequence, payload));
        }
        else
        {
            Append(ref _overflow, new Entry(t, priority, sequence, payload));
        }

        return sequence;
    }

    /// <summary>Removes the earliest event (lowest time, then priority, then sequence).</summary>
    public bool TryDequeue(out ScheduledEvent<T> next)
    {
        if (!NearReady())
        {
            next = default;
            return false;
        }

        _count--;
        return _near.TryDequeue(out next);
    }

    /// <summary>The earliest event, without removing it.</summary>
    public bool TryPeek(out ScheduledEvent<T> next)
    {
        if (!NearReady())
        {
            next = default;
            return false;
        }

        return _near.TryPeek(out next);
    }

    /// <summary>The time of the earliest event, or false when the list is empty.</summary>
    public bool TryPeekTime(out SimTime time)
    {
        if (!NearReady())
        {
            time = default;
            return false;
        }

        return _near.TryPeekTime(out time);
    }

    /// <summary>False when nothing is pending; else makes sure the earliest event is in the near heap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool NearReady()
    {
        if (_count == 0)
        {
            return false;
        }

        if (_near.Count == 0)
        {
            Refill();
        }

        return true;
    }

    /// <summary>Removes every event and restarts the sequence at 0; keeps the pool.</summary>
    public void Clear()
    {
        _near.Clear();
        Array.Clear(_entries);
        _freeChunks = -1;
        _chunksMade = 0;
        _overflow = ChunkList.Empty;
        _bucketCount = _current = 0;
        _nearEnd = _farStart = long.MinValue;
        _nextSequence = 0;
        _count = 0;
    }

    /// <summary>Moves the next non-empty bucket into the heap, spreading the overflow over new buckets first when the
    /// buckets are used up. Called only when the heap is empty and events are pending.</summary>
    private void Refill()
    {
        while (true)
        {
            if (_current == _bucketCount)
            {
                Spread();
            }

            ref var bucket = ref _buckets[_current++];
            _nearEnd = BucketStart(_current);
            if (bucket.Head < 0)
            {
                continue;
            }

            for (var chunk = bucket.Head; chunk >= 0;)
            {
                var n = chunk == bucket.Tail ? bucket.TailFill : ChunkSize;
                var start = chunk * ChunkSize;
                for (var i = start; i < start + n; i++)
                {
                    ref var e = ref _entries[i];
                    _near.Enqueue(SimTime.FromMicroseconds(e.Time), e.Payload, e.Priority, e.Sequence);
                    if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
                    {
                        e = default;
                    }
                }

                var next = _chunkNext[chunk];
                FreeChunk(chunk);
                chunk = next;
            }

            bucket = ChunkList.Empty;
            return;
        }
    }

    /// <summary>Spreads the overflow (every pending event: the heap and the buckets are empty) over buckets of equal
    /// width from its earliest to its latest time.</summary>
    private void Spread()
    {
        long min = long.MaxValue, max = long.MinValue;
        var n = 0;
        for (var chunk = _overflow.Head; chunk >= 0; chunk = _chunkNext[chunk])
        {
            var fill = chunk == _overflow.Tail ? _overflow.TailFill : ChunkSize;
            var start = chunk * ChunkSize;
            for (var i = start; i < start + fill; i++)
            {
                min = Math.Min(min, _entries[i].Time);
                max = Math.Max(max, _entries[i].Time);
            }

            n += fill;
        }

        // unsigned: max - min may exceed long.MaxValue; the buckets end just after max (two buckets at least when the
        // spread is the whole range of time, so the width stays within 64 bits)
        var range = unchecked((ulong)(max - min));
        _bucketCount = Math.Clamp(n / EventsPerBucket, range == ulong.MaxValue ? 2 : 1, MaxBuckets);
        if (_buckets.Length < _bucketCount)
        {
            _buckets = new ChunkList[Math.Max(_bucketCount, _buckets.Length * 2)];
        }

        _buckets.AsSpan(0, _bucketCount).Fill(ChunkList.Empty);
        _width = (range / (ulong)_bucketCount) + 1;
        _bucketBase = min;
        _current = 0;
        _farStart = BucketStart(_bucketCount);
        _nearEnd = min;

        var overflow = _overflow;
        _overflow = ChunkList.Empty;
        for (var chunk = overflow.Head; chunk >= 0;)
        {
            var fill = chunk == overflow.Tail ? overflow.TailFill : ChunkSize;
            var start = chunk * ChunkSize;
            for (var i = start; i < start + fill; i++)
            {
                ref var e = ref _entries[i];
                Append(ref _buckets[(int)((ulong)(e.Time - _bucketBase) / _width)], e);
            }

            var next = _chunkNext[chunk];
            FreeChunk(chunk);
            chunk = next;
        }
    }

    /// <summary>Where bucket <paramref name="index"/> starts (long.MaxValue when that is beyond the range of time).</summary>
    private long BucketStart(int index)
    {
        // in unsigned offsets from long.MinValue, 128 bits wide, so that no sum wraps around
        var start = (UInt128)unchecked((ulong)(_bucketBase - long.MinValue)) + ((UInt128)_width * (ulong)index);
        return start > ulong.MaxValue ? long.MaxValue : unchecked((long)((ulong)start + (ulong)long.MinValue));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Append(ref ChunkList list, in Entry entry)
    {
        if (list.TailFill == ChunkSize || list.Head < 0)
        {
            var chunk = NewChunk();
            if (list.Head < 0)
            {
                list.Head = chunk;
            }
            else
            {
                _chunkNext[list.Tail] = chunk;
            }

            list.Tail = chunk;
            list.TailFill = 0;
        }

        _entries[(list.Tail * ChunkSize) + list.TailFill++] = entry;
    }

    private int NewChunk()
    {
        int chunk;
        if (_freeChunks >= 0)
        {
            chunk = _freeChunks;
            _freeChunks = _chunkNext[chunk];
        }
        else
        {
            if (_chunksMade == _chunkNext.Length)
            {
                Array.Resize(ref _chunkNext, _chunkNext.Length * 2);
                Array.Resize(ref _entries, _chunkNext.Length * ChunkSize);
            }

            chunk = _chunksMade++;
        }

        _chunkNext[chunk] = -1;
        return chunk;
    }

    private void FreeChunk(int chunk)
    {
        _chunkNext[chunk] = _freeChunks;
        _freeChunks = chunk;
    }

    private readonly struct Entry(long time, int priority, long sequence, T payload)
    {
        public readonly long Time = time;
        public readonly long Sequence = sequence;
        public readonly int Priority = priority;
        public readonly T Payload = payload;
    }

    /// <summary>A list of chunks: events are appended to the tail chunk (TailFill of it used).</summary>
    private struct ChunkList
    {
        public static readonly ChunkList Empty = new() { Head = -1, Tail = -1, TailFill = 0 };

        public int Head;
        public int Tail;
        public int TailFill;
    }
}
