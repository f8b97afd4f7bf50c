using Twin.Simulation.Engine;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.Tests.Workloads;

public sealed class GoogleClusterTraceTests
{
    private const string Folder = "google-2011-cloudsimplus-samples";

    [Fact]
    public void Reads_machine_events_after_the_hash_header()
    {
        using var text = SampleTraces.OpenText($"{Folder}/machine-events-sample-1.csv");
        var rows = GoogleClusterTrace.ReadMachineEvents(text, "machine-events-sample-1.csv");

        var events = rows.ToList();

        Assert.Equal(8, events.Count);
        Assert.Equal(9, rows.Statistics.LinesRead);
        Assert.Equal(new GoogleMachineEvent(SimTime.FromMicroseconds(30_000), 30, GoogleMachineEventType.Remove, "LGzk1Or/8Ildj2+Lqv0U82NLoni8+J/Yy0U=", 0.5, 0.2493), events[6]);
        Assert.Equal(7, events.Count(e => e.Type == GoogleMachineEventType.Add));
    }

    [Fact]
    public void Turns_task_events_into_one_lifecycle_per_run()
    {
        using var text = SampleTraces.OpenText($"{Folder}/task-events-sample-1.csv");
        var rows = GoogleClusterTrace.ReadTaskLifecycles(text, "task-events-sample-1.csv", new GoogleClusterTraceOptions { MachineCores = 32, MachineMemoryGiB = 128 });

        var runs = rows.ToList();

        Assert.Equal(32, rows.Statistics.RowsRead);
        Assert.Equal(
            [
                ("2/2", 16L, 21L, "fail"),
                ("2/0", 12L, 30L, "evict"),
                ("1/0", 10L, 50L, "finish"),
                ("1/1", 10L, 50L, "finish"),
                ("2/0#2", 42L, 60L, "finish"),
                ("2/1", 14L, 65L, "finish"),
                ("3/0", 25L, 70L, "finish"),
                ("4/0", 25L, 70L, "finish"),
                ("4/1", 25L, 80L, "finish"),
                ("4/2", 30L, 90L, "finish"),
                ("4/3", 10L, 90L, "finish"),
            ],
            runs.Select(r => (r.Id, (long)r.Created.TotalSeconds, (long)r.Deleted!.Value.TotalSeconds, r.EndReason!)));
        var first = runs.Single(r => r.Id == "1/0");
        Assert.Equal(0.125 * 32, first.Cores);
        Assert.Equal(0.09082 * 128, first.MemoryGiB, 9);
        Assert.Equal("scheduling class 3", first.Category);
    }

    [Fact]
    public void A_task_still_running_at_the_end_has_no_deletion_time()
    {
        const string Events = "5000000,,7,0,,1,user,0,9,0.5,0.25,0.1,0\n";

        var run = Assert.Single(GoogleClusterTrace.ReadTaskLifecycles(new StringReader(Events), "e.csv"));

        Assert.Equal(("7/0", SimTime.FromSeconds(5), 0.5), (run.Id, run.Created, run.Cores));
        Assert.Null(run.Deleted);
    }

    [Fact]
    public void Reads_task_usage_rows_as_cpu_and_memory_segments()
    {
        using var text = SampleTraces.OpenText($"{Folder}/task-usage-sample-1.csv");
        var rows = GoogleClusterTrace.ReadTaskUsage(text, "task-usage-sample-1.csv");

        var segments = rows.ToList();

        Assert.Equal(11, rows.Statistics.RowsRead);
        Assert.Equal(22, segments.Count);
        Assert.Equal(new UtilizationSegment("2/0", UtilizationMetric.CpuUsageNormalized, SimTime.FromSeconds(12), SimTime.FromSeconds(30), 0.3), segments[6]);
        Assert.Equal(new UtilizationSegment("2/0", UtilizationMetric.MemoryUsageNormalized, SimTime.FromSeconds(12), SimTime.FromSeconds(30), 0.60), segments[7]);
    }

    [Fact]
    public void An_unknown_event_type_names_the_line()
    {
        var error = Assert.Throws<TraceFormatException>(() =>
            GoogleClusterTrace.ReadTaskLifecycles(new StringReader("#header\n0,,1,0,0,9,u,3,9,0.1,0.1,0.1,0\n"), "task_events.csv").ToList());

        Assert.Equal("task_events.csv line 2, field event type: '9' is not a task event type (0-8)", error.Message);
    }
}
