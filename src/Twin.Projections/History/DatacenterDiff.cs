using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Projections.ReadModels;

namespace Twin.Projections.History;

/// <summary>How a VF's holder changed between two moments.</summary>
public enum VfChangeKind
{
    /// <summary>Free (or not existing) before, held after.</summary>
    Added,
    /// <summary>Held before, free (or gone) after.</summary>
    Removed,
    /// <summary>Held by another vNIC after.</summary>
    Reassigned,
}

/// <summary>An entity that appeared, disappeared or changed its status.</summary>
public sealed record EntityChange(string Kind, string Id, string Change, string? From, string? To);

/// <summary>One VF of one PF whose holder changed.</summary>
public sealed record VfChange(string Nic, int VfIndex, VfChangeKind Change, string? FromHolder, string? ToHolder);

/// <summary>One vNIC whose datapath changed.</summary>
public sealed record DatapathChange(string Vm, string Vnic, string From, string To);

/// <summary>One counter of one VF pool that changed.</summary>
public sealed record PoolChange(string Nic, string Counter, long From, long To);

/// <summary>What changed in the datacenter between two moments.</summary>
public sealed record DatacenterDiff(
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<EntityChange> Entities,
    IReadOnlyList<VfChange> Vfs,
    IReadOnlyList<DatapathChange> Datapaths,
    IReadOnlyList<PoolChange> Pools)
{
    /// <summary>Compares two states of the datacenter (the first at <paramref name="from"/>, the second at
    /// <paramref name="to"/>), optionally only what lives on <paramref name="host"/>.</summary>
    public static DatacenterDiff Between(DatacenterState before, DatacenterState after, DateTimeOffset from, DateTimeOffset to, string? host = null)
    {
        bool OnHost(HostId h) => host is null || h.Value == host;

        var entities = new List<EntityChange>();
        Compare(entities, "host", before.Snapshots<HostSnapshot>().Where(h => OnHost(new HostId(h.Id))), after.Snapshots<HostSnapshot>().Where(h => OnHost(new HostId(h.Id))),
            h => h.Status == HostStatus.Absent ? null : h.Status.ToString());
        Compare(entities, "nic", before.Snapshots<NicSnapshot>().Where(n => OnHost(n.Host)), after.Snapshots<NicSnapshot>().Where(n => OnHost(n.Host)),
            n => n.Status == NicStatus.Absent ? null : $"{n.Status}, SR-IOV {(n.SriovEnabled ? $"on ({n.Configured} VFs)" : "off")}");
        Compare(entities, "switch", before.Snapshots<SwitchSnapshot>().Where(s => OnHost(s.Host)), after.Snapshots<SwitchSnapshot>().Where(s => OnHost(s.Host)),
            s => s.Status is SwitchStatus.Absent or SwitchStatus.Deleted ? null : $"{s.Kind}, IOV {(s.IovEnabled ? "on" : "off")}");
        Compare(entities, "vm", before.Snapshots<VmSnapshot>().Where(v => OnHost(v.Host)), after.Snapshots<VmSnapshot>().Where(v => OnHost(v.Host)),
            v => v.Status is VmStatus.Absent or VmStatus.Deleted ? null : $"{v.Status} on {v.Host}");

        var vfs = new List<VfChange>();
        var pools = new List<PoolChange>();
        var nicsBefore = before.Snapshots<NicSnapshot>().Where(n => OnHost(n.Host)).ToDictionary(n => n.Id, StringComparer.Ordinal);
        var nicsAfter = after.Snapshots<NicSnapshot>().Where(n => OnHost(n.Host)).ToDictionary(n => n.Id, StringComparer.Ordinal);
        foreach (var id in nicsBefore.Keys.Union(nicsAfter.Keys).Order(StringComparer.Ordinal))
        {
            var a = nicsBefore.GetValueOrDefault(id);
            var b = nicsAfter.GetValueOrDefault(id);
            var heldA = a?.Holders.ToDictionary(s => s.Index, s => s.Holder!.Value.ToString()) ?? [];
            var heldB = b?.Holders.ToDictionary(s => s.Index, s => s.Holder!.Value.ToString()) ?? [];
            foreach (var vf in heldA.Keys.Union(heldB.Keys).Order())
            {
                var (x, y) = (heldA.GetValueOrDefault(vf), heldB.GetValueOrDefault(vf));
                if (x == y) continue;
                vfs.Add(new VfChange(id, vf, x is null ? VfChangeKind.Added : y is null ? VfChangeKind.Removed : VfChangeKind.Reassigned, x, y));
            }
            var ua = a is null ? null : VfPoolUsage.Of(a, before.Demand(id));
            var ub = b is null ? null : VfPoolUsage.Of(b, after.Demand(id));
            foreach (var (counter, get) in Counters)
            {
                var (x, y) = (ua is null ? 0 : get(ua), ub is null ? 0 : get(ub));
                if (x != y) pools.Add(new PoolChange(id, counter, x, y));
            }
        }

        var datapaths = new List<DatapathChange>();
        var vmsBefore = before.Snapshots<VmSnapshot>().ToDictionary(v => v.Id, StringComparer.Ordinal);
        var vmsAfter = after.Snapshots<VmSnapshot>().ToDictionary(v => v.Id, StringComparer.Ordinal);
        foreach (var id in vmsBefore.Keys.Union(vmsAfter.Keys).Order(StringComparer.Ordinal))
        {
            var a = vmsBefore.GetValueOrDefault(id);
            var b = vmsAfter.GetValueOrDefault(id);
            if (!(a is not null && OnHost(a.Host) || b is not null && OnHost(b.Host))) continue;
            var pa = a?.Vnics.ToDictionary(v => v.Spec.Name, v => v.Datapath.ToString()) ?? [];
            var pb = b?.Vnics.ToDictionary(v => v.Spec.Name, v => v.Datapath.ToString()) ?? [];
            foreach (var vnic in pa.Keys.Union(pb.Keys).Order(StringComparer.Ordinal))
            {
                var (x, y) = (pa.GetValueOrDefault(vnic) ?? "absent", pb.GetValueOrDefault(vnic) ?? "absent");
                if (x != y) datapaths.Add(new DatapathChange(id, vnic, x, y));
            }
        }
        return new DatacenterDiff(from, to, entities, vfs, datapaths, pools);
    }

    private static readonly (string Name, Func<VfPoolUsage, long> Get)[] Counters =
    [
        ("ceiling", u => u.Ceiling ?? 0), ("configured", u => u.Configured), ("allocatable", u => u.Allocatable),
        ("allocated", u => u.Allocated), ("free", u => u.Free), ("waiting", u => u.Waiting), ("rejections", u => u.Rejections),
        ("failedPowerOns", u => u.FailedPowerOns), ("revocations", u => u.Revocations), ("handOvers", u => u.HandOvers),
    ];

    private static void Compare<T>(List<EntityChange> changes, string kind, IEnumerable<T> before, IEnumerable<T> after, Func<T, string?> describe)
        where T : ISnapshot
    {
        var a = before.ToDictionary(s => s.Id, describe, StringComparer.Ordinal);
        var b = after.ToDictionary(s => s.Id, describe, StringComparer.Ordinal);
        foreach (var id in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
        {
            var (x, y) = (a.GetValueOrDefault(id), b.GetValueOrDefault(id));
            if (x == y) continue;
            changes.Add(new EntityChange(kind, id, x is null ? "added" : y is null ? "removed" : "changed", x, y));
        }
    }
}
