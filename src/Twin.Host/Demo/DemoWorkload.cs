using Twin.Simulation.Engine;
using Twin.Simulation.Workloads;

namespace Twin.Host.Demo;

/// <summary>One VM of the demo's workload: when it arrives and leaves (trace hours from the start), its size.</summary>
internal sealed record DemoVm(string Id, double ArrivesHour, double? LeavesHour, int Cores, double MemoryGiB);

/// <summary>What happens at a trace moment: a VM arrives (define + start) or leaves (stop).</summary>
internal sealed record DemoEvent(double Hour, bool Arrives, DemoVm Vm);

/// <summary>
/// The demo's live workload: Poisson arrivals whose lifetimes, core counts and memory are drawn from the Azure 2019
/// (V2) published distribution tables (<c>samples/traces/azure-v2-2019-distributions</c>, CC-BY-4.0, Cortez et al.,
/// SOSP'17). The arrival times are synthetic (the public samples hold no usable arrival sequence: the filtered V1
/// table starts every VM at t=0); the sizes and lifetimes are the trace's. Seeded: the same seed gives the same VMs.
/// </summary>
internal static class DemoWorkload
{
    public static IReadOnlyList<DemoVm> Generate(string tablesFolder, int vms, double hours, ulong seed)
    {
        DistributionTable Table(string name)
        {
            using var reader = File.OpenText(Path.Combine(tablesFolder, name));
            return DistributionTable.Read(reader, name);
        }
        var options = new SyntheticWorkloadOptions
        {
            Seed = seed,
            ArrivalsPerHour = vms / hours,
            Horizon = SimDuration.FromHours(hours),
            LifetimeHours = Azure2019Distributions.LifetimeHours(Table("lifetime.txt")),
            Cores = Azure2019Distributions.Cores(Table("cores.txt")),
            MemoryGiB = Azure2019Distributions.MemoryGiB(Table("memory.txt")),
            IdPrefix = "az-",
        };
        return [.. SyntheticWorkload.Generate(options).Take(vms).Select(v => new DemoVm(
            $"az-{int.Parse(v.Lifecycle.Id[3..], System.Globalization.CultureInfo.InvariantCulture) + 1:000}",
            (v.Lifecycle.Created - SimTime.Zero).TotalHours,
            v.Lifecycle.Deleted is { } d ? (d - SimTime.Zero).TotalHours : null,
            Math.Max(1, (int)Math.Round(v.Lifecycle.Cores)),
            v.Lifecycle.MemoryGiB))];
    }

    /// <summary>Arrivals and departures in trace order (a departure before an arrival at the same moment).</summary>
    public static IReadOnlyList<DemoEvent> Events(IReadOnlyList<DemoVm> vms) =>
        [.. vms.Select(v => new DemoEvent(v.ArrivesHour, true, v))
            .Concat(vms.Where(v => v.LeavesHour is not null).Select(v => new DemoEvent(v.LeavesHour!.Value, false, v)))
            .OrderBy(e => e.Hour).ThenBy(e => e.Arrives)];
}
