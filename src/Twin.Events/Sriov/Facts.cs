using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;

namespace Twin.Events.Sriov;

/// <summary>What a cross-aggregate rule needs to know about a host (a snapshot; grains exchange these).</summary>
[GenerateSerializer, Immutable]
public sealed record HostFacts(
    HostId Id, Platform Platform, string Os, HostStatus Status,
    int InterruptVectorsFree)
{
    public static HostFacts Of(Host h) => new(h.Id, h.Platform, h.Os, h.Status, h.InterruptVectorsFree);

    public static HostFacts Of(HostSnapshot h) => new(new HostId(h.Id), h.Platform, h.Os, h.Status, h.InterruptVectorBudget - h.InterruptVectorsUsed);
}

/// <summary>What a cross-aggregate rule needs to know about a PF.</summary>
[GenerateSerializer, Immutable]
public sealed record NicFacts(
    NicId Id, HostId Host, NicStatus Status, int? Ceiling,
    bool SriovEnabled, int Configured, int Free,
    bool PfDriverSupportsSriov, NicVendor Vendor, string Model, int LinkMbps)
{
    public static NicFacts Of(Nic n) => new(n.Id, n.Host, n.Status, n.Ceiling, n.SriovEnabled, n.Configured, n.Free,
        n.PfDriverSupportsSriov, n.Vendor, n.Model, n.LinkMbps);

    public static NicFacts Of(NicSnapshot n) => new(new NicId(n.Id), n.Host, n.Status, n.Ceiling, n.SriovEnabled, n.Configured, n.Free,
        n.PfDriverSupportsSriov, n.Vendor, n.Model, n.LinkMbps);
}

/// <summary>What a cross-aggregate rule needs to know about a virtual switch.</summary>
[GenerateSerializer, Immutable]
public sealed record SwitchFacts(
    SwitchId Id, HostId Host, SwitchKind Kind, NicId? BoundNic,
    bool IovEnabled, SwitchStatus Status)
{
    public static SwitchFacts Of(VirtualSwitch s) => new(s.Id, s.Host, s.Kind, s.BoundNic, s.IovEnabled, s.Status);

    public static SwitchFacts Of(SwitchSnapshot s) => new(new SwitchId(s.Id), s.Host, s.Kind, s.BoundNic, s.IovEnabled, s.Status);
}

/// <summary>
/// The prerequisites for giving a vNIC a VF (the seed article's list: guest OS, host OS, an SR-IOV-capable NIC that
/// implements the PF, an external switch with SR-IOV enabled, chipset support), checked across aggregates as a pure
/// function of their facts. Pool capacity is not checked here: the NIC stream alone decides the VF.
/// </summary>
public static class SriovPrerequisites
{
    /// <summary>Every reason the vNIC cannot have a VF (empty = it may ask the NIC for one).</summary>
    public static ValueList<SriovBlocker> Check(HostFacts host, ChipsetCapabilities? chipset, SwitchFacts? sw, NicFacts? nic, GuestOs guest, int iovWeight)
    {
        if (iovWeight <= 0) return ValueList.Of(SriovBlocker.IovNotRequested);
        var reasons = new List<SriovBlocker>();
        if (host.Status != HostStatus.Up) reasons.Add(SriovBlocker.HostUnavailable);
        if (HostBlocker(host) is { } h) reasons.Add(h);
        if (GuestBlocker(host, guest) is { } g) reasons.Add(g);
        if (chipset is not null) reasons.AddRange(ChipsetRules.Blockers(chipset, nic?.Configured ?? 0));
        if (sw is null || sw.Status != SwitchStatus.Active || sw.Kind is not (SwitchKind.External or SwitchKind.HostdevPool))
            reasons.Add(SriovBlocker.SwitchNotExternal);
        else if (!sw.IovEnabled) reasons.Add(SriovBlocker.SwitchIovDisabled);
        if (nic is null) reasons.Add(SriovBlocker.NicNotSriovCapable);
        else if (!nic.PfDriverSupportsSriov) reasons.Add(SriovBlocker.MissingPfDriver);
        else if (nic.Ceiling is null) reasons.Add(SriovBlocker.NicNotSriovCapable);
        else if (nic.Status == NicStatus.Failed) reasons.Add(SriovBlocker.NicFailed);
        else if (!nic.SriovEnabled || nic.Configured == 0) reasons.Add(SriovBlocker.SriovDisabledOnNic);
        return reasons.Distinct().ToValueList();
    }

    /// <summary>Hyper-V needs Windows Server 2012 or later for SR-IOV.</summary>
    public static SriovBlocker? HostBlocker(HostFacts host) =>
        host.Platform == Platform.HyperV && OsVersions.WindowsServer(host.Os) < OsVersions.HyperVSriovMinimum ? SriovBlocker.HostOsUnsupported : null;

    /// <summary>Hyper-V: Windows 8 / Server 2012 or later guests, Linux guests only on a 2016 or later host, nothing
    /// else. vSphere and KVM: any guest with a VF driver for the NIC.</summary>
    public static SriovBlocker? GuestBlocker(HostFacts host, GuestOs guest)
    {
        if (host.Platform != Platform.HyperV) return guest.HasVfDriver ? null : SriovBlocker.NoVfDriverInGuest;
        return guest.Family switch
        {
            OsFamily.Windows when guest.ParsedVersion >= OsVersions.WindowsGuestSriovMinimum => null,
            OsFamily.Linux when OsVersions.WindowsServer(host.Os) >= OsVersions.HyperVLinuxGuestSriovMinimum => guest.HasVfDriver ? null : SriovBlocker.NoVfDriverInGuest,
            _ => SriovBlocker.GuestOsUnsupported,
        };
    }
}
