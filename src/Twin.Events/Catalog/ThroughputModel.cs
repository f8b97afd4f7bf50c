namespace Twin.Events.Catalog;

/// <summary>
/// Parameters of the datapath throughput model (DESIGN §3.4), each named with its source and overridable per NIC model
/// or host for calibration. Per PF the link rate is shared by its active flows (VFs have no per-VF cap on vSphere).
/// The simulator computes both datapaths for the same workload, so the gain is measured by the run, not assumed.
/// </summary>
public sealed record ThroughputModel(
    ModelParameter<double> VfGoodputFraction,
    ModelParameter<double> SyntheticGbpsPerCore,
    ModelParameter<int> SyntheticCoresWithoutVrss,
    ModelParameter<int> SyntheticCoresWithVrss,
    ModelParameter<double> SyntheticLatencyUs,
    ModelParameter<double> SyntheticLatencyUnderContentionUs,
    ModelParameter<double> VfLatencyUs,
    ModelParameter<double> NativeLatencyUs,
    ModelParameter<double> CpuSavingThresholdPps,
    ModelParameter<double> SyntheticHostCpuCoresPerGbps,
    ModelParameter<double> VfHostCpuCoresPerGbps)
{
    public static readonly ThroughputModel Default = new(
        VfGoodputFraction: new("vf.goodputFraction", 0.948, "of link rate",
            "Dong et al., 'High performance network virtualization with SR-IOV' (HPCA 2010 / JPDC 2012): 9.48 Gbit/s on 10 GbE"),
        SyntheticGbpsPerCore: new("synthetic.gbpsPerCore", 4.0, "Gbit/s per host core",
            "D. Cuomo, 'Synthetic Accelerations in a Nutshell – Windows Server 2012' (Microsoft Networking Blog): a few VMs reach 3-5 Gbit/s each, one core saturated; midpoint 4"),
        SyntheticCoresWithoutVrss: new("synthetic.coresWithoutVrss", 1, "cores per vNIC",
            "Microsoft Networking Blog, 'Drive up networking performance ... with Virtual RSS' (2013): without vRSS one virtual processor handles a VM's traffic"),
        SyntheticCoresWithVrss: new("synthetic.coresWithVrss", 4, "cores per vNIC",
            "vRSS spreads a vNIC's traffic over several cores; 4 is Twin's default, not a documented figure", IsAssumption: true),
        SyntheticLatencyUs: new("synthetic.addedLatencyUs", 30.0, "µs per round trip",
            "VMware, 'Network I/O Latency on VMware vSphere 5' (2012): a few tens of µs of overhead in most cases"),
        SyntheticLatencyUnderContentionUs: new("synthetic.addedLatencyUnderContentionUs", 300.0, "µs per round trip",
            "VMware, 'Network I/O Latency on VMware vSphere 5' (2012): a few hundred µs when heavily overcommitted"),
        VfLatencyUs: new("vf.roundTripLatencyUs", 20.0, "µs (ping median)",
            "VMware, 'Deploying Extremely Latency-Sensitive Applications in vSphere 5.5' (2013): SR-IOV ping median 20 µs vs 18 µs native"),
        NativeLatencyUs: new("native.roundTripLatencyUs", 18.0, "µs (ping median)",
            "VMware, 'Deploying Extremely Latency-Sensitive Applications in vSphere 5.5' (2013): native 18 µs"),
        CpuSavingThresholdPps: new("passthrough.cpuSavingThresholdPps", 50_000.0, "packets/s",
            "VMware VROOM! blog (Dec 2010), 'Performance and Use Cases of VMware DirectPath I/O for Networking': saves CPU at very high packet rates, say > 50k/s"),
        SyntheticHostCpuCoresPerGbps: new("synthetic.hostCpuCoresPerGbps", 0.25, "host cores per Gbit/s",
            "the inverse of synthetic.gbpsPerCore (one saturated core per ~4 Gbit/s); no measured per-packet cost was found", IsAssumption: true),
        VfHostCpuCoresPerGbps: new("vf.hostCpuCoresPerGbps", 0.0, "host cores per Gbit/s",
            "VF traffic bypasses the host's virtual switch (Dong et al.: 1.76 % CPU per extra VM at line rate, counted as ~0 here)", IsAssumption: true));

    /// <summary>Goodput a VF reaches on a link of <paramref name="linkMbps"/> Mbit/s, shared by
    /// <paramref name="activeFlows"/> active VF flows, in Gbit/s.</summary>
    public double VfGbps(int linkMbps, int activeFlows, double demandGbps)
    {
        var share = linkMbps / 1000.0 * VfGoodputFraction.Value / Math.Max(1, activeFlows);
        return Math.Min(demandGbps, share);
    }

    /// <summary>Throughput a synthetic vNIC reaches in Gbit/s: bounded by the cores its host spends in the virtual
    /// switch for it (one without vRSS) and by its share of the link.</summary>
    public double SyntheticGbps(int linkMbps, int activeFlows, double demandGbps, bool vrss)
    {
        var cores = vrss ? SyntheticCoresWithVrss.Value : SyntheticCoresWithoutVrss.Value;
        var cpuBound = cores * SyntheticGbpsPerCore.Value;
        var linkShare = linkMbps / 1000.0 * VfGoodputFraction.Value / Math.Max(1, activeFlows);
        return Math.Min(demandGbps, Math.Min(cpuBound, linkShare));
    }

    /// <summary>Every parameter, for reports ("which assumptions did this run use").</summary>
    public IEnumerable<string> Describe() =>
    [
        VfGoodputFraction.ToString(), SyntheticGbpsPerCore.ToString(), SyntheticCoresWithoutVrss.ToString(), SyntheticCoresWithVrss.ToString(),
        SyntheticLatencyUs.ToString(), SyntheticLatencyUnderContentionUs.ToString(), VfLatencyUs.ToString(), NativeLatencyUs.ToString(),
        CpuSavingThresholdPps.ToString(), SyntheticHostCpuCoresPerGbps.ToString(), VfHostCpuCoresPerGbps.ToString(),
    ];
}
