using System.Globalization;
using Twin.Events.Inventory;
using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;
using Twin.Simulation.Model;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.Rehearsal;

/// <summary>One headline figure of the horizon, without and with the change (medians across replications).</summary>
public sealed record HorizonFigure(string Name, string Unit, double Without, double With, bool HigherIsBetter)
{
    public double Delta => With - Without;

    /// <summary>Whether the change makes this figure worse.</summary>
    public bool Worse => HigherIsBetter ? With < Without : With > Without;
}

/// <summary>One PF over the horizon, without and with the change: allocatable VFs, how many replications ran out and
/// when (median hours, null = never), and vNICs that fell back to synthetic (median).</summary>
public sealed record PfHorizon(string Nic, string Host,
    int AllocatableWithout, int AllocatableWith,
    int ExhaustedWithout, int ExhaustedWith, double? FirstExhaustionHoursWithout, double? FirstExhaustionHoursWith,
    double FellBackWithout, double FellBackWith);

/// <summary>
/// The horizon after the change compared with not changing: the same workload (same seed, same replications) on the
/// datacenter before and after the plan, with the VMs running in each kept on their hosts for the whole horizon.
/// <see cref="Regression"/>: the change does worse (more failed starts or more vNICs on the synthetic path).
/// </summary>
public sealed record HorizonComparison(
    string Workload, int Days, int Replications, ulong Seed, double ArrivalsPerHour, int RunningVmsWithout, int RunningVmsWith,
    IReadOnlyList<HorizonFigure> Figures, IReadOnlyList<PfHorizon> Pfs, bool Regression, string Summary, IReadOnlyList<string> Assumptions);

/// <summary>Simulates the horizon after a change and without it.</summary>
public static class RehearsalHorizon
{
    public static HorizonComparison Compare(Topology before, Topology after, HorizonSpec spec, DateTimeOffset epoch, int maxParallelism = 0, CancellationToken ct = default)
    {
        var rate = spec.ArrivalsPerHour ?? DefaultArrivalsPerHour(after, spec);
        var horizon = SimDuration.FromDays(spec.Days);
        var workload = spec.TraceVms is { } trace ? $"trace {spec.TraceSource ?? ""} ({trace.Count} VMs)".Replace("  ", " ", StringComparison.Ordinal)
            : $"synthetic: {rate.ToString("0.##", CultureInfo.InvariantCulture)} VMs/h (Poisson{(spec.GrowthPercent != 0 ? $", {spec.GrowthPercent:+0;-0}% growth" : "")}), "
              + $"lifetime exp. mean {spec.MeanLifetimeHours:0.#} h, {spec.Vcpus} vCPU, {spec.MemoryGiB:0.#} GiB, {spec.VnicsPerVm} vNIC(s), "
              + $"{spec.SriovShare * 100:0}% want a VF";
        var without = Run(before, spec, rate, horizon, epoch, maxParallelism, ct);
        var with = Run(after, spec, rate, horizon, epoch, maxParallelism, ct);

        HorizonFigure F(string name, string unit, Func<SimulationSummary, Band> band, bool higherIsBetter) =>
            new(name, unit, Finite(band(without).P50), Finite(band(with).P50), higherIsBetter);
        var figures = new List<HorizonFigure>
        {
            F("VMs started", "VMs", s => s.VmsStarted, true),
            F("failed starts", "VMs", s => s.FailedStarts, false),
            F("vNICs on the synthetic path that wanted a VF", "vNICs", s => s.VnicsFellBack, false),
            F("throughput delivered", "Gbit/s", s => s.DeliveredGbps, true),
            F("gain of SR-IOV over all-synthetic", "Gbit/s", s => s.GainOverSyntheticGbps, true),
            F("host CPU cores saved by SR-IOV", "cores", s => s.CpuCoresSaved, true),
            F("mean round-trip latency", "µs", s => s.MeanLatencyUs, false),
            new("replications that ran out of VFs", "of " + spec.Replications.ToString(CultureInfo.InvariantCulture),
                without.FirstExhaustion.ReplicationsExhausted, with.FirstExhaustion.ReplicationsExhausted, false),
        };
        var withoutByNic = without.Nics.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var pfs = with.Nics.Select(n => (With: n, Without: withoutByNic.GetValueOrDefault(n.Id)))
            .Select(x => new PfHorizon(x.With.Id, x.With.Host, x.Without?.Allocatable ?? 0, x.With.Allocatable,
                x.Without?.FirstExhaustion.ReplicationsExhausted ?? 0, x.With.FirstExhaustion.ReplicationsExhausted,
                x.Without?.FirstExhaustion.Hours?.P50, x.With.FirstExhaustion.Hours?.P50,
                Finite(x.Without?.FellBackToSynthetic.P50 ?? 0), Finite(x.With.FellBackToSynthetic.P50)))
            .ToList();
        var failed = figures[1];
        var fellBack = figures[2];
        var regression = failed.Worse || fellBack.Worse;
        var summary = $"over {spec.Days} days: failed starts {failed.Without:0.#} → {failed.With:0.#}, vNICs synthetic that wanted a VF {fellBack.Without:0.#} → {fellBack.With:0.#}, "
                      + $"SR-IOV gain {figures[4].Without:0.##} → {figures[4].With:0.##} Gbit/s"
                      + (regression ? " — the change does worse than not changing" : "");
        string[] assumptions =
        [
            "the VMs running now stay on their hosts for the whole horizon (pinned), with the new workload's traffic per vNIC",
            "new VMs are placed by the " + spec.Placement + " policy; one PF per host carries its VMs' vNICs (the one behind an IOV switch)",
            "guest OS prerequisites are not simulated (every simulated guest can take a VF); per-PF scarce-VF policies use the default",
            "a change pending a reboot is not in effect during the horizon",
        ];
        return new HorizonComparison(workload, spec.Days, spec.Replications, spec.Seed, rate,
            before.Vms.Count(v => v.Running), after.Vms.Count(v => v.Running), figures, pfs, regression, summary, assumptions);
    }

    /// <summary>Enough arrivals to keep about half of the datacenter's cores busy at steady state (Little's law:
    /// VMs alive = arrival rate × mean lifetime).</summary>
    public static double DefaultArrivalsPerHour(Topology topology, HorizonSpec spec)
    {
        var cores = topology.Hosts.Sum(h => (double)h.Cores);
        return Math.Max(0.01, Math.Round(0.5 * cores / (spec.MeanLifetimeHours * spec.Vcpus), 2));
    }

    private static SimulationSummary Run(Topology topology, HorizonSpec spec, double rate, SimDuration horizon, DateTimeOffset epoch, int maxParallelism, CancellationToken ct)
    {
        var residents = topology.Vms.Where(v => v.Running).Select(v =>
        {
            var wanting = v.Vnics.Where(x => x.WantsVf).ToList();
            var vnics = wanting.Count > 0 ? wanting.Count : v.Vnics.Count;
            var weight = wanting.Count > 0 ? wanting.Max(x => x.IovWeight) : 0;
            return new SimVm(v.Id.Value, SimTime.Zero, null, Math.Max(1, v.Vcpus), v.MemoryMiB / 1024.0, Math.Min(vnics, 16), weight,
                spec.GbpsPerVnic, spec.GbpsPerVnic * 1e9 / 8 / 800) { Host = v.Host.Value };
        }).ToList();
        var options = new SimulationOptions { Topology = topology, Horizon = horizon, Epoch = epoch, Placement = spec.Placement, ExpectedLiveVms = 1024 };
        return SimulationRunner.Run(options, r => residents.Concat(Arrivals(spec, rate, horizon, r)), spec.Seed, spec.Replications, maxParallelism, ct: ct);
    }

    private static IEnumerable<SimVm> Arrivals(HorizonSpec spec, double rate, SimDuration horizon, ulong replication)
    {
        var profile = new NetworkProfile
        {
            SriovShare = spec.SriovShare,
            VnicCount = new Constant<int>(spec.VnicsPerVm),
            GbpsPerVnic = spec.GbpsPerVnic > 0 ? Exponential.WithMean(spec.GbpsPerVnic) : new Constant<double>(0),
        };
        if (spec.TraceVms is { } trace)
        {
            var vms = trace.Where(v => v.ArrivalHours < horizon.TotalHours).Select(v => new VmLifecycle("trace-" + v.Id, SimTime.FromHours(v.ArrivalHours),
                v.DepartureHours is { } d ? SimTime.FromHours(Math.Max(d, v.ArrivalHours)) : null, v.Cores, v.MemoryGiB));
            return SimWorkloads.FromTrace(vms, profile, spec.Seed, replication);
        }
        var options = new SyntheticWorkloadOptions
        {
            Seed = spec.Seed,
            Replication = replication,
            ArrivalsPerHour = rate,
            Horizon = horizon,
            GrowthPercent = spec.GrowthPercent,
            LifetimeHours = Exponential.WithMean(spec.MeanLifetimeHours),
            Cores = new Constant<double>(spec.Vcpus),
            MemoryGiB = new Constant<double>(spec.MemoryGiB),
            VnicCount = new Constant<int>(spec.VnicsPerVm),
            IovWeight = new WeightedChoice<int>([(100, spec.SriovShare), (0, 1 - spec.SriovShare)]),
            MeanGbitPerSecondPerVnic = profile.GbpsPerVnic,
            IdPrefix = "new-",
        };
        return SimWorkloads.FromSynthetic(SyntheticWorkload.Generate(options));
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;
}
