using System.Diagnostics.Metrics;

namespace Twin.Grains.Persistence;

/// <summary>What the event store reports about itself through <see cref="System.Diagnostics.Metrics"/>: the host turns
/// these into Prometheus series; anything else listening to the meter (dotnet-counters, OpenTelemetry) sees them too.</summary>
public static class EventStoreMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Twin.Grains";

    /// <summary>The counter of events appended (unit: events), tagged <c>aggregate</c> = host, chipset, nic, switch or vm.</summary>
    public const string EventsAppendedName = "twin.events.appended";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> EventsAppended =
        Meter.CreateCounter<long>(EventsAppendedName, "{event}", "Events appended to the event store by this process");

    internal static void Appended(Type eventBase, int count)
    {
        if (count > 0 && EventsAppended.Enabled)
            EventsAppended.Add(count, new KeyValuePair<string, object?>("aggregate", AggregateOf(eventBase)));
    }

    // NicEvent → "nic", VmEvent → "vm": the same names as the aggregate types
    internal static string AggregateOf(Type eventBase)
    {
        var name = eventBase.Name;
        return (name.EndsWith("Event", StringComparison.Ordinal) ? name[..^"Event".Length] : name).ToLowerInvariant();
    }
}
