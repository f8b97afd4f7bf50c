using System.Diagnostics;
using Marten;
using MediatR;
using Twin.Events.Chipsets;
using Twin.Events.Hosts;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Grains.Simulation;
using Twin.Simulation.Model;

namespace Twin.Grains.UseCases;

/// <summary>Runs a simulation sweep across the cluster: every (variant, replication) is a task, the tasks are dealt
/// out to the active silos, each silo runs its share on its own stateless workers, and the results come back as
/// P50/P95 bands per variant. Tasks of a silo that fails mid-sweep are dealt out again to the silos left.</summary>
public sealed record RunSweep(SweepSpec Spec) : TwinRequest, IRequest<SweepReport>, IValidatable
{
    public IEnumerable<string> Validate() => Spec is null ? ["the body must be a sweep"] : Spec.Problems();
}

/// <summary>How much of a sweep one silo ran.</summary>
public sealed record SweepSiloShare(string Silo, int Replications, double CpuMilliseconds);

/// <summary>One variant's bands across its replications (the replications themselves are left out).</summary>
public sealed record SweepVariantResult(SweepVariant Variant, SimulationSummary Summary);

/// <summary>What a sweep found, and where its replications ran.</summary>
public sealed record SweepReport(ulong Seed, int Replications, double Hours, int Hosts, int Pfs, IReadOnlyList<SweepSiloShare> Silos,
    int Redealt, double ElapsedMilliseconds, IReadOnlyList<SweepVariantResult> Variants);

internal sealed class RunSweepHandler(IGrainFactory grains, IQuerySession session) : IRequestHandler<RunSweep, SweepReport>
{
    private const int Rounds = 3;

    public async Task<SweepReport> Handle(RunSweep r, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var topology = r.Spec.Topology ?? await LiveTopology(ct);
        if (topology.Hosts.Count == 0)
            throw new RequestValidationException(["the datacenter has no host: register hosts first, or give the sweep a topology"]);
        var spec = r.Spec with { Topology = topology };
        var json = SweepJob.Write(spec);
        var pending = (from v in Enumerable.Range(0, spec.Variants.Count) from rep in Enumerable.Range(0, spec.Replications) select new SweepTask(v, rep)).ToList();
        var done = new List<ReplicaResult>();
        var redealt = 0;
        for (var round = 1; pending.Count > 0; round++)
        {
            var silos = (await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Keys.OrderBy(s => s.ToParsableString(), StringComparer.Ordinal).ToList();
            var shares = pending.Select((t, i) => (Task: t, Silo: silos[i % silos.Count])).GroupBy(x => x.Silo, x => x.Task).ToList();
            var calls = shares.Select(async share =>
            {
                try
                {
                    return (Failed: Array.Empty<SweepTask>(), Results: await grains.GetGrain<ISweepNodeGrain>(share.Key.ToParsableString()).Run(json, [.. share]));
                }
                catch (Exception) when (round < Rounds && !ct.IsCancellationRequested)
                {
                    // that silo died or stopped answering: its share goes to the silos left
                    return (Failed: share.ToArray(), Results: Array.Empty<ReplicaResult>());
                }
            }).ToList();
            var outcomes = await Task.WhenAll(calls);
            done.AddRange(outcomes.SelectMany(o => o.Results));
            pending = [.. outcomes.SelectMany(o => o.Failed)];
            redealt += pending.Count;
        }

        var variants = spec.Variants.Select((v, i) =>
        {
            var runs = done.Where(d => d.Variant == i).OrderBy(d => d.Replication).Select(d => SweepJob.ReadResult(d.RunJson)).ToList();
            var summary = SimulationRunner.Summarize(SweepJob.Options(spec, i), spec.Seed, runs);
            return new SweepVariantResult(v, summary with { Runs = [] });
        }).ToList();
        var silosUsed = done.GroupBy(d => d.Silo).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new SweepSiloShare(g.Key, g.Count(), Math.Round(g.Sum(d => d.Milliseconds), 1))).ToList();
        return new SweepReport(spec.Seed, spec.Replications, spec.Hours, topology.Hosts.Count, topology.Nics.Count, silosUsed, redealt,
            Math.Round(clock.Elapsed.TotalMilliseconds, 1), variants);
    }

    private async Task<Topology> LiveTopology(CancellationToken ct) =>
        TopologyFromState.Build(
            await session.Query<HostSnapshot>().ToListAsync(ct),
            await session.Query<ChipsetSnapshot>().ToListAsync(ct),
            await session.Query<NicSnapshot>().ToListAsync(ct),
            await session.Query<SwitchSnapshot>().ToListAsync(ct),
            await session.Query<VmSnapshot>().ToListAsync(ct));
}
