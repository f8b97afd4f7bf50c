using Twin.Events.Common;
using Twin.Events.Platforms;
using static Twin.Events.Chipsets.ChipsetCommand;
using static Twin.Events.Chipsets.ChipsetEvent;

namespace Twin.Events.Chipsets;

/// <summary>
/// What a host's chipset and firmware offer SR-IOV: IOMMU (VT-d / AMD-Vi) with interrupt and DMA remapping, SLAT,
/// ACS on the path to the NIC, ARI, the BIOS SR-IOV switch, the firmware's _OSC hand-off of PCI Express control, and
/// the bus numbers and VF BAR space available (as the most VFs one PF can get; null = not limiting / unknown).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ChipsetCapabilities(
    bool Iommu = true,
    bool InterruptRemapping = true,
    bool DmaRemapping = true,
    bool Slat = true,
    bool Acs = true,
    bool Ari = true,
    bool BiosSriovEnabled = true,
    bool OscHandoff = true,
    int? MaxVfsByBusNumbers = null,
    int? MaxVfsByBarSpace = null)
{
    /// <summary>A chipset that supports everything (the common server case).</summary>
    public static readonly ChipsetCapabilities Full = new();
}

/// <summary>Chipset rules: which Windows-vocabulary reasons block SR-IOV for a PF asking for a number of VFs.</summary>
public static class ChipsetRules
{
    /// <summary>
    /// Without ARI, a device's routing IDs fit 8 functions, so a PF (function 0) can expose at most 7 VFs on its own
    /// bus. MODELLING ASSUMPTION derived from the PCIe ARI ECN (an SR-IOV device needs ARI for more than 8 functions
    /// per device); real limits depend on First VF Offset and VF Stride.
    /// </summary>
    public const int MaxVfsWithoutAri = 7;

    /// <summary>Reasons that block SR-IOV (empty = supported). <paramref name="requestedVfs"/> = 0 checks only the
    /// switches, not the bus/BAR capacity.</summary>
    public static ValueList<SriovBlocker> Blockers(ChipsetCapabilities c, int requestedVfs = 0)
    {
        var reasons = new List<SriovBlocker>();
        if (!c.BiosSriovEnabled) reasons.Add(SriovBlocker.BiosSriovDisabled);
        if (!c.OscHandoff) reasons.Add(SriovBlocker.NoOscSupport);
        if (!c.Iommu || !c.InterruptRemapping || !c.DmaRemapping || !c.Slat) reasons.Add(SriovBlocker.NoIoMmuSupport);
        if (!c.Acs) reasons.Add(SriovBlocker.MissingAcs);
        if (requestedVfs > 0)
        {
            if (!c.Ari && requestedVfs > MaxVfsWithoutAri) reasons.Add(SriovBlocker.NoAriSupport);
            if (c.MaxVfsByBusNumbers is { } bus && requestedVfs > bus) reasons.Add(SriovBlocker.NoBusResources);
            if (c.MaxVfsByBarSpace is { } bar && requestedVfs > bar) reasons.Add(SriovBlocker.NoVfBarSpace);
        }
        return reasons.ToValueList();
    }
}

/// <summary>Commands to a host's chipset/firmware record.</summary>
[GenerateSerializer, Immutable]
public abstract record ChipsetCommand
{
    public abstract ChipsetId Chipset { get; init; }

    [GenerateSerializer, Immutable]
    public sealed record RegisterChipset(ChipsetId Chipset, HostId Host,
        string Description, ChipsetCapabilities Capabilities, DateTimeOffset At) : ChipsetCommand;

    /// <summary>A firmware update, a BIOS setting change, or a capture showing other capabilities.</summary>
    [GenerateSerializer, Immutable]
    public sealed record ReportCapabilities(ChipsetId Chipset, ChipsetCapabilities Capabilities,
        DateTimeOffset At) : ChipsetCommand;

    private ChipsetCommand() { }
}

/// <summary>Facts about a host's chipset and firmware.</summary>
[GenerateSerializer, Immutable]
public abstract record ChipsetEvent
{
    public abstract ChipsetId Chipset { get; init; }
    public abstract DateTimeOffset At { get; init; }

    [GenerateSerializer, Immutable]
    public sealed record ChipsetRegistered(ChipsetId Chipset, HostId Host,
        string Description, ChipsetCapabilities Capabilities, DateTimeOffset At) : ChipsetEvent;

    [GenerateSerializer, Immutable]
    public sealed record ChipsetCapabilitiesChanged(ChipsetId Chipset, ChipsetCapabilities From,
        ChipsetCapabilities To, DateTimeOffset At) : ChipsetEvent;

    private ChipsetEvent() { }
}

/// <summary>An immutable image of a chipset record at a stream version.</summary>
[GenerateSerializer, Immutable]
public sealed record ChipsetSnapshot(string Id, long Version, bool Registered,
    HostId Host, string Description, ChipsetCapabilities Capabilities,
    ValueList<SriovBlocker> Blockers) : ISnapshot;

/// <summary>The state of a chipset record.</summary>
public sealed class Chipset
{
    public ChipsetSnapshot ToSnapshot(long version) => new(Id.Value, version, Registered, Host, Description, Capabilities, Blockers);

    public static Chipset FromSnapshot(ChipsetSnapshot s) => new()
    {
        Registered = s.Registered, Id = new ChipsetId(s.Id), Host = s.Host, Description = s.Description, Capabilities = s.Capabilities,
    };

    public bool Registered { get; private set; }
    public ChipsetId Id { get; private set; }
    public HostId Host { get; private set; }
    public string Description { get; private set; } = "";
    public ChipsetCapabilities Capabilities { get; private set; } = ChipsetCapabilities.Full;

    /// <summary>Reasons the chipset blocks SR-IOV regardless of VF count.</summary>
    public ValueList<SriovBlocker> Blockers => ChipsetRules.Blockers(Capabilities);

    public static Chipset Initial() => new();

    public static Chipset Evolve(Chipset s, ChipsetEvent e)
    {
        switch (e)
        {
            case ChipsetRegistered x:
                (s.Registered, s.Id, s.Host, s.Description, s.Capabilities) = (true, x.Chipset, x.Host, x.Description, x.Capabilities);
                break;
            case ChipsetCapabilitiesChanged x:
                s.Capabilities = x.To;
                break;
        }
        return s;
    }
}

/// <summary>Decides chipset commands.</summary>
public static class ChipsetDecider
{
    public static readonly Decider<ChipsetCommand, ChipsetEvent, Chipset> Decider = new(Decide, Chipset.Evolve, Chipset.Initial);

    public static ChipsetEvent[] Decide(ChipsetCommand command, Chipset s) => command switch
    {
        RegisterChipset c when !s.Registered => [new ChipsetRegistered(c.Chipset, c.Host, c.Description, c.Capabilities, c.At)],
        RegisterChipset c when c.Host != s.Host =>
            throw new DomainRuleViolated($"chipset {c.Chipset} belongs to host {s.Host}, not {c.Host}"),
        RegisterChipset c => c.Capabilities == s.Capabilities ? [] : [new ChipsetCapabilitiesChanged(s.Id, s.Capabilities, c.Capabilities, c.At)],
        _ when !s.Registered => throw new DomainRuleViolated($"chipset {command.Chipset} is not registered"),
        ReportCapabilities c => c.Capabilities == s.Capabilities ? [] : [new ChipsetCapabilitiesChanged(s.Id, s.Capabilities, c.Capabilities, c.At)],
        _ => throw new DomainRuleViolated($"{command.GetType().Name} is not valid for chipset {s.Id}"),
    };
}
