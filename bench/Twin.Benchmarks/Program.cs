using Twin.Benchmarks;

// One verb per benchmark; each lives in its own file.
var verbs = new Dictionary<string, (string Help, Func<string[], Task<int>> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["eventloop"] = ("hold-model throughput of the future-event list (options: --pending 1000,100000,1000000 --runs 5 --events N --seed S)", a => Task.FromResult(EventLoopBenchmark.Run(a))),
    ["grains"] = ("VF assigns end to end through the live twin at 1/16/64 concurrent callers (options: --pfs 64 --ops 2000 --callers 1,16,64 --durable 0|1)", a => Task.FromResult(GrainsBenchmark.Run(a))),
    ["simulate"] = ("the full model at 10k hosts, the CloudSim Plus comparison and an Azure-2019-scale lifecycle (options: --hosts N --vms N --per-host N (VMs alive per host, default 40) --azure-vms N --seed S)", a => Task.FromResult(SimulationBenchmark.Run(a))),
    ["rebuild"] = ("rebuild every projection from scratch over a generated history; prints events/s", RebuildBenchmark.RunAsync),
    ["timetravel"] = ("state of the whole datacenter at random moments of a generated history; prints the latencies", TimeTravelBenchmark.RunAsync),
};

if (args.Length == 0 || !verbs.TryGetValue(args[0], out var verb))
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Twin.Benchmarks -- VERB [options]");
    foreach (var (name, (help, _)) in verbs) Console.Error.WriteLine($"  {name,-12} {help}");
    return args.Length == 0 ? 0 : 2;
}
return await verb.Run(args[1..]);
