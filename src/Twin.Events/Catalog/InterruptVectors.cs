using Twin.Events.Nics;

namespace Twin.Events.Catalog;

/// <summary>vSphere's interrupt-vector budget for passthrough VFs.</summary>
public static class InterruptVectors
{
    private const string VmwareSriovSupport =
        "VMware vSphere Networking 6.0-7.0, 'SR-IOV Support' (GUID-DA8506CE): 3X + 2Y < 3072 for X Intel and Y Emulex VFs " +
        "when all 3072 passthrough vectors are free (4096 with 32 CPUs, fewer if other devices use more than 1024)";

    /// <summary>Vectors available for passthrough on one host.</summary>
    public static readonly ModelParameter<int> DefaultPassthroughBudget =
        new("vsphere.interruptVectors.passthroughBudget", 3072, "vectors", VmwareSriovSupport);

    /// <summary>Vectors one Intel VF consumes when its VM powers on.</summary>
    public static readonly ModelParameter<int> PerIntelVf =
        new("vsphere.interruptVectors.perIntelVf", 3, "vectors", VmwareSriovSupport + "; vmkernel.log 'numVectors: 3' (GUID-880A9270)");

    /// <summary>Vectors one Emulex VF consumes when its VM powers on.</summary>
    public static readonly ModelParameter<int> PerEmulexVf =
        new("vsphere.interruptVectors.perEmulexVf", 2, "vectors", VmwareSriovSupport);

    /// <summary>Vectors a VF of any other vendor consumes: VMware gives no figure, so Intel's is assumed.</summary>
    public static readonly ModelParameter<int> PerOtherVf =
        new("vsphere.interruptVectors.perOtherVf", 3, "vectors", "no VMware figure for other vendors; Intel's 3 assumed", IsAssumption: true);

    /// <summary>Vectors one VF of <paramref name="vendor"/> consumes.</summary>
    public static int PerVf(NicVendor vendor) => vendor switch
    {
        NicVendor.Intel => PerIntelVf.Value,
        NicVendor.Emulex => PerEmulexVf.Value,
        _ => PerOtherVf.Value,
    };
}
