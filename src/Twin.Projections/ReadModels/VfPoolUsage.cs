using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;

namespace Twin.Projections.ReadModels;

/// <summary>
/// Unmet VF demand on one PF, counted from the start of history: every refusal (<see cref="Rejections"/>, of which
/// <see cref="QueuedRejections"/> left the vNIC synthetic and waiting, Hyper-V, and <see cref="AtomicRejections"/>
/// refused outright, vSphere/KVM), the power-ons that failed because of them (<see cref="FailedPowerOns"/>), VFs taken
/// from holders (<see cref="Revocations"/>), VFs handed to waiters or preempted, and the longest waiting line seen.
/// <see cref="OpenAtomic"/> lists refusals ("operation|vm") whose start has not ended yet: a start that then fails
/// counts as a failed power-on; one that goes on (a hot-plug, a Hyper-V fallback) does not.
/// </summary>
public sealed record VfPoolDemand(
    string Id,
    long Allocations,
    long Rejections,
    long QueuedRejections,
    long AtomicRejections,
    long FailedPowerOns,
    long Revocations,
    long HandOvers,
    long Preemptions,
    int PeakWaiting,
    DateTimeOffset? LastRejectionAt,
    DateTimeOffset? LastFailedPowerOnAt,
    ValueList<string> OpenAtomic)
{
    /// <summary>How many unresolved refusals a PF remembers (oldest dropped first).</summary>
    public const int OpenLimit = 64;

    public static VfPoolDemand Empty(string nic) => new(nic, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, ValueList<string>.Empty);

    /// <summary>The key a refusal is remembered under until its VM's start ends.</summary>
    public static string OpenKey(OperationId op, VmId vm) => $"{op.Value}|{vm.Value}";
}

/// <summary>
/// One PF's VF pool as a read model (document id = NIC id): the four counters kept apart — ceiling, configured,
/// allocatable, allocated (and free) — the change pending a reboot, who holds which VF, who waits, and the unmet
/// demand counted over time. Kept by the async daemon (it joins NIC and VM streams); also computed for any past
/// moment by time travel.
/// </summary>
public sealed record VfPoolUsage(
    string Id,
    string Host,
    string Model,
    Platform Platform,
    NicStatus Status,
    int? Ceiling,
    bool SriovEnabled,
    int Configured,
    int Allocatable,
    int Allocated,
    int Free,
    int? PendingVfs,
    ScarceVfPolicy Policy,
    int Waiting,
    ValueList<string> WaitingVnics,
    ValueList<string> Holders,
    long Allocations,
    long Rejections,
    long QueuedRejections,
    long AtomicRejections,
    long FailedPowerOns,
    long Revocations,
    long HandOvers,
    long Preemptions,
    int PeakWaiting,
    DateTimeOffset? LastRejectionAt,
    long Version)
{
    /// <summary>Composes the pool's state and its demand counters.</summary>
    public static VfPoolUsage Of(NicSnapshot nic, VfPoolDemand? demand)
    {
        var d = demand ?? VfPoolDemand.Empty(nic.Id);
        return new VfPoolUsage(nic.Id, nic.Host.Value, nic.Model, nic.Platform, nic.Status, nic.Ceiling, nic.SriovEnabled,
            nic.Configured, nic.Allocatable, nic.Allocated, nic.Free, nic.PendingVfs, nic.Policy,
            nic.Waiting.Count, nic.Waiting.Select(w => $"{w.Vnic} (weight {w.Weight})").ToValueList(),
            nic.Holders.Select(h => $"VF {h.Index}: {h.Holder} (weight {h.Weight})").ToValueList(),
            d.Allocations, d.Rejections, d.QueuedRejections, d.AtomicRejections, d.FailedPowerOns, d.Revocations, d.HandOvers,
            d.Preemptions, d.PeakWaiting, d.LastRejectionAt, nic.Version);
    }
}
