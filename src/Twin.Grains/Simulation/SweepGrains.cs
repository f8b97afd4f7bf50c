using System.Diagnostics;
using Orleans.Concurrency;
using Twin.Simulation.Model;

namespace Twin.Grains.Simulation;

/// <summary>One replication of one variant of a sweep.</summary>
[GenerateSerializer, Immutable]
public sealed record SweepTask([property: Id(0)] int Variant, [property: Id(1)] int Replication);

/// <summary>What one replication produced, where it ran and how long it took; the run itself travels as JSON.</summary>
[GenerateSerializer, Immutable]
public sealed record ReplicaResult(
    [property: Id(0)] int Variant, [property: Id(1)] int Replication, [property: Id(2)] string Silo,
    [property: Id(3)] double Milliseconds, [property: Id(4)] string RunJson);

/// <summary>The sweep's foothold on one silo (keyed by that silo's address): it hands its share of the replications
/// to the silo's own stateless workers and gathers what they produce.</summary>
public interface ISweepNodeGrain : IGrainWithStringKey
{
    [ResponseTimeout("01:00:00")]
    Task<ReplicaResult[]> Run(string jobJson, SweepTask[] tasks);
}

/// <summary>Runs replications; stateless, so a silo runs as many at once as it has cores.</summary>
public interface ISimulationReplicaGrain : IGrainWithIntegerKey
{
    [ResponseTimeout("01:00:00")]
    Task<ReplicaResult> Run(string jobJson, SweepTask task);
}

[SiloKeyPlacement, Reentrant]
internal sealed class SweepNodeGrain : Grain, ISweepNodeGrain
{
    public Task<ReplicaResult[]> Run(string jobJson, SweepTask[] tasks)
    {
        // a stateless worker is always activated on the calling silo: these run here
        var worker = GrainFactory.GetGrain<ISimulationReplicaGrain>(0);
        return Task.WhenAll(tasks.Select(t => worker.Run(jobJson, t)));
    }
}

[StatelessWorker]
internal sealed class SimulationReplicaGrain(ILocalSiloDetails silo) : Grain, ISimulationReplicaGrain
{
    public async Task<ReplicaResult> Run(string jobJson, SweepTask task)
    {
        var clock = Stopwatch.StartNew();
        // CPU-bound for up to minutes: off the grain's turn, on the thread pool
        var json = await Task.Run(() =>
        {
            var spec = SweepJob.Read(jobJson);
            var run = new SimulationModel(SweepJob.Options(spec, task.Variant))
                .Run(SweepJob.Workload(spec, task.Variant, (ulong)task.Replication), spec.Seed, (ulong)task.Replication);
            return SweepJob.WriteResult(run);
        });
        return new ReplicaResult(task.Variant, task.Replication, silo.SiloAddress.ToParsableString(), clock.Elapsed.TotalMilliseconds, json);
    }
}
