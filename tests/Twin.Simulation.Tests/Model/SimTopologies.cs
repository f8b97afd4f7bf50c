using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;
using Twin.Simulation.Model;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.Tests.Model;

internal static class SimTopologies
{
    /// <summary><paramref name="hosts"/> hosts of one platform, each with one PF of <paramref name="vfs"/> VFs behind an IOV switch.</summary>
    public static Topology Hosts(Platform platform, int hosts, int vfs, int cores = 100_000, string cluster = "a")
    {
        var os = platform switch { Platform.HyperV => "Windows Server 2022", Platform.VSphere => "ESXi 8.0u3", _ => "libvirt 9.0" };
        HostId H(int i) => new($"host-{i:000}");
        NicId N(int i) => NicId.Of(H(i), "0000:3b:00.0");
        return new Topology(
            Enumerable.Range(1, hosts).Select(i => new HostSpec(H(i), platform, os, cores, 1L << 40, cluster)).ToValueList(),
            Enumerable.Range(1, hosts).Select(i => new NicSpec(N(i), H(i), "0000:3b:00.0", "Intel E810", NicVendor.Intel, 25_000, 0, 256, vfs > 0, vfs)).ToValueList(),
            Enumerable.Range(1, hosts).Select(i => new SwitchSpec(new($"host-{i:000}/ext"), H(i), "ext", SwitchKind.External, N(i), true)).ToValueList(),
            [], [], []);
    }

    /// <summary>Poisson arrivals at <paramref name="perHour"/>, exponential lifetimes of mean <paramref name="meanHours"/>,
    /// one vNIC wanting a VF (weight drawn 1–100 when <paramref name="randomWeights"/>).</summary>
    public static IEnumerable<SimVm> Poisson(ulong seed, ulong replication, double perHour, double meanHours, double hours,
        int vnics = 1, bool randomWeights = false, double sriovShare = 1.0) =>
        SimWorkloads.FromSynthetic(SyntheticWorkload.Generate(new SyntheticWorkloadOptions
        {
            Seed = seed,
            Replication = replication,
            ArrivalsPerHour = perHour,
            Horizon = SimDuration.FromHours(hours),
            LifetimeHours = Exponential.WithMean(meanHours),
            Cores = new Constant<double>(1),
            MemoryGiB = new Constant<double>(1),
            VnicCount = new Constant<int>(vnics),
            IovWeight = randomWeights ? new WeightDraw(sriovShare) : new WeightDraw(sriovShare, fixedWeight: 100),
        }));

    private sealed class WeightDraw(double share, int? fixedWeight = null) : ISampler<int>
    {
        public int Sample(Pcg32 random) => random.NextDouble() >= share ? 0 : fixedWeight ?? random.NextInt(1, 101);
    }

    public static SimulationOptions Options(Topology topology, double hours, PlacementPolicy placement = PlacementPolicy.FirstFit) =>
        new() { Topology = topology, Horizon = SimDuration.FromHours(hours), Placement = placement, SeriesBuckets = 24 };
}
