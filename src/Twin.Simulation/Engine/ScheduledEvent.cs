namespace Twin.Simulation.Engine;

/// <summary>
/// An entry of the future-event list: fires at <see cref="Time"/>; among equal times the lower <see cref="Priority"/> first,
/// then the lower <see cref="Sequence"/> (insertion order), as in SimSharp.
/// </summary>
public readonly struct ScheduledEvent<T>(SimTime time, int priority, long sequence, T payload)
    where T : struct
{
    // fields, not auto-properties, so the heap's comparisons read them without a call even in Debug builds
    internal readonly long TimeMicroseconds = time.Microseconds;
    internal readonly long SequenceNumber = sequence;
    internal readonly int PriorityValue = priority;
    internal readonly T PayloadValue = payload;

    /// <summary>When the event fires.</summary>
    public SimTime Time => SimTime.FromMicroseconds(TimeMicroseconds);

    /// <summary>Tie-break among equal times: lower fires first.</summary>
    public int Priority => PriorityValue;

    /// <summary>Insertion number given by the queue: FIFO among equal time and priority.</summary>
    public long Sequence => SequenceNumber;

    public T Payload => PayloadValue;

    public override string ToString() => $"{Time} p{Priority} #{Sequence}: {PayloadValue}";
}
