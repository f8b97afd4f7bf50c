using Twin.Simulation.Engine;

namespace Twin.Simulation.Workloads;

/// <summary>
/// Turns one series of readings into piecewise-constant segments: a reading holds until the next one, but at most
/// <c>maxHold</c> (a longer gap is missing data); the last reading holds <c>finalHold</c>. Equal consecutive readings
/// merge into one segment.
/// </summary>
internal sealed class SegmentBuilder(string seriesId, UtilizationMetric metric, SimDuration maxHold, SimDuration finalHold)
{
    public SegmentBuilder(string seriesId, UtilizationMetric metric, SimDuration interval)
        : this(seriesId, metric, interval, interval)
    {
    }

    private SimTime _start;
    private SimTime _last;
    private double _value;
    private bool _open;

    public string SeriesId => seriesId;

    public SimTime LastReading => _last;

    /// <summary>Adds a reading at <paramref name="at"/>, which must be after the previous one; returns the segment it closes, if any.</summary>
    public UtilizationSegment? Add(SimTime at, double value)
    {
        if (!_open)
        {
            Open(at, value);
            return null;
        }

        if (at - _last > maxHold)
        {
            var closed = Segment(_last + finalHold);
            Open(at, value);
            return closed;
        }

        if (value.Equals(_value))
        {
            _last = at;
            return null;
        }

        var segment = Segment(at);
        Open(at, value);
        return segment;
    }

    /// <summary>Closes the open segment after the last reading's hold, or returns null when nothing is open.</summary>
    public UtilizationSegment? Finish()
    {
        if (!_open)
        {
            return null;
        }

        _open = false;
        return Segment(_last + finalHold);
    }

    private void Open(SimTime at, double value)
    {
        _start = at;
        _last = at;
        _value = value;
        _open = true;
    }

    private UtilizationSegment Segment(SimTime end) => new(seriesId, metric, _start, end, _value);
}
