using MediatR;
using Twin.Events.Nics;
using Twin.Grains.UseCases;
using Twin.Host.Metrics;

namespace Twin.Host.Api;

/// <summary>One PF's VF pool in a flat row, with its host's cluster, its refusals over the whole history and the VFs
/// committed what-if scenarios reserved on it: what <c>twin pools</c> and the dashboard's pool table show.</summary>
public sealed record PoolSummary(
    string Nic, string Host, string Cluster, string Model, string Platform, NicStatus Status, bool SriovEnabled,
    int? Ceiling, int Configured, int Allocatable, int Allocated, int Free, int Waiting, int? PendingVfs, long Rejections, string Policy,
    int Reserved);

internal static class PoolSummaries
{
    public static async Task<IReadOnlyList<PoolSummary>> Get(IMediator m, RejectionTally tally, string? host, CancellationToken ct)
    {
        var inventory = await m.Send(new GetInventory(host), ct);
        var refused = await tally.ReadAsync(m, ct);
        var clusters = inventory.Hosts.ToDictionary(h => h.Id, h => h.Cluster);
        var reserved = (await m.Send(new GetReservations(), ct)).SelectMany(r => r.Pfs).GroupBy(p => p.Nic).ToDictionary(g => g.Key, g => g.Sum(p => p.Vfs));
        return [.. inventory.Nics.Select(n => new PoolSummary(n.Id, n.Host.Value, clusters.GetValueOrDefault(n.Host.Value, ""), n.Model,
            n.Platform.ToString(), n.Status, n.SriovEnabled, n.Ceiling, n.Configured, n.Allocatable, n.Allocated, n.Free, n.Waiting.Count,
            n.PendingVfs, refused.GetValueOrDefault(n.Id), n.Policy.ToString(), reserved.GetValueOrDefault(n.Id)))];
    }

    /// <summary>The same rows as they were at <paramref name="at"/> (time travel), refusals counted up to then.</summary>
    public static async Task<IReadOnlyList<PoolSummary>> At(IMediator m, DateTimeOffset at, string? host, CancellationToken ct)
    {
        var pools = await m.Send(new GetVfPoolUsage(at, host), ct);
        // a host's cluster never changes (registering it again with other facts is refused): today's is the one it had then
        var clusters = (await m.Send(new GetInventory(host), ct)).Hosts.ToDictionary(h => h.Id, h => h.Cluster);
        // the reservations held then: the scenarios' commit and release events up to that moment
        var reserved = (await m.Send(new GetReservationsAt(at), ct)).SelectMany(r => r.Pfs)
            .GroupBy(p => p.Nic).ToDictionary(g => g.Key, g => g.Sum(p => p.Vfs));
        return [.. pools.Select(p => new PoolSummary(p.Id, p.Host, clusters.GetValueOrDefault(p.Host, ""), p.Model, p.Platform.ToString(), p.Status,
            p.SriovEnabled, p.Ceiling, p.Configured, p.Allocatable, p.Allocated, p.Free, p.Waiting, p.PendingVfs, p.Rejections, p.Policy.ToString(),
            reserved.GetValueOrDefault(p.Id)))];
    }
}
