using System.Globalization;
using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;

namespace Twin.Simulation.Workloads;

/// <summary>
/// One generated VM: its lifecycle (Deleted null when it outlives the horizon, as in the traces), the lifetime drawn,
/// its vNICs, how much it wants SR-IOV virtual functions, and its traffic per vNIC.
/// </summary>
/// <param name="Lifecycle">Id, creation, deletion, size and category.</param>
/// <param name="Lifetime">The lifetime drawn, even when it reaches past the horizon.</param>
/// <param name="VnicCount">Virtual NICs the VM asks for.</param>
/// <param name="IovWeight">0–100: how strongly the VM wants a virtual function per vNIC; 0 = it does not want one.</param>
/// <param name="MeanGbitPerSecondPerVnic">Mean traffic per vNIC in Gbit/s.</param>
/// <param name="MeanPacketsPerSecondPerVnic">Mean packet rate per vNIC in packets/s (traffic divided by the packet size drawn).</param>
public sealed record SyntheticVm(
    VmLifecycle Lifecycle,
    SimDuration Lifetime,
    int VnicCount,
    int IovWeight,
    double MeanGbitPerSecondPerVnic,
    double MeanPacketsPerSecondPerVnic);

/// <summary>
/// Parameters of <see cref="SyntheticWorkload"/>: Poisson arrivals per hour ramping linearly by
/// <see cref="GrowthPercent"/> over <see cref="Horizon"/>, and a distribution for each VM attribute (units in the names).
/// </summary>
public sealed record SyntheticWorkloadOptions
{
    /// <summary>The run's seed; print it with the results.</summary>
    public required ulong Seed { get; init; }

    /// <summary>The replication number: each (seed, replication) is an independent, reproducible stream.</summary>
    public ulong Replication { get; init; }

    /// <summary>Arrival rate at time zero, in VMs per hour.</summary>
    public required double ArrivalsPerHour { get; init; }

    /// <summary>Arrivals stop here; VMs alive past it get Deleted = null.</summary>
    public required SimDuration Horizon { get; init; }

    /// <summary>The arrival rate at the horizon is <see cref="ArrivalsPerHour"/> × (1 + GrowthPercent / 100), linear in between; above -100.</summary>
    public double GrowthPercent { get; init; }

    /// <summary>Lifetime in hours (default exponential, mean 24 h; or e.g. the Azure 2019 lifetime table).</summary>
    public ISampler<double> LifetimeHours { get; init; } = Exponential.WithMean(24);

    public ISampler<double> Cores { get; init; } = new Constant<double>(2);

    public ISampler<double> MemoryGiB { get; init; } = new Constant<double>(8);

    public ISampler<string>? Category { get; init; }

    /// <summary>vNICs per VM (non-negative).</summary>
    public ISampler<int> VnicCount { get; init; } = new Constant<int>(1);

    /// <summary>SR-IOV wish per VM, 0–100 (0 = does not want a VF).</summary>
    public ISampler<int> IovWeight { get; init; } = new Constant<int>(100);

    /// <summary>Mean traffic per vNIC in Gbit/s.</summary>
    public ISampler<double> MeanGbitPerSecondPerVnic { get; init; } = Exponential.WithMean(1);

    /// <summary>Mean packet size in bytes, which turns Gbit/s into packets/s.</summary>
    public ISampler<double> MeanPacketBytes { get; init; } = new Constant<double>(800);

    public string IdPrefix { get; init; } = "vm-";
}

/// <summary>
/// Generates VMs in arrival order, lazily, from one seed: arrivals use substream 0 of the replication and VM
/// attributes substream 1, so changing an attribute's distribution never moves the arrival times.
/// </summary>
public static class SyntheticWorkload
{
    public static IEnumerable<SyntheticVm> Generate(SyntheticWorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.ArrivalsPerHour > 0) || double.IsInfinity(options.ArrivalsPerHour))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ArrivalsPerHour, "ArrivalsPerHour must be positive and finite.");
        }

        if (options.Horizon <= SimDuration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Horizon, "Horizon must be positive.");
        }

        if (!(options.GrowthPercent > -100) || double.IsInfinity(options.GrowthPercent))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.GrowthPercent, "GrowthPercent must be above -100.");
        }

        return Generated(options);
    }

    /// <summary>The expected number of arrivals: the integral of the rate over the horizon.</summary>
    public static double ExpectedArrivals(SyntheticWorkloadOptions options) =>
        options.ArrivalsPerHour * options.Horizon.TotalHours * (1 + (options.GrowthPercent / 200));

    private static IEnumerable<SyntheticVm> Generated(SyntheticWorkloadOptions options)
    {
        var arrivalRandom = Pcg32.ForReplication(options.Seed, options.Replication, substream: 0);
        var attributeRandom = Pcg32.ForReplication(options.Seed, options.Replication, substream: 1);
        var horizon = SimTime.Zero + options.Horizon;
        var growth = options.GrowthPercent / 100;
        var arrivals = growth == 0
            ? new PoissonArrivals(options.ArrivalsPerHour)
            : new PoissonArrivals(
                t => options.ArrivalsPerHour * (1 + (growth * Math.Clamp(t.TotalHours / options.Horizon.TotalHours, 0, 1))),
                options.ArrivalsPerHour * Math.Max(1, 1 + growth));
        for (var index = 0L; ; index++)
        {
            var created = arrivals.Next(arrivalRandom);
            if (created >= horizon)
            {
                yield break;
            }

            yield return Draw(options, attributeRandom, index, created, horizon);
        }
    }

    private static SyntheticVm Draw(SyntheticWorkloadOptions options, Pcg32 random, long index, SimTime created, SimTime horizon)
    {
        // THIS IS IMPORTANT: the draw order below is part of the seed's meaning; append new attributes at the end
        var lifetimeHours = options.LifetimeHours.Sample(random);
        var cores = options.Cores.Sample(random);
        var memory = options.MemoryGiB.Sample(random);
        var category = options.Category?.Sample(random);
        var vnics = options.VnicCount.Sample(random);
        var iovWeight = options.IovWeight.Sample(random);
        var gbit = options.MeanGbitPerSecondPerVnic.Sample(random);
        var packetBytes = options.MeanPacketBytes.Sample(random);
        if (!(lifetimeHours >= 0) || vnics < 0 || iovWeight is < 0 or > 100 || !(gbit >= 0) || !(packetBytes > 0))
        {
            throw new InvalidOperationException(
                $"Drew an impossible VM (lifetime {lifetimeHours} h, {vnics} vNICs, IovWeight {iovWeight}, {gbit} Gbit/s, {packetBytes} B/packet): check the distributions.");
        }

        var lifetime = SimDuration.FromHours(lifetimeHours);
        var deleted = created + lifetime;
        var lifecycle = new VmLifecycle(
            options.IdPrefix + index.ToString(CultureInfo.InvariantCulture),
            created,
            deleted >= horizon ? null : deleted,
            cores,
            memory,
            category);
        return new SyntheticVm(lifecycle, lifetime, vnics, iovWeight, gbit, gbit * 1e9 / (8 * packetBytes));
    }
}

/// <summary>Samplers built from the Azure 2019 (V2) aggregate tables with their units: hours, cores, GiB.</summary>
public static class Azure2019Distributions
{
    /// <summary>The trace's length in hours (30 days): lifetimes beyond the table's last bucket are spread up to it.</summary>
    public const double TraceHours = 720;

    /// <summary>Lifetime in hours from <c>lifetime.txt</c> (cumulative percent per hour bucket, 91.8 % at 100 h).</summary>
    public static EmpiricalDistribution LifetimeHours(DistributionTable lifetime, double maxHours = TraceHours) =>
        lifetime.ToEmpiricalCdf(lowerBound: 0, upperBound: maxHours);

    /// <summary>Virtual cores from <c>cores.txt</c> (percent of VMs per core bucket; 30 stands for "&gt;24").</summary>
    public static WeightedChoice<double> Cores(DistributionTable cores) => cores.ToNumericWeightedChoice();

    /// <summary>Memory in GiB from <c>memory.txt</c> (percent of VMs per bucket; 70 stands for "&gt;64").</summary>
    public static WeightedChoice<double> MemoryGiB(DistributionTable memory) => memory.ToNumericWeightedChoice();

    /// <summary>Workload category from <c>category.txt</c> (percent per category).</summary>
    public static WeightedChoice<string> Category(DistributionTable category) => category.ToWeightedChoice();
}
