using Twin.Simulation.Engine;
using Twin.Simulation.Model;

namespace Twin.Simulation.Workloads;

/// <summary>
/// A VM's measured utilisation as changes of its vNICs' traffic (<see cref="VmChangeKind.Demand"/>): one change where
/// the measured value changes, not one per reading (the readers already merge equal consecutive readings into one
/// segment), so a series of thousands of readings costs the run as many events as it has distinct levels.
/// </summary>
public static class TrafficChanges
{
    /// <summary>Gbit/s in one KB/s (1 KB = 1,000 bytes, as the Bitbrains traces count).</summary>
    public const double GbpsPerKBps = 8e-6;

    /// <summary>
    /// The sum of the network received and transmitted series (<see cref="UtilizationMetric.NetworkReceivedKBps"/> +
    /// <see cref="UtilizationMetric.NetworkTransmittedKBps"/>, other series ignored), split evenly over
    /// <paramref name="vnics"/> vNICs, as (time, Gbit/s per vNIC) levels in time order: a change wherever the sum changes.
    /// Where neither series has a reading (a gap in the trace) the VM has no measured traffic: 0. The first level is at
    /// the first reading.
    /// </summary>
    public static IReadOnlyList<(SimTime At, double GbpsPerVnic)> NetworkLevels(IEnumerable<UtilizationSegment> segments, int vnics)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentOutOfRangeException.ThrowIfLessThan(vnics, 1);
        // each segment adds its value from its start and takes it away at its end; sweeping the boundaries in time
        // order gives the sum at every moment
        var steps = new List<(long At, double Delta)>();
        foreach (var s in segments)
        {
            if (s.Metric is not (UtilizationMetric.NetworkReceivedKBps or UtilizationMetric.NetworkTransmittedKBps)) continue;
            if (s.End <= s.Start) continue;
            steps.Add((s.Start.Microseconds, s.Value));
            steps.Add((s.End.Microseconds, -s.Value));
        }
        steps.Sort((a, b) => a.At.CompareTo(b.At));
        var levels = new List<(SimTime, double)>();
        var sum = 0.0;
        var last = double.NaN;
        for (var i = 0; i < steps.Count;)
        {
            var at = steps[i].At;
            for (; i < steps.Count && steps[i].At == at; i++) sum += steps[i].Delta;
            // the sum of segments that all ended is 0: clear what adding and taking away the same values left behind
            if (Math.Abs(sum) < 1e-9) sum = 0;
            var gbps = Math.Max(0, sum) * GbpsPerKBps / vnics;
            if (gbps.Equals(last)) continue;
            levels.Add((SimTime.FromMicroseconds(at), gbps));
            last = gbps;
        }
        return levels;
    }

    /// <summary>
    /// A VM whose traffic follows a measured network series: it arrives at the series' first level and departs at
    /// <paramref name="departure"/> (default: where the series ends), each vNIC starting at the first level and changing
    /// with it. <paramref name="template"/> gives the rest (id, size, vNICs, IovWeight); its arrival, departure, traffic
    /// and changes are replaced. Null when the series has no traffic at all.
    /// </summary>
    public static SimVm? FollowingNetwork(SimVm template, IEnumerable<UtilizationSegment> segments, SimTime? departure = null)
    {
        var levels = NetworkLevels(segments, Math.Max(1, template.Vnics));
        if (levels.Count == 0) return null;
        var start = levels[0].At;
        var end = departure ?? levels[^1].At;
        var changes = levels.Skip(1).Where(l => l.At < end).Select(l => VmChange.Demand(l.At, l.GbpsPerVnic)).ToArray();
        var gbps = levels[0].GbpsPerVnic;
        return template with
        {
            Arrival = start,
            Departure = end > start ? end : null,
            GbpsPerVnic = gbps,
            PpsPerVnic = template.GbpsPerVnic > 0 ? template.PpsPerVnic * gbps / template.GbpsPerVnic : template.PpsPerVnic,
            Changes = changes.Length == 0 ? null : changes,
        };
    }
}
