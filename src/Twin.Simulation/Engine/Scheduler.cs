namespace Twin.Simulation.Engine;

/// <summary>
/// The one time driver of a run: owns <see cref="Now"/> and the future-event list, and advances time only by
/// taking the next event. Scheduling into the past is an error.
/// </summary>
public sealed class Scheduler<T>(int initialCapacity = 64)
    where T : struct
{
    private readonly FutureEventList<T> _queue = new(initialCapacity);

    /// <summary>The current simulated time: the time of the last event taken, or <see cref="SimTime.Zero"/>.</summary>
    public SimTime Now { get; private set; }

    public int PendingCount => _queue.Count;

    /// <summary>Schedules <paramref name="payload"/> at <paramref name="at"/> (not before <see cref="Now"/>); returns its sequence number.</summary>
    public long Schedule(SimTime at, T payload, int priority = 0)
    {
        if (at < Now)
        {
            throw new ArgumentOutOfRangeException(nameof(at), $"Cannot schedule at {at}: it is before now ({Now}).");
        }

        return _queue.Enqueue(at, payload, priority);
    }

    /// <summary>Schedules <paramref name="payload"/> after a non-negative <paramref name="delay"/> from <see cref="Now"/>.</summary>
    public long ScheduleAfter(SimDuration delay, T payload, int priority = 0) => Schedule(Now + delay, payload, priority);

    /// <summary>Removes every pending event and goes back to <see cref="SimTime.Zero"/>, keeping the memory (for another
    /// run on the same list).</summary>
    public void Clear()
    {
        _queue.Clear();
        Now = SimTime.Zero;
    }

    /// <summary>The next event, without taking it.</summary>
    public bool TryPeek(out ScheduledEvent<T> next) => _queue.TryPeek(out next);

    /// <summary>The time of the next event, without taking it.</summary>
    public bool TryPeekTime(out SimTime time) => _queue.TryPeekTime(out time);

    /// <summary>Takes the next event and moves <see cref="Now"/> to its time.</summary>
    public bool TryNext(out ScheduledEvent<T> next)
    {
        if (!_queue.TryDequeue(out next))
        {
            return false;
        }

        Now = next.Time;
        return true;
    }

    /// <summary>
    /// Takes the next event if it fires at or before <paramref name="until"/>; otherwise leaves it pending, moves
    /// <see cref="Now"/> to <paramref name="until"/> and returns false.
    /// </summary>
    public bool TryNext(SimTime until, out ScheduledEvent<T> next)
    {
        if (_queue.TryPeekTime(out var nextTime) && nextTime <= until)
        {
            return TryNext(out next);
        }

        next = default;
        if (until > Now)
        {
            Now = until;
        }

        return false;
    }
}
