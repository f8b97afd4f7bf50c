using Twin.Simulation.Engine;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.Tests.Workloads;

public sealed class AzureVmTableTests
{
    private const string V1Sample = "azure-v1-opendc-sample/vmtable.csv.gz";
    private const string Filtered = "azure-v1-filtered-vmtable/filtered_vmtables_50.csv";

    [Fact]
    public void Reads_the_ten_rows_of_the_gzipped_V1_sample()
    {
        var rows = AzureVmTable.Read(SampleTraces.Open(V1Sample), "vmtable.csv.gz");

        var vms = rows.ToList();

        Assert.Equal(10, vms.Count);
        Assert.Equal(10, rows.Statistics.RowsRead);
        Assert.Equal(0, rows.Statistics.BadRows);
        Assert.Contains("V1", rows.Statistics.Format);
        Assert.Equal(6, vms.Count(vm => vm.Deleted is null));
        Assert.Equal(38, vms.Sum(vm => vm.Cores));
        Assert.Equal([("Delay-insensitive", 6), ("Interactive", 2), ("Unkown", 2)], vms.CountBy(vm => vm.Category!).OrderBy(c => c.Key).Select(c => (c.Key, c.Value)));
    }

    [Fact]
    public void Maps_every_V1_column_of_a_row()
    {
        var third = AzureVmTable.Read(SampleTraces.Open(V1Sample), "vmtable.csv.gz").ElementAt(2);

        Assert.Equal("wR/G1YUjpMP4zUbxGM/XJNhYS8cAK3SGKM2tqhF7VdeTUYHGktQiKQNoDTtYvnAc", third.Id);
        Assert.StartsWith("VDU4C8cqdr+ORcqq", third.SubscriptionId);
        Assert.StartsWith("Pc2VLB8aDxK2DCC9", third.DeploymentId);
        Assert.Equal(SimTime.FromSeconds(2_188_800), third.Created);
        Assert.Null(third.Deleted);
        Assert.Equal(99.569027, third.MaxCpuPercent);
        Assert.Equal(3.5736346071428589, third.AvgCpuPercent);
        Assert.Equal(7.92425, third.P95MaxCpuPercent);
        Assert.Equal("Delay-insensitive", third.Category);
        Assert.Equal(1, third.Cores);
        Assert.Equal(1.75, third.MemoryGiB);
        Assert.Null(third.CoreBucket);
    }

    [Fact]
    public void A_VM_deleted_before_the_trace_end_keeps_its_deletion_time()
    {
        var vms = AzureVmTable.Read(SampleTraces.Open(V1Sample), "vmtable.csv.gz").ToList();

        var shortLived = vms.Single(vm => vm.Id.StartsWith("aTSXW3N1", StringComparison.Ordinal));

        Assert.Equal(SimTime.FromSeconds(2_290_500), shortLived.Created);
        Assert.Equal(SimTime.FromSeconds(2_292_300), shortLived.Deleted);
        Assert.Equal(SimDuration.FromMinutes(30), shortLived.LifetimeUntil(SimTime.MaxValue));
    }

    [Fact]
    public void Reads_the_filtered_table_by_its_header_and_skips_the_repeated_header()
    {
        using var text = SampleTraces.OpenText(Filtered);
        var rows = AzureVmTable.Read(text, "filtered_vmtables_50.csv");

        var vms = rows.ToList();

        // the file has 658 lines: a header, 629 VMs, the header again at line 631, 27 more VMs
        Assert.Equal(656, vms.Count);
        Assert.Equal(656, vms.Select(vm => vm.Id).Distinct().Count());
        Assert.Contains("header", rows.Statistics.Format);
        Assert.Equal(["line 631 repeats the header; skipped"], rows.Statistics.Notes);
        Assert.Equal(376, vms.Count(vm => vm.Deleted is null));
        Assert.Equal(1121, vms.Sum(vm => vm.MemoryGiB), 9);
        Assert.All(vms, vm => Assert.Null(vm.Category));
        Assert.All(vms, vm => Assert.True(vm.AvgCpuPercent >= 50));
        Assert.Equal(658, rows.Statistics.LinesRead);
    }

    [Fact]
    public void A_bad_number_names_the_source_line_and_field()
    {
        var lines = ReadLines(V1Sample);
        lines[6] = lines[6].Replace(",1,1.75", ",abc,1.75", StringComparison.Ordinal);

        var error = Assert.Throws<TraceFormatException>(() => AzureVmTable.Read(new StringReader(string.Join('\n', lines)), "vmtable.csv").ToList());

        Assert.Equal("vmtable.csv line 7, field vmcorecount: 'abc' is not a number", error.Message);
        Assert.Equal(7, error.Problem.Line);
    }

    [Fact]
    public void Skipping_bad_rows_counts_them_and_keeps_the_first_problems()
    {
        var lines = ReadLines(V1Sample);
        lines[1] = lines[1].Replace(",0,1539300,", ",zero,1539300,", StringComparison.Ordinal);
        lines[4] = string.Join(',', lines[4].Split(',')[..9]);
        lines[8] = lines[8].Replace("2281200,2300100", "2300100,2281200", StringComparison.Ordinal);
        var rows = AzureVmTable.Read(new StringReader(string.Join('\n', lines)), "vmtable.csv", new AzureVmTableOptions { SkipBadRows = true, MaxProblemsKept = 2 });

        var vms = rows.ToList();

        Assert.Equal(7, vms.Count);
        Assert.Equal(7, rows.Statistics.RowsRead);
        Assert.Equal(3, rows.Statistics.BadRows);
        Assert.Equal(
            ["vmtable.csv line 2, field vmcreated: 'zero' is not a number", "vmtable.csv line 5: expected 11 fields separated by ',', found 9"],
            rows.Statistics.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Reads_V2_rows_whose_cores_and_memory_are_buckets()
    {
        // written by hand in the V2 shape (schema.csv: fields 10 and 11 are bucket strings); no V2 rows are public here
        const string V2 = """
            vmA,subA,depA,0,3600,90.5,10.25,80,Interactive,2,4
            vmB,subB,depB,300,2591700,50,5,40,Delay-insensitive,>24,>64
            vmC,subC,depC,600,1200,50,5,40,Unknown,2-4,8
            """;

        var rows = AzureVmTable.Read(new StringReader(V2), "vmtable-v2.csv");
        var vms = rows.ToList();

        Assert.Contains("bucket", rows.Statistics.Format);
        Assert.Equal([2.0, 30.0, 4.0], vms.Select(vm => vm.Cores));
        Assert.Equal([4.0, 70.0, 8.0], vms.Select(vm => vm.MemoryGiB));
        Assert.Equal(">24", vms[1].CoreBucket);
        Assert.Equal(">64", vms[1].MemoryBucket);
        Assert.Null(vms[1].Deleted);
    }

    [Fact]
    public void A_forced_V1_shape_rejects_bucket_strings()
    {
        var rows = AzureVmTable.Read(new StringReader("vmB,subB,depB,300,2591700,50,5,40,Delay-insensitive,>24,>64"), "v.csv", new AzureVmTableOptions { Shape = AzureVmTableShape.V1 });

        var error = Assert.Throws<TraceFormatException>(() => rows.ToList());

        Assert.Equal("v.csv line 1, field vmcorecount: '>24' is not a number", error.Message);
    }

    [Fact]
    public void A_trace_can_be_enumerated_only_once()
    {
        var rows = AzureVmTable.Read(SampleTraces.Open(V1Sample), "vmtable.csv.gz");
        _ = rows.ToList();

        Assert.Throws<InvalidOperationException>(() => rows.ToList());
    }

    private static string[] ReadLines(string relative)
    {
        using var text = TraceInput.OpenText(SampleTraces.Open(relative));
        return text.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
