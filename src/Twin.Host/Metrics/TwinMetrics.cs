using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Twin.Grains.Persistence;

namespace Twin.Host.Metrics;

/// <summary>
/// Listens to the process's own meters and keeps what <c>/metrics</c> shows: events appended by the grains' event store
/// (<see cref="EventStoreMetrics"/>) and ASP.NET Core's request durations (<c>http.server.request.duration</c>, which
/// carries method, route and status), bucketed as a Prometheus histogram. Counters start at zero with the process, as
/// Prometheus expects (rate() handles the reset).
/// </summary>
internal sealed class TwinMetrics : IDisposable
{
    /// <summary>Request-duration bucket bounds in seconds.</summary>
    internal static readonly double[] Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private const string AspNetCoreMeter = "Microsoft.AspNetCore.Hosting";
    private const string RequestDuration = "http.server.request.duration";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _appended = new();
    private readonly ConcurrentDictionary<(string Method, string Route, string Status), long> _requests = new();
    private readonly ConcurrentDictionary<(string Method, string Route), Histogram> _durations = new();

    public TwinMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EventStoreMetrics.MeterName && instrument.Name == EventStoreMetrics.EventsAppendedName
                || instrument.Meter.Name == AspNetCoreMeter && instrument.Name == RequestDuration)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>(OnLong);
        _listener.SetMeasurementEventCallback<double>(OnDouble);
        _listener.Start();
    }

    /// <summary>Events appended per aggregate kind since the process started.</summary>
    public IReadOnlyDictionary<string, long> EventsAppended => _appended;

    /// <summary>Requests per method, route template and status code.</summary>
    public IReadOnlyDictionary<(string Method, string Route, string Status), long> Requests => _requests;

    /// <summary>Request durations per method and route.</summary>
    public IReadOnlyDictionary<(string Method, string Route), Histogram> Durations => _durations;

    private void OnLong(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var aggregate = Tag(tags, "aggregate") ?? "unknown";
        _appended.AddOrUpdate(aggregate, value, (_, v) => v + value);
    }

    private void OnDouble(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var method = Tag(tags, "http.request.method") ?? "?";
        // requests no endpoint matched (dashboard files, unknown paths) share one series instead of one per path
        var route = Tag(tags, "http.route") ?? "(no route)";
        var status = Tag(tags, "http.response.status_code") ?? "?";
        _requests.AddOrUpdate((method, route, status), 1, (_, v) => v + 1);
        _durations.GetOrAdd((method, route), _ => new Histogram()).Observe(seconds);
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
            if (tag.Key == name) return Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
        return null;
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>A cumulative histogram over <see cref="Buckets"/>.</summary>
    internal sealed class Histogram
    {
        private readonly long[] _counts = new long[Buckets.Length];
        private readonly Lock _gate = new();
        private long _count;
        private double _sum;

        public void Observe(double seconds)
        {
            lock (_gate)
            {
                for (var i = 0; i < Buckets.Length; i++)
                    if (seconds <= Buckets[i]) _counts[i]++;
                _count++;
                _sum += seconds;
            }
        }

        /// <summary>Cumulative counts per bucket bound, the total count and the sum of observations (seconds).</summary>
        public (long[] Cumulative, long Count, double Sum) Read()
        {
            lock (_gate) return ((long[])_counts.Clone(), _count, _sum);
        }
    }
}
