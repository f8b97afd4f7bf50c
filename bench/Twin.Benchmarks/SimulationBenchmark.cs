using System.Diagnostics;
using System.Globalization;
using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;
using Twin.Simulation.Model;
using Twin.Simulation.Workloads;

namespace Twin.Benchmarks;

/// <summary>
/// The full simulation model (placement + VF accounting + throughput): events/s at 10,000 hosts; the CloudSim Plus
/// comparison (50,000 hosts, 100,000 VMs, 4 simulated months); and an Azure-2019-scale lifecycle (2.7 M VMs, 5.4 M
/// events) read from a vmtable CSV through the trace reader, parsing included. Prints wall time, events/s and bytes
/// allocated per event.
/// </summary>
internal static class SimulationBenchmark
{
    public static int Run(string[] args)
    {
        var options = new BenchmarkArguments(args);
        var seed = (ulong)options.Long("seed", 42);
        Console.WriteLine($"simulate: full model (placement + VF accounting + throughput), seed {seed}");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average at start: {EventLoopBenchmark.LoadAverage()}");
        Console.WriteLine();

        var cases = options.Text("cases", "steady,cloudsim,azure").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var runs = (int)options.Long("runs", 1);
        // 1: events are put in order on a second thread while the model runs them (same results)
        s_orderThread = options.Long("order-thread", 0) != 0;
        s_repeat = (int)options.Long("repeat", 1);
        for (var run = 0; run < runs; run++)
        {
            if (runs > 1) Console.WriteLine($"run {run + 1} of {runs}, load average {EventLoopBenchmark.LoadAverage()}");
            if (cases.Contains("steady")) Steady(hosts: (int)options.Long("hosts", 10_000), vms: (int)options.Long("vms", 2_000_000), seed, perHost: (int)options.Long("per-host", 40),
                scope: options.Text("scope", "global"), apart: (int)options.Long("apart", -1));
            if (cases.Contains("cloudsim")) CloudSimComparison(seed);
            if (cases.Contains("azure")) AzureScale(vms: (int)options.Long("azure-vms", 2_700_000), seed, readAhead: options.Long("read-ahead", 1) != 0);
            if (cases.Contains("parse")) ParseOnly(vms: (int)options.Long("azure-vms", 2_700_000));
        }
        Console.WriteLine($"load average at end: {EventLoopBenchmark.LoadAverage()}");
        return 0;
    }

    /// <summary>A datacenter of <paramref name="hosts"/> hosts (a third each Hyper-V, vSphere, KVM) with one 25 GbE PF
    /// of <paramref name="vfs"/> VFs behind an IOV switch, in clusters of 100.</summary>
    internal static Topology Datacenter(int hosts, int vfs = 64, int cores = 64)
    {
        var hostSpecs = new HostSpec[hosts];
        var nics = new NicSpec[hosts];
        var switches = new SwitchSpec[hosts];
        for (var i = 0; i < hosts; i++)
        {
            var platform = (Platform)(i % 3);
            var os = platform switch { Platform.HyperV => "Windows Server 2022", Platform.VSphere => "ESXi 8.0u3", _ => "libvirt 9.0" };
            var id = new HostId($"host-{i:00000}");
            var nic = NicId.Of(id, "0000:3b:00.0");
            hostSpecs[i] = new HostSpec(id, platform, os, cores, 512L * 1024, $"cluster-{i / 100:000}");
            nics[i] = new NicSpec(nic, id, "0000:3b:00.0", "Intel E810", NicVendor.Intel, 25_000, 0, 128, true, vfs);
            switches[i] = new SwitchSpec(new SwitchId($"{id}/ext"), id, "ext", SwitchKind.External, nic, true);
        }
        return new Topology(hostSpecs, nics, switches, [], [], []);
    }

    /// <summary>VMs arriving at a constant rate, each living <paramref name="meanHours"/> on average; pre-generated
    /// so the timed region is the model alone.</summary>
    private static SimVm[] Arrivals(int count, double perHour, double meanHours, ulong seed)
    {
        var rng = Pcg32.ForReplication(seed, 0, 3);
        var vms = new SimVm[count];
        var t = 0.0;
        for (var i = 0; i < count; i++)
        {
            t += Exponential.Sample(rng, perHour);
            var life = Exponential.Sample(rng, 1 / meanHours);
            var wants = rng.NextDouble() < 0.6;
            vms[i] = new SimVm($"vm-{i}", SimTime.FromHours(t), SimTime.FromHours(t + life), 1 + rng.NextInt(4), 4, 1 + rng.NextInt(2),
                wants ? 1 + rng.NextInt(100) : 0, Exponential.Sample(rng, 1.0), 150_000);
        }
        return vms;
    }

    private static void Steady(int hosts, int vms, ulong seed, int perHost, string scope, int apart)
    {
        // about perHost VMs per host at equilibrium (so about perHost × hosts departures pending): arrival rate × mean
        // lifetime = perHost × hosts
        const double meanHours = 100;
        var perHour = (double)perHost * hosts / meanHours;
        var workload = Arrivals(vms, perHour, meanHours, seed);
        var topology = Datacenter(hosts);
        if (scope == "cluster")
        {
            // each VM asks for a cluster (drawn from its own stream, uniformly: the clusters are the same size), as
            // vSphere, Hyper-V failover clusters and OpenStack cells place VMs: the rest of the workload is unchanged
            var clusters = topology.Hosts.Select(h => h.Cluster).Distinct().ToArray();
            var rng = Pcg32.ForReplication(seed, 0, 4);
            for (var i = 0; i < workload.Length; i++) workload[i] = workload[i] with { Cluster = clusters[rng.NextInt(clusters.Length)] };
        }
        else if (scope != "global") throw new ArgumentException($"--scope is global or cluster, not '{scope}'");
        var horizon = SimDuration.FromHours(workload[^1].Arrival.TotalHours + 1);
        var options = new SimulationOptions
        {
            Topology = topology, Horizon = horizon, Placement = PlacementPolicy.SriovAware, ExpectedLiveVms = (perHost + 5) * hosts,
            OrderOnSecondThread = s_orderThread, ClusterParallelism = apart,
        };
        // warm-up: the model's methods go through the JIT's tiers (tier 0, instrumented, optimised) on a background
        // thread; three short runs with pauses let that finish, so the timed run measures the optimised code
        for (var w = 0; w < 3; w++)
        {
            new SimulationModel(options with { Horizon = SimDuration.FromHours(10) }).Run(workload.AsSpan(0, Math.Min(workload.Length, 100_000)).ToArray());
            Thread.Sleep(150);
        }
        // --repeat N: the same workload N times, each on a new model (for a profiler: the timed part then dominates)
        for (var rep = 0; rep < s_repeat; rep++)
        {
            var build = Stopwatch.StartNew();
            var model = new SimulationModel(options);
            build.Stop();
            var (result, seconds, bytes) = Timed(() => model.Run(workload, seed));
            var how = apart < 0 ? Threads : $"clusters apart on {(apart == 0 ? Environment.ProcessorCount : apart)} thread(s)";
            var placement = scope == "cluster" ? "each VM placed in its cluster" : "each VM placed on any host";
            Print($"steady state, {hosts:N0} hosts, {vms:N0} VMs arriving, ~{perHost} VMs/host, {placement}, {how} (model built in {build.Elapsed.TotalSeconds:N2} s, outside the timing)", result, seconds, bytes);
        }
    }

    private static void CloudSimComparison(ulong seed)
    {
        // CloudSim Plus reports 50,000 hosts and 100,000 VMs over 3.86 simulated months in 6.38 minutes
        const int hosts = 50_000, vms = 100_000;
        var months = TimeSpan.FromDays(4 * 30.4);
        var workload = Arrivals(vms, vms / months.TotalHours, months.TotalHours / 2, seed);
        var options = new SimulationOptions
        {
            Topology = Datacenter(hosts), Horizon = SimDuration.FromHours(months.TotalHours), Placement = PlacementPolicy.SriovAware,
            OrderOnSecondThread = s_orderThread,
        };
        var (result, seconds, bytes) = Timed(() => new SimulationModel(options).Run(workload, seed));
        Print($"CloudSim Plus comparison: {hosts:N0} hosts, {vms:N0} VMs, 4 simulated months, {Threads} (model built inside the timing)", result, seconds, bytes);
    }

    private static void AzureScale(int vms, ulong seed, bool readAhead)
    {
        // the Azure 2019 trace's shape: lifetimes, cores and memory from its published distribution tables, written as
        // a V1-style vmtable CSV (the full trace is not obtainable here), then read back through the trace reader
        var root = RepoRoot();
        var tables = Path.Combine(root, "samples", "traces", "azure-v2-2019-distributions");
        using var lifetimeFile = File.OpenText(Path.Combine(tables, "lifetime.txt"));
        var lifetime = DistributionTable.Read(lifetimeFile, "lifetime.txt").ToEmpiricalCdf();
        var csv = Path.Combine(Path.GetTempPath(), $"twin-bench-vmtable-{vms}.csv");
        if (!File.Exists(csv))
        {
            var rng = Pcg32.ForReplication(seed, 0, 5);
            using var w = new StreamWriter(csv);
            var horizonSeconds = 30 * 86_400.0;
            var t = 0.0;
            for (var i = 0; i < vms; i++)
            {
                t += Exponential.Sample(rng, vms / horizonSeconds);
                var life = lifetime.Sample(rng) * 3600;
                var cores = new[] { 1, 2, 2, 4, 4, 8, 16 }[rng.NextInt(7)];
                w.Write(string.Create(CultureInfo.InvariantCulture,
                    $"vm{i},sub{i % 1000},dep{i % 5000},{(long)t},{(long)(t + life)},90.1,10.2,50.3,Delay-insensitive,{cores},{cores * 4}\n"));
            }
        }
        var topology = Datacenter(20_000, vfs: 64, cores: 96);
        var options = new SimulationOptions { Topology = topology, Horizon = SimDuration.FromDays(40), Placement = PlacementPolicy.SriovAware };
        var (result, seconds, bytes) = Timed(() =>
        {
            using var file = File.OpenRead(csv);
            var rows = AzureVmTable.Read(file, Path.GetFileName(csv));
            var workload = SimWorkloads.FromTrace(rows, new NetworkProfile(), seed, 0);
            // the trace parsed (and its network attributes drawn) on a second thread while the model runs: same VMs, same order
            return new SimulationModel(options).Run(readAhead ? ReadAhead.Of(workload) : workload, seed);
        });
        Print($"Azure-2019-scale lifecycle: {vms:N0} VMs from a {new FileInfo(csv).Length / 1e6:N0} MB vmtable CSV, parsing included{(readAhead ? ", read ahead on a second thread" : "")}, 20,000 hosts", result, seconds, bytes);
    }

    /// <summary>The Azure-scale CSV read to the end through the trace reader, without simulating (run "azure" first:
    /// it writes the file).</summary>
    private static void ParseOnly(int vms)
    {
        var csv = Path.Combine(Path.GetTempPath(), $"twin-bench-vmtable-{vms}.csv");
        GC.Collect();
        var sw = Stopwatch.StartNew();
        using var file = File.OpenRead(csv);
        var rows = 0L;
        var cores = 0.0;
        foreach (var vm in AzureVmTable.Read(file, Path.GetFileName(csv)))
        {
            rows++;
            cores += vm.Cores;
        }
        sw.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parse only: {rows:N0} rows ({cores:N0} cores) in {sw.Elapsed.TotalSeconds:N2} s"));
        Console.WriteLine();
    }

    private static bool s_orderThread;
    private static int s_repeat = 1;

    private static string Threads => s_orderThread ? "events ordered on a second thread" : "one thread";

    private static (RunResult Result, double Seconds, long Bytes) Timed(Func<RunResult> run)
    {
        GC.Collect();
        var collections = GC.CollectionCount(0);
        var full = GC.CollectionCount(2);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = run();
        sw.Stop();
        process.Refresh();
        s_lastCpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        s_lastCollections = GC.CollectionCount(0) - collections;
        s_lastFull = GC.CollectionCount(2) - full;
        return (result, sw.Elapsed.TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    // CPU time of the whole process over the last timed region (all threads, the GC's included): on a shared machine
    // the wall time also counts the time other processes held the cores, this does not
    private static double s_lastCpuSeconds;
    private static int s_lastCollections, s_lastFull;

    private static void Print(string what, RunResult r, double seconds, long bytes)
    {
        Console.WriteLine(what);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {r.Events:N0} events in {seconds:N2} s = {r.Events / seconds:N0} events/s; {bytes / (double)r.Events:N1} bytes allocated per event (whole run); load average {EventLoopBenchmark.LoadAverage()}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  process CPU time {s_lastCpuSeconds:N2} s = {r.Events / s_lastCpuSeconds:N0} events per CPU-second; {s_lastCollections} garbage collections during the run ({s_lastFull} of them full)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {r.VmsStarted:N0} started, {r.FailedStarts:N0} failed starts, {r.VnicsFellBack:N0} vNICs fell back, {r.Nics.Count(n => n.FirstExhaustionHours is not null):N0} PFs exhausted at some point"));
        // a fingerprint of the results, to check that a faster model computes the same figures
        var t = r.Throughput;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  check: delivered {t.DeliveredGbps:R} offered {t.OfferedGbps:R} latency {t.MeanLatencyUs:R} cpu {t.NetworkCpuCores:R} vf-vnic-h {t.VnicHoursOnVf:R} waiting-h {t.VnicHoursSyntheticWanted:R} all-syn {t.AllSyntheticGbps:R} all-syn-lat {t.AllSyntheticMeanLatencyUs:R}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  check: allocated-mean {r.Nics.Sum(n => n.MeanAllocated):R} series {r.Nics.Sum(n => n.AllocatedMeanSeries.Sum()):R} peaks {r.Nics.Sum(n => (long)n.AllocatedPeakSeries.Sum()):R} granted {r.Nics.Sum(n => n.Granted)} released {r.Nics.Sum(n => n.Released)} exhausted-h {r.Nics.Sum(n => n.HoursExhausted):R} placed-hash {r.Hosts.Select((h, i) => h.VmsPlaced * (i + 1)).Sum()}"));
        Console.WriteLine();
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Twin.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository (Twin.sln not found above " + AppContext.BaseDirectory + ")");
    }
}
