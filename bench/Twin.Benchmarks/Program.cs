using Twin.Benchmarks;

var verbs = new Dictionary<string, (string Help, Func<string[], int> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["eventloop"] = ("hold-model throughput of the future-event list (options: --pending 1000,100000,1000000 --runs 5 --events N --seed S)", EventLoopBenchmark.Run),
    ["grains"] = ("VF assigns end to end through the live twin at 1/16/64 concurrent callers (options: --pfs 64 --ops 2000 --callers 1,16,64 --durable 0|1)", GrainsBenchmark.Run),
    ["simulate"] = ("the full model at 10k hosts, the CloudSim Plus comparison and an Azure-2019-scale lifecycle (options: --hosts N --vms N --azure-vms N --seed S)", SimulationBenchmark.Run),
};

if (args.Length == 0 || !verbs.TryGetValue(args[0], out var verb))
{
    Console.Error.WriteLine("usage: Twin.Benchmarks <verb> [options]");
    foreach (var (name, (help, _)) in verbs)
    {
        Console.Error.WriteLine($"  {name,-12} {help}");
    }

    return args.Length == 0 ? 0 : 2;
}

return verb.Run(args[1..]);
