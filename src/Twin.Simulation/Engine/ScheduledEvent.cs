namespace Twin.Simulation.Engine;

/// <summary>
/// An entry of the future-event list: fires at <paramref name="Time"/>; among equal times the lower
/// <paramref name="Priority"/> first, then the lower <paramref name="Sequence"/> (insertion order), as in SimSharp.
/// </summary>
/// <param name="Time">When the event fires (µs since the scenario start).</param>
/// <param name="Priority">Tie-break among equal times: lower fires first.</param>
/// <param name="Sequence">Insertion number given by the queue: FIFO among equal time and priority.</param>
/// <param name="Payload">What the simulation attached to the event.</param>
public readonly record struct ScheduledEvent<T>(SimTime Time, int Priority, long Sequence, T Payload)
    where T : struct;
