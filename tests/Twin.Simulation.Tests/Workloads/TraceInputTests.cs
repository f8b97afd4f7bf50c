using System.IO.Compression;
using System.Text;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.Tests.Workloads;

public sealed class TraceInputTests
{
    [Fact]
    public void Reads_plain_and_gzip_streams_alike()
    {
        var text = "a,b\r\nc\n\nlast";
        var plain = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var zipped = new MemoryStream();
        using (var gzip = new GZipStream(zipped, CompressionMode.Compress, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        zipped.Position = 0;

        Assert.Equal(["a,b", "c", "", "last"], Lines(TraceInput.OpenText(plain)));
        Assert.Equal(["a,b", "c", "", "last"], Lines(TraceInput.OpenText(zipped)));
    }

    [Fact]
    public void Drops_a_byte_order_mark_and_reads_lines_longer_than_its_buffer()
    {
        var longLine = new string('x', 200_000);
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes($"first\n{longLine}\r\n")).ToArray();

        Assert.Equal(["first", longLine], Lines(TraceInput.OpenText(new MemoryStream(bytes))));
    }

    [Fact]
    public void Reads_a_plain_csv_stream_through_the_stream_overload()
    {
        var rows = AzureVmTable.Read(SampleTraces.Open("azure-v1-filtered-vmtable/filtered_vmtables_50.csv"), "filtered_vmtables_50.csv");

        Assert.Equal(656, rows.Count());
    }

    [Fact]
    public void Readers_stream_and_read_no_further_than_the_records_asked_for()
    {
        var reader = new EndlessVmTable();

        var firstThree = AzureVmTable.Read(reader, "endless.csv").Take(3).ToList();

        Assert.Equal(["vm0", "vm1", "vm2"], firstThree.Select(vm => vm.Id));
        Assert.InRange(reader.LinesServed, 3, 4);
    }

    private static List<string> Lines(TextReader reader)
    {
        using (reader)
        {
            var lines = new List<string>();
            for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
            {
                lines.Add(line);
            }

            return lines;
        }
    }

    /// <summary>A vmtable that never ends: reading it whole would never finish.</summary>
    private sealed class EndlessVmTable : TextReader
    {
        public int LinesServed { get; private set; }

        public override string ReadLine() => $"vm{LinesServed++},s,d,0,300,1,1,1,Interactive,1,1.75";
    }
}
