using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.Model;

/// <summary>
/// One VM of a simulation workload: when it arrives (and starts) and departs (null = still there at the horizon), its
/// size, its vNICs, how much it wants a VF per vNIC (IovWeight 0 = not at all), and its traffic per vNIC in Gbit/s and
/// packets/s. A struct, so a workload streams without an object per VM. <see cref="Host"/> pins the VM to one host (a VM
/// already running there, e.g. in a rehearsal's horizon); null lets the placement policy choose.
/// </summary>
public readonly record struct SimVm(
    string Id,
    SimTime Arrival,
    SimTime? Departure,
    int Cores,
    double MemoryGiB,
    int Vnics,
    int IovWeight,
    double GbpsPerVnic,
    double PpsPerVnic)
{
    /// <summary>The host this VM is already on (a VM of the datacenter the run starts from): it goes there whatever the
    /// room, as it does in the real datacenter. Null = placed by the placement policy.</summary>
    public string? Host { get; init; }

    /// <summary>Only hosts of this cluster may take the VM ("add 40 VMs to cluster A"); null = any host.</summary>
    public string? Cluster { get; init; }

    /// <summary>What happens to the VM between its arrival and its departure, in time order: power cycles, live
    /// migrations, changes of its traffic. Null or empty = nothing. Changes at or after its departure never happen.</summary>
    public VmChange[]? Changes { get; init; }
}

/// <summary>What a <see cref="VmChange"/> does.</summary>
public enum VmChangeKind
{
    /// <summary>The VM is shut down: its VFs are freed (a waiting vNIC stops waiting), its cores and memory given back;
    /// it stays on its host's books and a later <see cref="Start"/> powers it on there again.</summary>
    Stop,

    /// <summary>The VM is powered on again on its host: room for its cores and memory, and VFs by its platform's rules
    /// (vSphere and KVM refuse the power-on when the VFs are not there; Hyper-V starts it synthetic).</summary>
    Start,

    /// <summary>Live migration to <see cref="VmChange.ToHost"/>, or (null) to the host the placement policy picks among
    /// the others of the VM's cluster and platform; what happens to its VFs is its platform's rule
    /// (<see cref="Twin.Events.Platforms.MigrationBehaviour"/>).</summary>
    Migrate,

    /// <summary>Each vNIC's traffic becomes <see cref="VmChange.GbpsPerVnic"/> (a piecewise-constant demand, e.g. a
    /// utilisation trace's segment).</summary>
    Demand,
}

/// <summary>One change of a VM at <paramref name="At"/>.</summary>
public readonly record struct VmChange(SimTime At, VmChangeKind Kind, double GbpsPerVnic = 0, string? ToHost = null)
{
    public static VmChange Stop(SimTime at) => new(at, VmChangeKind.Stop);
    public static VmChange Start(SimTime at) => new(at, VmChangeKind.Start);
    public static VmChange Migrate(SimTime at, string? toHost = null) => new(at, VmChangeKind.Migrate, 0, toHost);
    public static VmChange Demand(SimTime at, double gbpsPerVnic) => new(at, VmChangeKind.Demand, gbpsPerVnic);
}

/// <summary>How a trace's VMs get the network attributes the traces do not carry (all drawn from one seeded stream,
/// so a seed reproduces the run).</summary>
public sealed record NetworkProfile
{
    /// <summary>Fraction of VMs whose vNICs want a VF (IovWeight &gt; 0).</summary>
    public double SriovShare { get; init; } = 0.5;

    /// <summary>vNICs per VM.</summary>
    public ISampler<int> VnicCount { get; init; } = new Constant<int>(1);

    /// <summary>IovWeight of a VM that wants a VF (1–100).</summary>
    public ISampler<int> IovWeight { get; init; } = new Constant<int>(100);

    /// <summary>Mean traffic per vNIC in Gbit/s (default: exponential, mean 1 Gbit/s).</summary>
    public ISampler<double> GbpsPerVnic { get; init; } = Exponential.WithMean(1);

    /// <summary>Mean packet size in bytes (turns Gbit/s into packets/s).</summary>
    public double PacketBytes { get; init; } = 800;
}

/// <summary>Turns workload sources into <see cref="SimVm"/> streams.</summary>
public static class SimWorkloads
{
    /// <summary>VMs from a trace (Azure vmtable, Google, …), with network attributes from <paramref name="profile"/>;
    /// VMs created before <paramref name="from"/> or at/after <paramref name="until"/> are skipped, times shift so
    /// <paramref name="from"/> is zero. Streams in the trace's order (sorted by creation, as the traces are).</summary>
    public static IEnumerable<SimVm> FromTrace(IEnumerable<VmLifecycle> vms, NetworkProfile profile, ulong seed, ulong replication,
        SimTime? from = null, SimTime? until = null)
    {
        var rng = Pcg32.ForReplication(seed, replication, substream: 7);
        var start = from ?? SimTime.Zero;
        foreach (var vm in vms)
        {
            if (vm.Created < start || until is { } u && vm.Created >= u) continue;
            var vnics = profile.VnicCount.Sample(rng);
            var wants = rng.NextDouble() < profile.SriovShare;
            var weight = wants ? Math.Clamp(profile.IovWeight.Sample(rng), 1, 100) : 0;
            var gbps = profile.GbpsPerVnic.Sample(rng);
            yield return new SimVm(vm.Id, SimTime.Zero + (vm.Created - start), vm.Deleted is { } d ? SimTime.Zero + (d - start) : null,
                Math.Max(1, (int)Math.Round(vm.Cores)), vm.MemoryGiB, vnics, weight, gbps, gbps * 1e9 / 8 / profile.PacketBytes);
        }
    }

    /// <summary>VMs of the synthetic generator.</summary>
    public static IEnumerable<SimVm> FromSynthetic(IEnumerable<SyntheticVm> vms)
    {
        foreach (var v in vms)
            yield return new SimVm(v.Lifecycle.Id, v.Lifecycle.Created, v.Lifecycle.Deleted, Math.Max(1, (int)Math.Round(v.Lifecycle.Cores)),
                v.Lifecycle.MemoryGiB, v.VnicCount, v.IovWeight, v.MeanGbitPerSecondPerVnic, v.MeanPacketsPerSecondPerVnic);
    }
}
