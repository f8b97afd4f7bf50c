using System.Diagnostics;
using Marten;
using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Projections;
using Twin.Projections.History;
using Twin.Projections.Storage;
using Twin.Simulation.InMemory;

namespace Twin.Benchmarks;

/// <summary>Options shared by the history benchmarks.</summary>
internal sealed record BenchOptions(long Events, int WindowSize, int Hosts, int VmsPerHost, int Vfs, int Moments, int Seed, string? Connection, string Schema)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Get(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return new BenchOptions(
            long.Parse(Get("--events") ?? "1000000"), int.Parse(Get("--window") ?? HistoryOptions.Default.WindowSize.ToString()),
            int.Parse(Get("--hosts") ?? "50"), int.Parse(Get("--vms-per-host") ?? "40"), int.Parse(Get("--vfs") ?? "16"),
            int.Parse(Get("--moments") ?? "20"), int.Parse(Get("--seed") ?? "42"), Get("--connection") is { Length: > 0 } c ? c : null, Get("--schema") ?? "twin_bench");
    }

    public override string ToString() =>
        $"events={Events} window={WindowSize} hosts={Hosts} vms/host={VmsPerHost} vfs/PF={Vfs} seed={Seed} schema={Schema}";
}

/// <summary>
/// A generated history for the benchmarks: a Hyper-V datacenter (hosts with one 25 GbE PF of a few VFs each and an
/// IOV switch, many VMs per host wanting a VF) whose VMs start, stop, change IovWeight and migrate, one operation per
/// second of domain time, run through the real sagas by the in-memory twin, then appended to Marten.
/// </summary>
internal static class BenchHistory
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A server (the given one, or a throwaway one) and a store on the benchmark schema holding at least the
    /// wanted number of events (generated and appended when the schema has fewer).</summary>
    public static async Task<(EmbeddedPostgres? Server, DocumentStore Store, DateTimeOffset First, DateTimeOffset Last)> PrepareAsync(BenchOptions o)
    {
        EmbeddedPostgres? server = null;
        var connection = o.Connection;
        if (connection is null)
        {
            var up = Stopwatch.StartNew();
            server = await EmbeddedPostgres.StartThrowawayAsync("twinbench");
            connection = server.ConnectionString;
            Console.WriteLine($"throwaway PostgreSQL {server.MajorVersion} up in {up.Elapsed.TotalSeconds:F1} s (durable: {server.Durable})");
        }
        var store = DocumentStore.For(opts => TwinStore.Configure(opts, connection, o.Schema, new HistoryOptions { WindowSize = o.WindowSize }));
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var existing = (await store.Advanced.FetchEventStoreStatistics()).EventCount;
        if (existing < o.Events)
        {
            if (existing > 0) await store.Advanced.Clean.CompletelyRemoveAllAsync();
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            var generate = Stopwatch.StartNew();
            var log = Generate(o);
            Console.WriteLine($"generated {log.Count:N0} events with the in-memory twin in {generate.Elapsed.TotalSeconds:F1} s");
            var append = Stopwatch.StartNew();
            // per-stream order only (a session numbers events stream by stream): fine for these benchmarks, and fast
            await EventLogWriter.AppendAsync(store, log, batchSize: 10_000, preserveOrder: false, refreshSnapshots: false);
            Console.WriteLine($"appended to Marten (raw events, snapshots refolded afterwards) in {append.Elapsed.TotalSeconds:F1} s = {log.Count / append.Elapsed.TotalSeconds:N0} events/s");
        }
        else Console.WriteLine($"reusing {existing:N0} events in schema {o.Schema}");
        await using var session = store.QuerySession();
        var (first, last) = await HistoryReader.BoundsAsync(session);
        return (server, store, first!.At, last!.At);
    }

    private static List<LoggedEvent> Generate(BenchOptions o)
    {
        var twin = new InMemoryTwin();
        HostId Host(int h) => new($"host-{h:000}");
        NicId Pf(int h) => NicId.Of(Host(h), "0000:3b:00.0");
        SwitchId Ext(int h) => new($"host-{h:000}/ext");
        var vms = o.Hosts * o.VmsPerHost;
        VmId Vm(int n) => new($"vm-{n:00000}");
        var topology = new Topology(
            Enumerable.Range(1, o.Hosts).Select(h => new HostSpec(Host(h), Platform.HyperV, "Windows Server 2022", 64, 1024 * 1024, $"cluster-{h % 4}")).ToValueList(),
            Enumerable.Range(1, o.Hosts).Select(h => new NicSpec(Pf(h), Host(h), "0000:3b:00.0", "Intel E810", NicVendor.Intel, 25_000, 0, 256, true, o.Vfs)).ToValueList(),
            Enumerable.Range(1, o.Hosts).Select(h => new SwitchSpec(Ext(h), Host(h), "ext", SwitchKind.External, Pf(h), true)).ToValueList(),
            Enumerable.Range(1, vms).Select(n => new VmSpec(Vm(n), Host((n - 1) % o.Hosts + 1), "Windows Server 2022", 4, 8192, false,
                [new VnicSpec("net0", Ext((n - 1) % o.Hosts + 1), 1 + n % 100)])).ToValueList(),
            [], []);
        twin.Apply(topology, new OperationId("setup"), T0);
        var random = new Random(o.Seed);
        var at = T0;
        for (var step = 1; twin.Log.Count < o.Events; step++)
        {
            at = at.AddSeconds(1);
            var vm = Vm(random.Next(1, vms + 1));
            var state = twin.Vm(vm)!;
            var roll = random.Next(100);
            try
            {
                twin.Run(new OperationId($"op-{step}"), at, port => roll switch
                {
                    _ when state.Status == VmStatus.Off => VmSagas.Start(port, vm),
                    < 55 => VmSagas.Stop(port, vm),
                    < 80 => VmSagas.SetIovWeight(port, vm, "net0", random.Next(0, 101)),
                    < 98 => MigrationSaga.Migrate(port, vm, Host(random.Next(1, o.Hosts + 1)) is var d && d != state.Host ? d : Host(state.Host == Host(1) ? 2 : 1)),
                    _ => Configure(port, Pf(random.Next(1, o.Hosts + 1)), random.Next(o.Vfs / 2, o.Vfs * 2)),
                });
            }
            catch (DomainRuleViolated)
            {
                // a refused step is part of history too
            }
        }
        return [.. twin.Log.Select(e => new LoggedEvent(e.Stream, e.Version, e.Event, e.Operation.Value, "bench"))];
    }

    private static async ValueTask<SagaOutcome> Configure(ITwinPort port, NicId nic, int vfs)
    {
        await PfSagas.Configure(port, new NicCommand.SetVfCount(nic, vfs, port.Operation, port.Now));
        return SagaOutcome.Done("configured", port.Operation);
    }

    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
}
