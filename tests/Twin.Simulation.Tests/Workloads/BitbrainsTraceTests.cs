using Twin.Simulation.Engine;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.Tests.Workloads;

public sealed class BitbrainsTraceTests
{
    private const string Sample = "bitbrains-opendc/bitbrains-one-vm-fastStorage-format.csv";

    [Fact]
    public void Reads_all_8619_samples_into_cpu_and_network_segments()
    {
        using var text = SampleTraces.OpenText(Sample);
        var rows = BitbrainsTrace.ReadSegments(text, "bitbrains.csv", vmId: "bitbrains-1");

        var segments = rows.ToList();

        Assert.Equal(8_619, rows.Statistics.RowsRead);
        Assert.Equal(8_620, rows.Statistics.LinesRead);
        var byMetric = segments.GroupBy(s => s.Metric).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(6_276, byMetric[UtilizationMetric.CpuPercent].Count);
        Assert.Equal(3_424, byMetric[UtilizationMetric.NetworkReceivedKBps].Count);
        Assert.Equal(2_428, byMetric[UtilizationMetric.NetworkTransmittedKBps].Count);
        Assert.All(byMetric.Values, series => Assert.Equal(2_592_252L, (long)series.Sum(s => s.Duration.TotalSeconds)));
        Assert.Equal((SimTime.Zero, SimTime.FromSeconds(600), 0.7333333333333333), (byMetric[UtilizationMetric.CpuPercent][0].Start, byMetric[UtilizationMetric.CpuPercent][0].End, byMetric[UtilizationMetric.CpuPercent][0].Value));
        Assert.All(segments, s => Assert.Equal("bitbrains-1", s.SeriesId));
    }

    [Fact]
    public void Each_series_is_contiguous_and_in_time_order()
    {
        using var text = SampleTraces.OpenText(Sample);

        var received = BitbrainsTrace.ReadSegments(text, "bitbrains.csv", "1").Where(s => s.Metric == UtilizationMetric.NetworkReceivedKBps).ToList();

        Assert.All(received.Zip(received.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start));
        Assert.All(received.Zip(received.Skip(1)), pair => Assert.NotEqual(pair.First.Value, pair.Second.Value));
    }

    [Fact]
    public void A_bad_value_names_the_line_and_the_column()
    {
        using var text = SampleTraces.OpenText(Sample);
        var lines = text.ReadToEnd().Split('\n');
        lines[17] = lines[17].Replace(";\t0.0;\t0.0", ";\tn/a;\t0.0", StringComparison.Ordinal);

        var error = Assert.Throws<TraceFormatException>(() => BitbrainsTrace.ReadSegments(new StringReader(string.Join('\n', lines)), "bitbrains.csv", "1").ToList());

        Assert.Equal("bitbrains.csv line 18, field Network received throughput [KB/s]: 'n/a' is not a number", error.Message);
    }
}
