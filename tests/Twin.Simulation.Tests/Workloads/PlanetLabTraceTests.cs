using Twin.Simulation.Engine;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.Tests.Workloads;

public sealed class PlanetLabTraceTests
{
    [Fact]
    public void Reads_a_day_of_288_samples_as_merged_five_minute_segments()
    {
        (string File, int Segments, int SumOfSamples)[] expected =
        [
            ("146-179_surfsnel_dsl_internl_net_colostate_557", 272, 7484),
            ("pl1_planetlab_uvic_ca_tum_i2p", 212, 838),
            ("planetlab-01_vt_nodes_planet-lab_org_uw_oneswarm", 260, 3603),
            ("planetlab1_cse_msu_edu_nyu_d", 200, 690),
            ("vn5_cse_wustl_edu_princeton_codeen", 266, 3841),
        ];
        var day = SimTime.Zero + SimDuration.FromDays(2);

        foreach (var (file, segmentCount, sumOfSamples) in expected)
        {
            using var text = SampleTraces.OpenText($"planetlab-cloudsim/20110303/{file}");
            var rows = PlanetLabTrace.ReadSegments(text, file, file, day);
            var segments = rows.ToList();

            Assert.Equal(288, rows.Statistics.RowsRead);
            Assert.Empty(rows.Statistics.Notes);
            Assert.Equal(segmentCount, segments.Count);
            Assert.Equal(day, segments[0].Start);
            Assert.Equal(day + SimDuration.FromDays(1), segments[^1].End);
            Assert.All(segments.Zip(segments.Skip(1)), pair => Assert.Equal(pair.First.End, pair.Second.Start));
            Assert.Equal(sumOfSamples, segments.Sum(s => s.Value * (s.Duration.Microseconds / PlanetLabTrace.Interval.Microseconds)), 9);
        }
    }

    [Fact]
    public void A_bad_sample_names_its_line_and_skipping_keeps_later_samples_in_their_slots()
    {
        const string Samples = "10\n10\nhigh\n20\n";

        var error = Assert.Throws<TraceFormatException>(() => PlanetLabTrace.ReadSegments(new StringReader(Samples), "node", "node", SimTime.Zero).ToList());
        var rows = PlanetLabTrace.ReadSegments(new StringReader(Samples), "node", "node", SimTime.Zero, new TraceReadOptions { SkipBadRows = true });
        var segments = rows.ToList();

        Assert.Equal("node line 3, field cpu: 'high' is not an integer", error.Message);
        Assert.Equal(1, rows.Statistics.BadRows);
        Assert.Equal(["4 samples instead of 288"], rows.Statistics.Notes);
        Assert.Equal([(0L, 600L, 10.0), (900L, 1200L, 20.0)], segments.Select(s => ((long)s.Start.TotalSeconds, (long)s.End.TotalSeconds, s.Value)));
    }
}
