using System.Text.Json;
using System.Text.Json.Serialization;
using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;
using Twin.Simulation.Model;
using Twin.Simulation.Workloads;

namespace Twin.Grains.Simulation;

/// <summary>One variant of a sweep: what it changes from the base (nothing, by default).</summary>
/// <param name="Name">Its name in the report (unique in the sweep).</param>
/// <param name="Placement">Another placement policy.</param>
/// <param name="VfsPerPf">Every SR-IOV PF configured with this many VFs (capped at its ceiling).</param>
/// <param name="LoadFactor">The arrival rate multiplied by this.</param>
public sealed record SweepVariant(string Name, PlacementPolicy? Placement = null, int? VfsPerPf = null, double? LoadFactor = null);

/// <summary>
/// A simulation sweep: a synthetic workload (Poisson arrivals, exponential lifetimes, a share of VMs wanting VFs) run
/// against a datacenter for many replications (seeds) and variants. The datacenter is the one given, or the live twin
/// as it is now. Every replication is reproducible from (seed, replication), wherever it runs.
/// </summary>
public sealed record SweepSpec
{
    /// <summary>Largest replications × variants of one sweep.</summary>
    public const int MaxRuns = 10_000;

    /// <summary>Largest number of VM arrivals a whole sweep may simulate (replications × variants × expected arrivals).</summary>
    public const double MaxSimulatedVms = 50_000_000;

    /// <summary>The datacenter at time zero; null = the live twin now.</summary>
    public Topology? Topology { get; init; }

    public double Hours { get; init; } = 168;

    public double ArrivalsPerHour { get; init; } = 10;

    public double MeanLifetimeHours { get; init; } = 24;

    /// <summary>Fraction of VMs whose vNICs want a VF (IovWeight 100); the others want none.</summary>
    public double SriovShare { get; init; } = 0.5;

    public int VnicsPerVm { get; init; } = 1;

    public ulong Seed { get; init; } = 1;

    public int Replications { get; init; } = 20;

    public PlacementPolicy Placement { get; init; } = PlacementPolicy.SriovAware;

    public IReadOnlyList<SweepVariant> Variants { get; init; } = [new("baseline")];

    /// <summary>Every problem of this spec, as sentences (none = valid).</summary>
    public IEnumerable<string> Problems()
    {
        if (!(Hours is > 0 and <= 8760 * 5)) yield return $"hours must be more than 0 and at most {8760 * 5}, not {Hours}";
        if (!(ArrivalsPerHour is > 0 and <= 1_000_000)) yield return $"arrivalsPerHour must be more than 0 and at most 1000000, not {ArrivalsPerHour}";
        if (!(MeanLifetimeHours is > 0 and <= 1_000_000)) yield return $"meanLifetimeHours must be more than 0 and at most 1000000, not {MeanLifetimeHours}";
        if (!(SriovShare is >= 0 and <= 1)) yield return $"sriovShare must be between 0 and 1, not {SriovShare}";
        if (VnicsPerVm is < 1 or > 16) yield return $"vnicsPerVm must be 1-16, not {VnicsPerVm}";
        if (Replications is < 1 or > MaxRuns) yield return $"replications must be 1-{MaxRuns}, not {Replications}";
        if (Variants is null || Variants.Count is < 1 or > 32) yield return "variants must list 1-32 variants";
        else
        {
            foreach (var v in Variants)
            {
                if (string.IsNullOrWhiteSpace(v.Name) || v.Name.Length > 100) yield return "every variant needs a name of 1-100 characters";
                if (v.VfsPerPf is < 0 or > 4096) yield return $"variant '{v.Name}': vfsPerPf must be 0-4096, not {v.VfsPerPf}";
                if (v.LoadFactor is { } f && !(f is > 0 and <= 100)) yield return $"variant '{v.Name}': loadFactor must be more than 0 and at most 100, not {f}";
            }
            foreach (var dup in Variants.GroupBy(v => v.Name).Where(g => g.Count() > 1)) yield return $"variant '{dup.Key}' is named twice";
            if ((long)Replications * Variants.Count > MaxRuns) yield return $"replications × variants must be at most {MaxRuns}, not {(long)Replications * Variants.Count}";
            var vms = Replications * Variants.Sum(v => ArrivalsPerHour * (v.LoadFactor ?? 1) * Hours);
            if (vms > MaxSimulatedVms) yield return $"the sweep would simulate about {vms:0} VMs; at most {MaxSimulatedVms:0} (fewer replications, hours or arrivals)";
        }
    }
}

/// <summary>A sweep resolved for the workers: the spec with its topology filled in, as JSON (the topology records are
/// not Orleans-serializable, and a job is read once per replication).</summary>
internal static class SweepJob
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Write(SweepSpec spec) => JsonSerializer.Serialize(spec, Json);

    public static SweepSpec Read(string json) => JsonSerializer.Deserialize<SweepSpec>(json, Json)!;

    public static string WriteResult(RunResult run) => JsonSerializer.Serialize(run, Json);

    public static RunResult ReadResult(string json) => JsonSerializer.Deserialize<RunResult>(json, Json)!;

    /// <summary>What variant <paramref name="variant"/> of <paramref name="spec"/> simulates.</summary>
    public static SimulationOptions Options(SweepSpec spec, int variant)
    {
        var v = spec.Variants[variant];
        var topology = spec.Topology!;
        if (v.VfsPerPf is { } vfs)
            topology = topology with
            {
                Nics = topology.Nics.Select(n => n.SriovEnabled ? n with { ConfiguredVfs = Math.Min(vfs, n.MaxVfs ?? vfs), RequestedVfs = null } : n).ToValueList(),
            };
        return new SimulationOptions
        {
            Topology = topology,
            Horizon = SimDuration.FromHours(spec.Hours),
            Placement = v.Placement ?? spec.Placement,
            SeriesBuckets = 24,
        };
    }

    /// <summary>Replication <paramref name="replication"/>'s VMs for variant <paramref name="variant"/>.</summary>
    public static IEnumerable<SimVm> Workload(SweepSpec spec, int variant, ulong replication) =>
        SimWorkloads.FromSynthetic(SyntheticWorkload.Generate(new SyntheticWorkloadOptions
        {
            Seed = spec.Seed,
            Replication = replication,
            ArrivalsPerHour = spec.ArrivalsPerHour * (spec.Variants[variant].LoadFactor ?? 1),
            Horizon = SimDuration.FromHours(spec.Hours),
            LifetimeHours = Exponential.WithMean(spec.MeanLifetimeHours),
            Cores = new Constant<double>(2),
            MemoryGiB = new Constant<double>(4),
            VnicCount = new Constant<int>(spec.VnicsPerVm),
            IovWeight = new ShareWantingVf(spec.SriovShare),
        }));

    /// <summary>IovWeight 100 for a <paramref name="share"/> of VMs, 0 for the others.</summary>
    private sealed class ShareWantingVf(double share) : ISampler<int>
    {
        public int Sample(Pcg32 random) => random.NextDouble() < share ? 100 : 0;
    }
}
