using System.Text.Json.Serialization;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Simulation.InMemory;

namespace Twin.Simulation.Rehearsal;

/// <summary>The kinds of side effect a rehearsal reports.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SideEffectKind>))]
public enum SideEffectKind
{
    /// <summary>A VF was taken from its holder (adapter restart, SR-IOV disabled, preemption).</summary>
    VfRevoked,
    /// <summary>A holder gave its VF back.</summary>
    VfFreed,
    /// <summary>A freed VF went to a vNIC that was waiting for one (Hyper-V).</summary>
    VfHandedOver,
    /// <summary>A vNIC ends the step on a VF.</summary>
    VnicOnVf,
    /// <summary>A vNIC that wants a VF ends the step on the synthetic path.</summary>
    VnicSynthetic,
    /// <summary>A vNIC was disconnected (its switch was recreated).</summary>
    VnicDisconnected,
    /// <summary>Hyper-V refused an IOV change in place: the switch must be recreated, disconnecting its vNICs.</summary>
    RecreateRequired,
    /// <summary>A PF change is pending until its host reboots (vSphere).</summary>
    RebootRequired,
    /// <summary>A PF change needs its VF holders evicted first (Linux: through 0 VFs).</summary>
    DrainRequired,
    /// <summary>A PF refused a configuration change for another reason.</summary>
    ChangeRefused,
    /// <summary>A VM's start failed (vSphere power-on, KVM atomic start, no room).</summary>
    StartFailed,
    VmStarted,
    VmStopped,
    VmMigrated,
    /// <summary>The platform refused a live migration (vSphere: no vMotion for SR-IOV VMs).</summary>
    MigrationRefused,
    /// <summary>A migration failed and was rolled back; the VM keeps its source VFs.</summary>
    MigrationAborted,
    HostRebooted,
}

/// <summary>A side effect of a step: its kind, what it affects (a vNIC, PF, switch, VM or host) and a sentence.</summary>
public sealed record SideEffect(SideEffectKind Kind, string Subject, string Detail);

/// <summary>Reads a step's side effects from the events it appended (the same events the live apply would append).</summary>
public static class SideEffects
{
    /// <summary>The side effects of a step that appended <paramref name="events"/>; <paramref name="vmsBefore"/> holds the
    /// VMs it touched as they were before it, <paramref name="after"/> the twin after it.</summary>
    public static IReadOnlyList<SideEffect> Of(IReadOnlyList<RecordedEvent> events, IReadOnlyDictionary<string, VmSnapshot?> vmsBefore, InMemoryTwin after)
    {
        var effects = new List<SideEffect>();
        foreach (var e in events.Select(r => r.Event))
        {
            switch (e)
            {
                case NicEvent.VfRevoked x:
                    effects.Add(new(SideEffectKind.VfRevoked, x.Vnic.ToString(),
                        $"VF {x.VfIndex} of {x.Nic} revoked ({x.Reason}){(x.Queued ? "; it waits for another" : "")}"));
                    break;
                case NicEvent.VfReleased x:
                    effects.Add(new(SideEffectKind.VfFreed, x.Vnic.ToString(), $"VF {x.VfIndex} of {x.Nic} freed"));
                    break;
                case NicEvent.VfAllocated { Cause: not VfAllocationCause.Requested } x:
                    effects.Add(new(SideEffectKind.VfHandedOver, x.Vnic.ToString(), $"VF {x.VfIndex} of {x.Nic} {(x.Cause == VfAllocationCause.Preempted ? "taken from a lower-weight holder" : "handed over to it (it was waiting)")}"));
                    break;
                case NicEvent.VfConfigurationPending x:
                    var host = after.Nic(x.Nic)?.Host.Value ?? "its host";
                    effects.Add(new(SideEffectKind.RebootRequired, host,
                        $"{x.Nic}: {(x.Enabled ? $"{x.RequestedVfs} VF(s)" : "SR-IOV off")} requested, not in effect until {host} reboots (its running VMs stop)"));
                    break;
                case NicEvent.VfConfigurationRejected { Reason: NicChangeRefusal.MustPassThroughZero } x:
                    effects.Add(new(SideEffectKind.DrainRequired, x.Nic.Value,
                        $"the kernel refuses {x.RequestedVfs} VFs while VFs exist (EBUSY): set 0 first, which destroys every VF"
                        + (x.Holders.Count > 0 ? $" — evict {string.Join(", ", x.Holders)} first" : "")));
                    break;
                case NicEvent.VfConfigurationRejected { Reason: NicChangeRefusal.VfsInUse } x:
                    effects.Add(new(SideEffectKind.DrainRequired, x.Nic.Value,
                        $"going to 0 VFs destroys every VF: evict {string.Join(", ", x.Holders)} first (stop or migrate them)"));
                    break;
                case NicEvent.VfConfigurationRejected x:
                    effects.Add(new(SideEffectKind.ChangeRefused, x.Nic.Value, $"{x.RequestedVfs} VF(s) refused: {x.Reason}"));
                    break;
                case SwitchEvent.SwitchIovChangeRejected x:
                    effects.Add(new(SideEffectKind.RecreateRequired, x.Switch.Value,
                        $"{x.Reason}; plan: {x.Plan}; it would disconnect {(x.WouldDisconnect.Count == 0 ? "no vNIC" : string.Join(", ", x.WouldDisconnect))}"));
                    break;
                case SwitchEvent.SwitchRecreated x:
                    effects.AddRange(x.Disconnected.Select(v => new SideEffect(SideEffectKind.VnicDisconnected, v.ToString(), $"disconnected by the recreation of {x.Switch}")));
                    break;
                case VmEvent.VmStartFailed x:
                    effects.Add(new(SideEffectKind.StartFailed, x.Vm.Value, $"{(after.Vm(x.Vm)?.Platform == Platform.VSphere ? "power-on" : "start")} failed: {x.Detail}"));
                    break;
                case VmEvent.VmStarted x:
                    effects.Add(new(SideEffectKind.VmStarted, x.Vm.Value, $"running on {x.Host}"));
                    break;
                case VmEvent.VmStopped x:
                    effects.Add(new(SideEffectKind.VmStopped, x.Vm.Value, "stopped"));
                    break;
                case VmEvent.VmMigrated x:
                    effects.Add(new(SideEffectKind.VmMigrated, x.Vm.Value, $"moved {x.From} → {x.To}"));
                    break;
                case VmEvent.VmMigrationRejected x:
                    effects.Add(new(SideEffectKind.MigrationRefused, x.Vm.Value, $"migration to {x.To} refused: {x.Reason}"));
                    break;
                case VmEvent.VmMigrationAborted x:
                    effects.Add(new(SideEffectKind.MigrationAborted, x.Vm.Value, $"migration aborted ({x.Reason}); it keeps its source VFs"));
                    break;
                case HostEvent.HostRebooted x:
                    effects.Add(new(SideEffectKind.HostRebooted, x.Host.Value, "rebooted"));
                    break;
            }
        }
        // the datapath each vNIC ends the step on, against the one it began with (a recreation goes VF → disconnected →
        // VF, a migration VF → synthetic → VF on the destination: the end is what matters)
        foreach (var (id, was) in vmsBefore.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (after.Vm(new VmId(id)) is not { } vm) continue;
            foreach (var v in vm.Vnics)
            {
                var vnic = $"{id}/{v.Spec.Name}";
                var from = was?.Vnics.FirstOrDefault(x => x.Spec.Name == v.Spec.Name)?.Datapath ?? Datapath.Off;
                var to = v.Datapath;
                if (from == to) continue;
                if (to.Kind == DatapathKind.Vf)
                    effects.Add(new(SideEffectKind.VnicOnVf, vnic, from.Kind == DatapathKind.Vf ? $"on {to} (was {from})" : $"on {to}"));
                else if (to.Kind == DatapathKind.Synthetic && v.Spec.WantsVf && from.Kind != DatapathKind.Synthetic)
                    effects.Add(new(SideEffectKind.VnicSynthetic, vnic, $"runs synthetic ({to.Reason?.ToString() ?? "no VF"}){(from.Kind == DatapathKind.Vf ? $", was on {from}" : "")}"));
                else if (to.Kind == DatapathKind.Synthetic && v.Spec.WantsVf)
                    effects.Add(new(SideEffectKind.VnicSynthetic, vnic, $"still synthetic, now {to.Reason?.ToString() ?? "without a reason"} (was {from.Reason?.ToString() ?? "none"})"));
                else if (to.Kind == DatapathKind.Disconnected)
                    effects.Add(new(SideEffectKind.VnicDisconnected, vnic, $"left disconnected ({to.Reason})"));
            }
        }
        return effects;
    }
}

/// <summary>Short sentences for events (reports; the data itself is in the event).</summary>
public static class EventText
{
    public static string Describe(object e) => e switch
    {
        NicEvent.VfAllocated x => $"VF {x.VfIndex} → {x.Vnic} ({x.Cause})",
        NicEvent.VfReleased x => $"VF {x.VfIndex} freed by {x.Vnic}",
        NicEvent.VfRevoked x => $"VF {x.VfIndex} revoked from {x.Vnic} ({x.Reason})",
        NicEvent.VfAllocationRejected x => $"no VF for {x.Vnic} ({x.Reason}, {x.Free} free){(x.Queued ? ", waiting" : "")}",
        NicEvent.VfRequestWithdrawn x => $"{x.Vnic} stops waiting",
        NicEvent.SriovEnabled x => $"SR-IOV on, {x.VfCount} VF(s)",
        NicEvent.SriovDisabled => "SR-IOV off",
        NicEvent.VfCountChanged x => $"VFs {x.From} → {x.To}",
        NicEvent.VfConfigurationPending x => $"{(x.Enabled ? $"{x.RequestedVfs} VF(s)" : "SR-IOV off")} pending a reboot",
        NicEvent.VfConfigurationRejected x => $"{x.RequestedVfs} VF(s) refused: {x.Reason}",
        NicEvent.ScarceVfPolicyChanged x => $"policy {x.Policy}",
        NicEvent.ResourcePoolDefined x => $"pool '{x.Name}' = VF(s) {string.Join(",", x.VfIndices)}",
        NicEvent.ResourcePoolRejected x => $"pool '{x.Name}' refused: {x.Problem}",
        SwitchEvent.SwitchCreated x => $"created ({x.Kind}, IOV {(x.IovEnabled ? "on" : "off")})",
        SwitchEvent.SwitchIovChanged x => $"IOV {(x.IovEnabled ? "on" : "off")}",
        SwitchEvent.SwitchIovChangeRejected x => $"IOV {(x.RequestedIov ? "on" : "off")} refused: {x.Reason}",
        SwitchEvent.SwitchRecreated x => $"recreated with IOV {(x.IovEnabled ? "on" : "off")}, {x.Disconnected.Count} vNIC(s) disconnected",
        SwitchEvent.PortConnected x => $"{x.Vnic} connected",
        SwitchEvent.PortDisconnected x => $"{x.Vnic} disconnected",
        VmEvent.VmDefined x => $"defined on {x.Host}",
        VmEvent.IovWeightChanged x => $"{x.Name}: IovWeight {x.From} → {x.To}",
        VmEvent.VfRequested x => $"{x.Name}: asks for a VF",
        VmEvent.VmStartRequested => "start requested",
        VmEvent.VnicDatapathChanged x => $"{x.Name}: {x.From} → {x.To}",
        VmEvent.VmStarted x => $"running on {x.Host}",
        VmEvent.VmStartFailed x => $"start failed: {x.Detail}",
        VmEvent.VmStopRequested => "stop requested",
        VmEvent.VmStopped => "stopped",
        VmEvent.VmMigrationStarted x => $"migration {x.From} → {x.To} started",
        VmEvent.VmMigrationRejected x => $"migration to {x.To} refused",
        VmEvent.DestinationVfClaimed x => $"{x.Name}: destination claim {x.Datapath}",
        VmEvent.VmMigrated x => $"moved {x.From} → {x.To}",
        VmEvent.SourceVfReleased x => $"{x.Name}: source VF {x.VfIndex} of {x.Nic} released",
        VmEvent.VmMigrationAborted x => $"migration aborted: {x.Reason}",
        HostEvent.VmPlaced x => $"{x.Vm} placed ({x.Vcpus} vCPU, {x.MemoryMiB} MiB)",
        HostEvent.VmUnplaced x => $"{x.Vm} removed",
        HostEvent.VmPlacementRejected x => $"{x.Vm} refused: {x.Detail}",
        HostEvent.InterruptVectorsReserved x => $"{x.Vectors} interrupt vectors for {x.Vm}",
        HostEvent.InterruptVectorsReleased x => $"{x.Vectors} interrupt vectors of {x.Vm} released",
        HostEvent.InterruptVectorsRejected x => $"{x.Vectors} interrupt vectors for {x.Vm} refused ({x.Free} free)",
        HostEvent.HostRebooted => "rebooted",
        _ => e.GetType().Name,
    };
}
