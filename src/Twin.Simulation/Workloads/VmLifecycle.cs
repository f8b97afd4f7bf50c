using Twin.Simulation.Engine;

namespace Twin.Simulation.Workloads;

/// <summary>
/// One VM (or task run) from a trace or the generator: created and deleted in simulated time (Deleted null = still
/// alive at the end of the trace), size in cores and GiB of memory, and CPU utilisation summaries in percent.
/// </summary>
/// <param name="Id">The trace's VM id (for Google: "job/task", with "#n" for the n-th run after the first).</param>
/// <param name="Created">When the VM starts occupying resources.</param>
/// <param name="Deleted">When it releases them; null if still alive when the trace ends.</param>
/// <param name="Cores">Virtual cores (Azure V2: the bucket's representative value; Google: the normalised request times the configured machine size).</param>
/// <param name="MemoryGiB">Memory in GiB (same conventions as <paramref name="Cores"/>).</param>
/// <param name="Category">Workload category as the trace spells it (Azure: "Delay-insensitive", "Interactive", "Unkown"/"Unknown").</param>
/// <param name="AvgCpuPercent">Average CPU utilisation in percent, where the trace has it.</param>
/// <param name="P95MaxCpuPercent">95th percentile of the 5-minute maximum CPU utilisation in percent, where present.</param>
public sealed record VmLifecycle(
    string Id,
    SimTime Created,
    SimTime? Deleted,
    double Cores,
    double MemoryGiB,
    string? Category = null,
    double? AvgCpuPercent = null,
    double? P95MaxCpuPercent = null)
{
    /// <summary>Maximum CPU utilisation in percent, where present.</summary>
    public double? MaxCpuPercent { get; init; }

    /// <summary>The bucket string when the trace gives the core count as a bucket (Azure V2, e.g. ">24").</summary>
    public string? CoreBucket { get; init; }

    /// <summary>The bucket string when the trace gives memory as a bucket (Azure V2, e.g. ">64"), in GB.</summary>
    public string? MemoryBucket { get; init; }

    public string? SubscriptionId { get; init; }

    public string? DeploymentId { get; init; }

    /// <summary>Why the run ended, where the trace says (Google: "finish", "evict", "fail", "kill", "lost").</summary>
    public string? EndReason { get; init; }

    /// <summary>The time alive, up to <paramref name="traceEnd"/> when the VM outlives the trace.</summary>
    public SimDuration LifetimeUntil(SimTime traceEnd) => (Deleted ?? traceEnd) - Created;
}
