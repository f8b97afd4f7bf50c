using System.Diagnostics;
using System.Globalization;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Grains.Hosting;
using Twin.Grains.UseCases;
using Twin.Projections.Storage;

namespace Twin.Benchmarks;

/// <summary>
/// The live twin end to end: a VF assign is the AllocateVf use case (validation against the read model → NIC grain →
/// decide → append at the expected version with its snapshot → evolve) on a real PostgreSQL and an in-process silo.
/// Reports assigns/s, p50/p99 latency and events appended/s at 1, 16 and 64 concurrent callers.
/// </summary>
internal static class GrainsBenchmark
{
    public static int Run(string[] args)
    {
        var options = new BenchmarkArguments(args);
        var durable = options.Long("durable", 0) == 1;
        var pfs = (int)options.Long("pfs", 64);
        var perCaller = (int)options.Long("ops", 2000);
        return RunAsync(durable, pfs, perCaller, options.Longs("callers", [1, 16, 64])).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(bool durable, int pfs, int totalOps, long[] callers)
    {
        Console.WriteLine($"grains: AllocateVf use case end to end (MediatR → NIC grain → Marten), {pfs} PFs of 256 VFs, " +
                          $"{(durable ? "durable PostgreSQL (fsync on)" : "throwaway PostgreSQL (fsync off)")}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average at start: {EventLoopBenchmark.LoadAverage()}");
        var dir = Path.Combine(Path.GetTempPath(), $"twin-bench-pg-{Environment.ProcessId}");
        await using var pg = durable
            ? await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = dir, Durable = true, DeleteOnDispose = true })
            : await EmbeddedPostgres.StartThrowawayAsync();
        var host = Host.CreateDefaultBuilder()
            .UseOrleans(s => s.UseLocalhostClustering().AddTwinGrains(pg.ConnectionString))
            .ConfigureServices(s => s.AddTwinUseCases())
            .ConfigureLogging(l => l.ClearProviders())
            .Build();
        await host.StartAsync();
        try
        {
            IMediator Mediator() => host.Services.CreateScope().ServiceProvider.GetRequiredService<IMediator>();
            var nics = new NicId[pfs];
            for (var i = 0; i < pfs; i++)
            {
                var h = new HostId($"bench-h{i}");
                nics[i] = NicId.Of(h, "0000:3b:00.0");
                await Mediator().Send(new RegisterHost(h, Platform.Kvm, "libvirt 9.0", 64, 1 << 20, "bench"));
                await Mediator().Send(new InstallNic(nics[i], h, "0000:3b:00.0", "Intel E810", NicVendor.Intel, 25_000, 0, 256));
                await Mediator().Send(new ConfigurePf(nics[i], PfAction.Enable, 256));
            }
            Console.WriteLine();
            Console.WriteLine($"{"callers",8} {"assigns",9} {"assigns/s",10} {"p50 ms",8} {"p99 ms",8} {"events/s",10}");
            var round = 0;
            foreach (var concurrency in callers)
            {
                round++;
                // every assign is released again outside the timing, so pools never fill whatever the round
                var (perSecond, p50, p99, events) = await Round(Mediator, nics, (int)concurrency, totalOps, round, pg.ConnectionString);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{concurrency,8} {totalOps,9:N0} {perSecond,10:N0} {p50,8:N2} {p99,8:N2} {events,10:N0}"));
            }
            Console.WriteLine($"load average at end: {EventLoopBenchmark.LoadAverage()}");
        }
        finally
        {
            await host.StopAsync();
            host.Dispose();
        }
        return 0;
    }

    private static async Task<long> EventCount(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("select count(*) from twin.mt_events", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<(double PerSecond, double P50, double P99, double EventsPerSecond)> Round(
        Func<IMediator> mediator, NicId[] nics, int concurrency, int total, int round, string connectionString)
    {
        var latencies = new double[total];
        var next = -1;
        var appendedBefore = await EventCount(connectionString);
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (true)
            {
                var k = Interlocked.Increment(ref next);
                if (k >= total) return;
                var nic = nics[k % nics.Length];
                var started = Stopwatch.GetTimestamp();
                var result = await mediator().Send(new AllocateVf(nic, new VnicRef(new VmId($"bench-{round}-{k}"), "net0")));
                latencies[k] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!result.Granted) throw new InvalidOperationException($"assign {k} on {nic} was not granted: {result.Reason}");
            }
        }));
        sw.Stop();
        var appended = await EventCount(connectionString) - appendedBefore;
        for (var k = 0; k < total; k++)
            await mediator().Send(new ReleaseVf(nics[k % nics.Length], new VnicRef(new VmId($"bench-{round}-{k}"), "net0")));
        Array.Sort(latencies);
        return (total / sw.Elapsed.TotalSeconds, latencies[total / 2], latencies[(int)(total * 0.99)], appended / sw.Elapsed.TotalSeconds);
    }
}
