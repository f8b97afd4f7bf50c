using Twin.Simulation.Engine;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.Tests.Workloads;

public sealed class AzureCpuReadingsTests
{
    [Fact]
    public void Turns_the_hundred_sample_readings_into_one_five_minute_segment_per_VM()
    {
        var rows = AzureCpuReadings.ReadSegments(SampleTraces.Open("azure-v1-opendc-sample/vm_cpu_readings-file-1-of-125.csv.gz"), "vm_cpu_readings-file-1-of-125.csv.gz");

        var segments = rows.ToList();

        Assert.Equal(100, rows.Statistics.RowsRead);
        Assert.Equal(100, segments.Count);
        Assert.Equal(100, segments.Select(s => s.SeriesId).Distinct().Count());
        Assert.All(segments, s => Assert.Equal((SimTime.Zero, SimTime.FromSeconds(300), UtilizationMetric.CpuPercent), (s.Start, s.End, s.Metric)));
        var first = segments.Single(s => s.SeriesId.StartsWith("+ZcrOp5/", StringComparison.Ordinal));
        Assert.Equal(2.86979, first.Value);
    }

    [Fact]
    public void Merges_equal_readings_closes_on_a_change_and_leaves_a_gap_for_a_missing_reading()
    {
        const string Readings = """
            0,vmA,1,9,5
            0,vmB,1,9,7
            300,vmA,1,9,5
            300,vmB,1,9,8
            600,vmA,1,9,6
            1500,vmA,1,9,6
            """;

        var segments = AzureCpuReadings.ReadSegments(new StringReader(Readings), "readings.csv").ToList();

        Assert.Equal(
            [
                ("vmB", 0L, 300L, 7.0),
                ("vmA", 0L, 600L, 5.0),
                ("vmA", 600L, 900L, 6.0),
                ("vmB", 300L, 600L, 8.0),
                ("vmA", 1500L, 1800L, 6.0),
            ],
            segments.Select(s => (s.SeriesId, (long)s.Start.TotalSeconds, (long)s.End.TotalSeconds, s.Value)));
    }

    [Fact]
    public void Can_take_the_maximum_instead_of_the_average()
    {
        var segments = AzureCpuReadings.ReadSegments(new StringReader("0,vmA,1,9,5"), "r.csv", new AzureCpuReadingsOptions { Statistic = AzureCpuStatistic.Maximum }).ToList();

        Assert.Equal(9.0, Assert.Single(segments).Value);
    }

    [Fact]
    public void A_reading_that_goes_back_in_time_is_a_bad_row()
    {
        var error = Assert.Throws<TraceFormatException>(() => AzureCpuReadings.ReadSegments(new StringReader("300,vmA,1,9,5\n0,vmA,1,9,5"), "r.csv").ToList());

        Assert.Equal("r.csv line 2, field timestamp: '0' is not after this VM's previous reading (300 s)", error.Message);
    }
}
