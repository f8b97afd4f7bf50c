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
}
