using Twin.Simulation.Engine;

namespace Twin.Simulation.Workloads;

/// <summary>What a <see cref="UtilizationSegment"/> measures; the name carries the unit.</summary>
public enum UtilizationMetric
{
    /// <summary>CPU utilisation in percent of the VM's cores (0–100).</summary>
    CpuPercent,

    /// <summary>CPU usage in MHz (Bitbrains).</summary>
    CpuUsageMHz,

    /// <summary>Network received throughput in KB/s (Bitbrains).</summary>
    NetworkReceivedKBps,

    /// <summary>Network transmitted throughput in KB/s (Bitbrains).</summary>
    NetworkTransmittedKBps,

    /// <summary>Mean CPU usage in cores normalised to the largest machine (Google 2011: 1.0 = that machine).</summary>
    CpuUsageNormalized,

    /// <summary>Canonical memory usage normalised to the largest machine (Google 2011).</summary>
    MemoryUsageNormalized,
}

/// <summary>
/// A piece of a piecewise-constant utilisation series: <see cref="Value"/> (unit per <see cref="Metric"/>) holds from
/// <see cref="Start"/> (inclusive) to <see cref="End"/> (exclusive). Consecutive equal readings become one segment.
/// </summary>
public readonly record struct UtilizationSegment(string SeriesId, UtilizationMetric Metric, SimTime Start, SimTime End, double Value)
{
    public SimDuration Duration => End - Start;
}
