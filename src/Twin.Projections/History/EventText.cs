using Twin.Events.Chipsets;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Planning;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Projections.History;

/// <summary>One line a person reads for each Twin event (timelines, investigations).</summary>
public static class EventText
{
    public static string Describe(object e) => e switch
    {
        HostEvent.HostRegistered x => $"host {x.Host} registered: {x.Platform} {x.Os}, {x.Cores} cores, {x.MemoryMiB} MiB, cluster '{x.Cluster}'",
        HostEvent.HostOsChanged x => $"host {x.Host} OS changed from {x.From} to {x.To}",
        HostEvent.VmPlaced x => $"{x.Vm} placed on {x.Host} ({x.Vcpus} vCPU, {x.MemoryMiB} MiB{(x.ReserveAllMemory ? ", all reserved" : "")})",
        HostEvent.VmPlacementRejected x => $"{x.Host} refused {x.Vm}: {x.Reason} ({x.Detail})",
        HostEvent.VmUnplaced x => $"{x.Vm} left {x.Host}",
        HostEvent.InterruptVectorsReserved x => $"{x.Vm} reserved {x.Vectors} interrupt vectors on {x.Host}",
        HostEvent.InterruptVectorsRejected x => $"{x.Host} refused {x.Vectors} interrupt vectors to {x.Vm} ({x.Free} free)",
        HostEvent.InterruptVectorsReleased x => $"{x.Vm} released {x.Vectors} interrupt vectors on {x.Host}",
        HostEvent.HostMaintenanceChanged x => $"host {x.Host} {(x.InMaintenance ? "entered" : "left")} maintenance",
        HostEvent.HostFailed x => $"host {x.Host} failed",
        HostEvent.HostRepaired x => $"host {x.Host} repaired",
        HostEvent.HostRebooted x => $"host {x.Host} rebooted",

        ChipsetEvent.ChipsetRegistered x => $"chipset {x.Chipset} registered{(x.Description.Length > 0 ? $" ({x.Description})" : "")}",
        ChipsetEvent.ChipsetCapabilitiesChanged x => $"chipset {x.Chipset} capabilities changed: {x.From} -> {x.To}",

        NicEvent.NicInstalled x => $"PF {x.Nic} installed on {x.Host}: {x.Vendor} {x.Model}, {x.LinkMbps} Mbit/s, ceiling {x.MaxVfs?.ToString() ?? "none"} VFs",
        NicEvent.SriovEnabled x => $"SR-IOV enabled on {x.Nic} with {x.VfCount} VFs",
        NicEvent.SriovDisabled x => $"SR-IOV disabled on {x.Nic}",
        NicEvent.VfCountChanged x => $"{x.Nic} VF count changed {x.From} -> {x.To}{(x.Asked != x.To ? $" (asked {x.Asked})" : "")}",
        NicEvent.VfConfigurationPending x => $"{x.Nic}: {(x.Enabled ? $"{x.RequestedVfs} VFs" : "SR-IOV off")} requested, pending a host reboot",
        NicEvent.VfConfigurationRejected x => $"{x.Nic} refused {x.RequestedVfs} VFs: {x.Reason}{(x.Holders.Count > 0 ? $" (held by {string.Join(", ", x.Holders)})" : "")}",
        NicEvent.VfConfigurationObserved x => $"{x.Nic} observed: SR-IOV {(x.Enabled ? "on" : "off")}, {x.ConfiguredVfs} VFs, ceiling {x.MaxVfs?.ToString() ?? "none"}",
        NicEvent.ResourcePoolDefined x => $"{x.Nic} resource pool '{x.Name}' = VFs {string.Join(",", x.VfIndices)}",
        NicEvent.ResourcePoolRejected x => $"{x.Nic} refused resource pool '{x.Name}': {x.Problem}",
        NicEvent.ResourcePoolRemoved x => $"{x.Nic} resource pool '{x.Name}' removed",
        NicEvent.VfAllocated x => $"VF {x.VfIndex} of {x.Nic} given to {x.Vnic} (weight {x.IovWeight}, {Cause(x.Cause)})",
        NicEvent.VfAllocationRejected x => $"{x.Nic} gave {x.Vnic} no VF: {x.Reason} ({x.Free} free, {x.Needed} asked){(x.Queued ? "; it waits, synthetic" : "")}",
        NicEvent.VfReleased x => $"VF {x.VfIndex} of {x.Nic} freed by {x.Vnic}",
        NicEvent.VfRevoked x => $"VF {x.VfIndex} of {x.Nic} taken from {x.Vnic}: {x.Reason}{(x.Queued ? "; it waits for another" : "")}",
        NicEvent.VfRequestWithdrawn x => $"{x.Vnic} stopped waiting for a VF of {x.Nic}",
        NicEvent.NicFailed x => $"PF {x.Nic} failed",
        NicEvent.NicRepaired x => $"PF {x.Nic} repaired",
        NicEvent.ScarceVfPolicyChanged x => $"{x.Nic} scarce-VF policy set to {x.Policy}",

        SwitchEvent.SwitchCreated x => $"switch {x.Switch} created: {x.Kind}{(x.BoundNic is { } n ? $" on {n}" : "")}, IOV {(x.IovEnabled ? "on" : "off")}",
        SwitchEvent.SwitchIovChanged x => $"switch {x.Switch} IOV {(x.IovEnabled ? "on" : "off")}",
        SwitchEvent.SwitchIovChangeRejected x => $"switch {x.Switch} refused IOV {(x.RequestedIov ? "on" : "off")}: {x.Reason}",
        SwitchEvent.SwitchRecreated x => $"switch {x.Switch} recreated with IOV {(x.IovEnabled ? "on" : "off")}; {x.Disconnected.Count} vNIC(s) disconnected",
        SwitchEvent.SwitchDeleted x => $"switch {x.Switch} deleted; {x.Disconnected.Count} vNIC(s) disconnected",
        SwitchEvent.PortConnected x => $"{x.Vnic} connected to {x.Switch}",
        SwitchEvent.PortDisconnected x => $"{x.Vnic} disconnected from {x.Switch}",

        VmEvent.VmDefined x => $"VM {x.Vm} defined on {x.Host}: {x.Guest.Name}, {x.Vcpus} vCPU, {x.MemoryMiB} MiB, vNICs {string.Join(", ", x.Vnics.Select(v => $"{v.Name}@{v.Switch} w{v.IovWeight}"))}",
        VmEvent.VnicAdded x => $"{x.Vm}/{x.Vnic.Name} added on {x.Vnic.Switch} (weight {x.Vnic.IovWeight})",
        VmEvent.VnicRemoved x => $"{x.Vm}/{x.Name} removed",
        VmEvent.IovWeightChanged x => $"{x.Vm}/{x.Name} IovWeight {x.From} -> {x.To}",
        VmEvent.VfRequested x => $"{x.Vm}/{x.Name} asked again for a VF",
        VmEvent.VmStartRequested x => $"VM {x.Vm} start requested on {x.Host}",
        VmEvent.VnicDatapathChanged x => $"{x.Vm}/{x.Name} datapath {x.From} -> {x.To}",
        VmEvent.VmStarted x => $"VM {x.Vm} started on {x.Host}",
        VmEvent.VmStartFailed x => $"VM {x.Vm} failed to start{(x.Reason is { } r ? $" ({r})" : "")}: {x.Detail}",
        VmEvent.VmStopRequested x => $"VM {x.Vm} stop requested",
        VmEvent.VmStopped x => $"VM {x.Vm} stopped",
        VmEvent.VmMigrationStarted x => $"VM {x.Vm} migration {x.From} -> {x.To} started ({x.SourceVfs.Count} source VF(s))",
        VmEvent.VmMigrationRejected x => $"VM {x.Vm} migration to {x.To} refused: {x.Reason}",
        VmEvent.DestinationVfClaimed x => $"{x.Vm}/{x.Name} claimed {x.Datapath} on the destination",
        VmEvent.VmMigrated x => $"VM {x.Vm} moved {x.From} -> {x.To}",
        VmEvent.SourceVfReleased x => $"{x.Vm}/{x.Name} source VF {x.VfIndex} of {x.Nic} released",
        VmEvent.VmMigrationAborted x => $"VM {x.Vm} migration aborted: {x.Reason}",
        VmEvent.VmDeleted x => $"VM {x.Vm} deleted",
        CapacityEvent.CapacityReserved x => $"scenario {x.Scenario} committed variant {x.Variant} (revision {x.Revision}): {x.Pfs.Sum(p => p.Vfs)} VF(s) reserved on {x.Pfs.Count} PF(s)",
        CapacityEvent.CapacityReleased x => $"scenario {x.Scenario} released {x.Vfs} VF(s) reserved by {x.Variant}",
        _ => e.ToString() ?? e.GetType().Name,
    };

    private static string Cause(VfAllocationCause cause) => cause switch
    {
        VfAllocationCause.HandedOverOnRelease => "handed over when a VF was freed",
        VfAllocationCause.Preempted => "preempted from a lower weight",
        _ => "requested",
    };
}
