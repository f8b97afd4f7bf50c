using Twin.Benchmarks;

// One verb per benchmark; each lives in its own file.
var verbs = new Dictionary<string, (string Help, Func<string[], Task<int>> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["rebuild"] = ("rebuild every projection from scratch over a generated history; prints events/s", RebuildBenchmark.RunAsync),
    ["timetravel"] = ("state of the whole datacenter at random moments of a generated history; prints the latencies", TimeTravelBenchmark.RunAsync),
};

if (args.Length == 0 || !verbs.TryGetValue(args[0], out var verb))
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Twin.Benchmarks -- VERB [options]");
    foreach (var (name, (help, _)) in verbs) Console.Error.WriteLine($"  {name,-12} {help}");
    return 2;
}
return await verb.Run(args[1..]);
