using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using static Twin.Events.Nics.NicEvent;

namespace Twin.Events.Tests;

/// <summary>Shared ids, times and histories for the specs.</summary>
public static class Given
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 3, 3, 14, 7, TimeSpan.Zero);
    public static readonly DateTimeOffset T1 = T0.AddMinutes(1);
    public static readonly DateTimeOffset T2 = T0.AddMinutes(2);
    public static readonly HostId Host7 = new("host-07");
    public static readonly NicId Pf = NicId.Of(Host7, "0000:a2:00.0");
    public static readonly OperationId Op1 = new("op-1");
    public static readonly OperationId Op2 = new("op-2");
    public static readonly OperationId Op3 = new("op-3");

    public static VnicRef Vnic(int vm, string name = "net0") => new(new VmId($"vm-{vm}"), name);

    public static VfRequest Wants(int vm, int weight = 100, int queuePairs = 1, string? pool = null) => new(Vnic(vm), weight, queuePairs, pool);

    public static NicInstalled Installed(Platform platform, int? maxVfs = 64, NicVendor vendor = NicVendor.Intel, bool pfDriver = true,
        int? vports = null, int? queuePairs = null) =>
        new(Pf, Host7, platform, "Intel E810", vendor, "0000:a2:00.0", 25_000, 1, maxVfs, pfDriver, vports, queuePairs, T0);

    /// <summary>A PF of <paramref name="platform"/> with SR-IOV on and <paramref name="vfs"/> VFs.</summary>
    public static NicEvent[] Pool(Platform platform, int vfs, int? vports = null, int? queuePairs = null, int? maxVfs = null) =>
        [Installed(platform, maxVfs ?? Math.Max(vfs, 8), vports: vports, queuePairs: queuePairs), new SriovEnabled(Pf, vfs, Op1, T0)];

    public static VfAllocated Held(int vf, int vm, OperationId? op = null, int weight = 100, int queuePairs = 1) =>
        new(Pf, vf, Vnic(vm), weight, queuePairs, VfAllocationCause.Requested, op ?? Op1, T0);

    public static NicEvent[] With(this NicEvent[] history, params NicEvent[] more) => [.. history, .. more];
}
