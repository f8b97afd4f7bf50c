using Twin.Simulation.Engine.Randomness;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.Tests.Workloads;

public sealed class DistributionTableTests
{
    private static DistributionTable Read(string name)
    {
        using var text = SampleTraces.OpenText($"azure-v2-2019-distributions/{name}");
        return DistributionTable.Read(text, name);
    }

    [Fact]
    public void Reads_the_lifetime_cdf_in_hours_and_percent()
    {
        var table = Read("lifetime.txt");

        Assert.Equal(["bucket", "value"], table.Columns);
        Assert.Equal(1000, table.Rows.Count);
        Assert.Equal(("0.1", 20.9), (table.Rows[0].Key, table.Rows[0].Values[0]));
        Assert.Equal(("100", 91.8), (table.Rows[^1].Key, table.Rows[^1].Values[0]));
        Assert.Equal(1001, table.Rows[^1].Line);
    }

    [Fact]
    public void Sampling_the_lifetime_table_puts_63_6_percent_under_one_hour()
    {
        var lifetime = Read("lifetime.txt").ToEmpiricalCdf(lowerBound: 0, upperBound: 720);
        var random = Pcg32.ForReplication(2019, 0);
        const int Draws = 200_000;

        var hours = Enumerable.Range(0, Draws).Select(_ => lifetime.Sample(random)).ToArray();

        Assert.Equal(0.636, lifetime.Cdf(1.0), 12);
        // standard error sqrt(0.636 * 0.364 / 200000) = 0.0011
        Assert.InRange(hours.Count(h => h < 1) / (double)Draws, 0.630, 0.642);
        Assert.InRange(hours.Count(h => h < 0.1) / (double)Draws, 0.203, 0.215);
        Assert.InRange(hours.Count(h => h > 100) / (double)Draws, 0.076, 0.088);
        Assert.All(hours, h => Assert.InRange(h, 0, 720));
    }

    [Fact]
    public void Reads_core_memory_and_category_mixes_as_weights()
    {
        var cores = Read("cores.txt").ToNumericWeightedChoice();
        var memory = Read("memory.txt").ToNumericWeightedChoice();
        var category = Read("category.txt").ToWeightedChoice();

        Assert.Equal([2.0, 4, 8, 12, 24, 30], cores.Items);
        Assert.Equal(100.0, cores.TotalWeight, 9);
        Assert.Equal(0.582, cores.Probability(0), 9);
        Assert.Equal([2.0, 4, 8, 32, 64, 70], memory.Items);
        Assert.Equal(["Delay-insensitive", "Interactive", "Unknown"], category.Items);
        Assert.Equal(0.43, category.Probability(1), 9);
    }

    [Fact]
    public void Reads_the_deployment_size_cdf_as_a_discrete_distribution_with_its_tail_spread()
    {
        var sizes = Read("deployment.txt").ToDiscreteCdf(maxKey: 100);

        Assert.Equal(100, sizes.Items.Count);
        Assert.Equal(0.47021, sizes.Probability(0), 9);
        Assert.Equal(0.62791 - 0.47021, sizes.Probability(1), 9);
        Assert.Equal((1 - 0.97378) / 50, sizes.Probability(99), 9);
    }

    [Fact]
    public void Reads_the_cpu_table_as_two_cdfs_over_percent()
    {
        var table = Read("cpu.txt");
        var average = table.ToEmpiricalCdf(table.ValueColumn("avg"), lowerBound: 0, upperBound: 100);
        var p95 = table.ToEmpiricalCdf(table.ValueColumn("p95"), lowerBound: 0, upperBound: 100);

        Assert.Equal(101, table.Rows.Count);
        Assert.Equal(0.93514, average.Cdf(50), 9);
        Assert.Equal(0.53554, p95.Cdf(50), 9);
        Assert.True(average.Mean < p95.Mean);
    }

    [Fact]
    public void The_published_cores_file_fails_at_line_7_where_a_second_table_is_glued_on()
    {
        using var text = SampleTraces.OpenText("azure-v2-2019-distributions/as-published/cores.txt");

        var error = Assert.Throws<TraceFormatException>(() => DistributionTable.Read(text, "cores.txt"));

        Assert.Equal("cores.txt line 7: expected 2 tab-separated fields, found 3", error.Message);
    }

    [Fact]
    public void Skipping_bad_rows_counts_them_but_cannot_tell_the_glued_second_table_apart()
    {
        using var text = SampleTraces.OpenText("azure-v2-2019-distributions/as-published/cores.txt");

        var table = DistributionTable.Read(text, "cores.txt", new TraceReadOptions { SkipBadRows = true });

        Assert.Equal(10, table.Rows.Count);
        Assert.Equal(1, table.Statistics.BadRows);
        Assert.Equal(7, table.Statistics.Problems[0].Line);
        Assert.Equal("2-4", table.Rows[5].Key);
    }
}
