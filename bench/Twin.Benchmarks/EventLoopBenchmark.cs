using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime;
using System.Runtime.CompilerServices;
using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;

namespace Twin.Benchmarks;

/// <summary>
/// The classic "hold" model: with N events pending, repeatedly dequeue the earliest and enqueue one at its time plus
/// an exponential delay (mean 1 s). Reports events/s (one event = one dequeue + one enqueue) and bytes allocated per event.
/// </summary>
internal static class EventLoopBenchmark
{
    public static int Run(string[] args)
    {
        var options = new BenchmarkArguments(args);
        var pendingSizes = options.Longs("pending", [1_000, 100_000, 1_000_000]);
        var runs = (int)options.Long("runs", 5);
        var seed = (ulong)options.Long("seed", 42);
        var fixedEvents = options.Long("events", 0);
        var lists = options.Text("list", "heap,fel").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        Console.WriteLine($"eventloop: hold model, seed {seed}, {runs} runs each, median reported");
        Console.WriteLine("list 'heap' is EventQueue<int> (the 4-ary heap); 'fel' is FutureEventList<int> (near heap + time buckets, what");
        Console.WriteLine("  the simulator's scheduler uses); --list heap|fel|heap,fel");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformationText()}, GC {(GCSettings.IsServerGC ? "server" : "workstation")}");
        Console.WriteLine($"load average at start: {LoadAverage()} (other processes share the cores: compare runs at similar load)");
        Console.WriteLine("variant 'queue' takes delays from a precomputed table of exponential samples, 4+ per pending event so the");
        Console.WriteLine("  sequence does not repeat within the population (a short, repeating table flatters large heaps);");
        Console.WriteLine("variant 'queue+pcg' draws each delay from pcg32 + DeterministicMath.Log inside the loop.");
        Console.WriteLine();
        Console.WriteLine($"{"pending",10} {"list",-5} {"variant",-10} {"events/run",12} {"median ev/s",14} {"min ev/s",14} {"max ev/s",14} {"bytes/event",12}");

        foreach (var pending in pendingSizes)
        {
            var events = fixedEvents > 0 ? fixedEvents : Math.Max(5_000_000, pending * 5);
            foreach (var list in lists)
            foreach (var drawInLoop in new[] { false, true })
            {
                var rates = new List<double>();
                long worstBytes = 0;
                // one untimed warm-up so tiering and OSR have settled before the timed runs
                Measure(list, (int)pending, Math.Min(events, 2_000_000), seed, drawInLoop);
                for (var run = 0; run < runs; run++)
                {
                    var (rate, bytes) = Measure(list, (int)pending, events, seed + (ulong)run, drawInLoop);
                    rates.Add(rate);
                    worstBytes = Math.Max(worstBytes, bytes);
                }

                rates.Sort();
                var median = rates[rates.Count / 2];
                var bytesPerEvent = worstBytes / (double)events;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{pending,10:N0} {list,-5} {(drawInLoop ? "queue+pcg" : "queue"),-10} {events,12:N0} {median,14:N0} {rates[0],14:N0} {rates[^1],14:N0} {bytesPerEvent,12:0.######}"));
            }
        }

        Console.WriteLine($"load average at end: {LoadAverage()}");
        return 0;
    }

    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string RuntimeInformationText() =>
        $"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription} {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";

    private static (double EventsPerSecond, long AllocatedBytes) Measure(string list, int pending, long events, ulong seed, bool drawInLoop) =>
        list switch
        {
            "heap" => Measure(new Heap(new EventQueue<int>(pending + 1)), pending, events, seed, drawInLoop),
            "fel" => Measure(new Fel(new FutureEventList<int>(pending + 1)), pending, events, seed, drawInLoop),
            _ => throw new ArgumentException($"--list: unknown future-event list '{list}' (heap or fel)"),
        };

    private static (double EventsPerSecond, long AllocatedBytes) Measure<TQueue>(TQueue queue, int pending, long events, ulong seed, bool drawInLoop)
        where TQueue : struct, IHoldQueue
    {
        var random = Pcg32.ForReplication(seed, 0);
        var delays = new long[Math.Max(1 << 16, (int)BitOperations.RoundUpToPowerOf2((uint)pending * 4))];
        for (var i = 0; i < delays.Length; i++)
        {
            delays[i] = SimDuration.FromSeconds(Exponential.Sample(random, 1.0)).Microseconds;
        }

        for (var i = 0; i < pending; i++)
        {
            queue.Enqueue(SimTime.FromMicroseconds(delays[i & (delays.Length - 1)]), i);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var stopwatch = Stopwatch.StartNew();
        var checksum = drawInLoop ? HoldDrawing(queue, random, events) : HoldFromTable(queue, delays, events);
        stopwatch.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(checksum);
        return (events / stopwatch.Elapsed.TotalSeconds, allocated);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long HoldFromTable<TQueue>(TQueue queue, long[] delays, long events)
        where TQueue : struct, IHoldQueue
    {
        long checksum = 0;
        var mask = delays.Length - 1;
        for (long i = 0; i < events; i++)
        {
            queue.TryDequeue(out var next);
            checksum += next.Payload;
            var delay = delays[(int)i & mask];
            queue.Enqueue(SimTime.FromMicroseconds(next.Time.Microseconds + delay), next.Payload);
        }

        return checksum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long HoldDrawing<TQueue>(TQueue queue, Pcg32 random, long events)
        where TQueue : struct, IHoldQueue
    {
        long checksum = 0;
        for (long i = 0; i < events; i++)
        {
            queue.TryDequeue(out var next);
            checksum += next.Payload;
            var delay = SimDuration.FromSeconds(Exponential.Sample(random, 1.0));
            queue.Enqueue(next.Time + delay, next.Payload);
        }

        return checksum;
    }

    /// <summary>The two future-event lists behind one face, as structs so each hold loop is compiled for its list.</summary>
    private interface IHoldQueue
    {
        void Enqueue(SimTime time, int payload);

        bool TryDequeue(out ScheduledEvent<int> next);
    }

    private readonly struct Heap(EventQueue<int> queue) : IHoldQueue
    {
        public void Enqueue(SimTime time, int payload) => queue.Enqueue(time, payload);

        public bool TryDequeue(out ScheduledEvent<int> next) => queue.TryDequeue(out next);
    }

    private readonly struct Fel(FutureEventList<int> list) : IHoldQueue
    {
        public void Enqueue(SimTime time, int payload) => list.Enqueue(time, payload);

        public bool TryDequeue(out ScheduledEvent<int> next) => list.TryDequeue(out next);
    }
}
