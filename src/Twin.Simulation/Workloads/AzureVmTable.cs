using System.Globalization;
using Twin.Simulation.Engine;

namespace Twin.Simulation.Workloads;

/// <summary>The layouts of an Azure Public Dataset <c>vmtable</c> file.</summary>
public enum AzureVmTableShape
{
    /// <summary>Azure 2017 (V1): no header; vmid, subscriptionid, deploymentid, vmcreated, vmdeleted, maxcpu, avgcpu, p95maxcpu, vmcategory, vmcorecount, vmmemory (GB).</summary>
    V1,

    /// <summary>Azure 2019 (V2): the same 11 columns, but core count and memory are bucket strings (e.g. "2", "&gt;24").</summary>
    V2Buckets,

    /// <summary>A header row names the columns (e.g. the filtered tables: ",vmid,vmcreated,vmdeleted,maxcpu,avgcpu,p95maxcpu,vmcorecount,vmmemory").</summary>
    WithHeader,
}

/// <summary>Options for <see cref="AzureVmTable"/>: shape, trace end, and the values standing for open-ended V2 buckets.</summary>
public sealed record AzureVmTableOptions : TraceReadOptions
{
    /// <summary>Null (default): detect from the first line (a "vmid" column means a header; bucket strings mean V2).</summary>
    public AzureVmTableShape? Shape { get; init; }

    /// <summary>
    /// A vmdeleted at or after this many seconds means "still alive at the end of the trace" (Deleted = null).
    /// Default 2,591,700 s: the start of the last 5-minute slot of the 30-day Azure window, which the trace writes
    /// for every VM still running.
    /// </summary>
    public long StillAliveFromSeconds { get; init; } = 2_591_700;

    /// <summary>Cores standing for the open-ended V2 bucket "&gt;24"; 30 is the value Azure's own cores.txt uses for it.</summary>
    public double CoresAboveTopBucket { get; init; } = 30;

    /// <summary>GiB standing for the open-ended V2 bucket "&gt;64"; 70 is the value Azure's own memory.txt uses for it.</summary>
    public double MemoryGiBAboveTopBucket { get; init; } = 70;
}

/// <summary>
/// Streams an Azure Public Dataset <c>vmtable</c> (V1 2017, V2 2019, or a variant with a header) as
/// <see cref="VmLifecycle"/> records in file order; timestamps are seconds since the trace start.
/// </summary>
public static class AzureVmTable
{
    private static readonly string[] s_positionalColumns =
    [
        "vmid", "subscriptionid", "deploymentid", "vmcreated", "vmdeleted", "maxcpu", "avgcpu", "p95maxcpu", "vmcategory", "vmcorecount", "vmmemory",
    ];

    /// <summary>Reads text (plain; for gzip pass <see cref="TraceInput.OpenText"/>'s reader or use the stream overload).</summary>
    public static TraceRows<VmLifecycle> Read(TextReader reader, string sourceName, AzureVmTableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Read(reader, ownsReader: false, sourceName, options ?? new AzureVmTableOptions());
    }

    /// <summary>Reads a plain or gzip-compressed stream; the stream is disposed when enumeration ends.</summary>
    public static TraceRows<VmLifecycle> Read(Stream stream, string sourceName, AzureVmTableOptions? options = null) =>
        Read(TraceInput.OpenText(stream), ownsReader: true, sourceName, options ?? new AzureVmTableOptions());

    private static TraceRows<VmLifecycle> Read(TextReader reader, bool ownsReader, string sourceName, AzureVmTableOptions options) =>
        new(sourceName, options, statistics => ReadRows(new RowReader(reader, statistics, options, ownsReader), options));

    private static IEnumerable<VmLifecycle> ReadRows(RowReader rows, AzureVmTableOptions options)
    {
        using var _ = rows;
        Columns? columns = null;
        string? header = null;
        while (rows.NextLine())
        {
            if (rows.Line.Length == 0)
            {
                continue;
            }

            if (columns is null)
            {
                columns = DetectColumns(rows, options);
                rows.Statistics.Format = Describe(columns);
                if (columns.HeaderRow)
                {
                    header = rows.Line;
                    continue;
                }
            }
            else if (rows.Line == header)
            {
                // concatenated exports repeat the header (filtered_vmtables_50.csv does at line 631): not a VM, not an error
                rows.Statistics.Notes.Add($"line {rows.LineNumber} repeats the header; skipped");
                continue;
            }

            if (TryParse(rows, columns, options, out var vm))
            {
                yield return vm;
            }
        }
    }

    private static Columns DetectColumns(RowReader rows, AzureVmTableOptions options)
    {
        var fields = rows.Line.Split(',');
        var header = Array.FindIndex(fields, f => f.Trim().Equals("vmid", StringComparison.OrdinalIgnoreCase)) >= 0;
        if (header || options.Shape == AzureVmTableShape.WithHeader)
        {
            if (!header)
            {
                throw rows.BadRow("expected a header row naming the columns (vmid, vmcreated, ...)");
            }

            return Columns.FromHeader(rows, fields);
        }

        if (fields.Length != s_positionalColumns.Length)
        {
            throw rows.BadRow($"expected {s_positionalColumns.Length} comma-separated fields (a headerless V1/V2 vmtable) or a header row, found {fields.Length}");
        }

        var shape = options.Shape ?? (IsNumber(fields[9]) && IsNumber(fields[10]) ? AzureVmTableShape.V1 : AzureVmTableShape.V2Buckets);
        return Columns.Positional(shape, detected: options.Shape is null);
    }

    private static string Describe(Columns columns) => columns.Shape switch
    {
        AzureVmTableShape.V1 when columns.BucketsAllowed => "Azure vmtable, 11 columns, no header (V1 numbers; V2 bucket strings accepted)",
        AzureVmTableShape.V1 => "Azure V1 vmtable, 11 columns, no header",
        AzureVmTableShape.V2Buckets => "Azure V2 vmtable, 11 columns, no header, core and memory buckets",
        _ => $"Azure vmtable with a header ({columns.Count} columns)",
    };

    private static bool TryParse(RowReader rows, Columns columns, AzureVmTableOptions options, out VmLifecycle vm)
    {
        try
        {
            vm = Parse(rows, columns, options);
            rows.Statistics.RowsRead++;
            return true;
        }
        catch (TraceFormatException exception) when (rows.Skip(exception))
        {
            vm = null!;
            return false;
        }
    }

    private static VmLifecycle Parse(RowReader rows, Columns columns, AzureVmTableOptions options)
    {
        Span<Range> ranges = stackalloc Range[columns.Count];
        rows.Split(',', ranges);
        var line = rows.Line.AsSpan();

        var id = RowReader.Field(line, ranges, columns.VmId).Trim();
        if (id.IsEmpty)
        {
            throw rows.Bad("vmid", id, "is empty");
        }

        var createdSeconds = rows.WholeNumber(RowReader.Field(line, ranges, columns.Created), "vmcreated");
        var deletedSeconds = rows.WholeNumber(RowReader.Field(line, ranges, columns.Deleted), "vmdeleted");
        if (deletedSeconds < createdSeconds)
        {
            throw rows.Bad("vmdeleted", RowReader.Field(line, ranges, columns.Deleted), $"is before vmcreated ({createdSeconds})");
        }

        var (cores, coreBucket) = Size(rows, RowReader.Field(line, ranges, columns.Cores), columns.CoresName, columns, options.CoresAboveTopBucket);
        var (memory, memoryBucket) = Size(rows, RowReader.Field(line, ranges, columns.Memory), columns.MemoryName, columns, options.MemoryGiBAboveTopBucket);
        var category = columns.Category < 0 ? null : RowReader.Field(line, ranges, columns.Category).Trim().ToString();
        return new VmLifecycle(
            id.ToString(),
            SimTime.FromSeconds(createdSeconds),
            deletedSeconds >= options.StillAliveFromSeconds ? null : SimTime.FromSeconds(deletedSeconds),
            cores,
            memory,
            string.IsNullOrEmpty(category) ? null : category,
            columns.AvgCpu < 0 ? null : rows.OptionalDouble(RowReader.Field(line, ranges, columns.AvgCpu), "avgcpu"),
            columns.P95MaxCpu < 0 ? null : rows.OptionalDouble(RowReader.Field(line, ranges, columns.P95MaxCpu), "p95maxcpu"))
        {
            MaxCpuPercent = columns.MaxCpu < 0 ? null : rows.OptionalDouble(RowReader.Field(line, ranges, columns.MaxCpu), "maxcpu"),
            CoreBucket = coreBucket,
            MemoryBucket = memoryBucket,
            SubscriptionId = columns.Subscription < 0 ? null : RowReader.Field(line, ranges, columns.Subscription).Trim().ToString(),
            DeploymentId = columns.Deployment < 0 ? null : RowReader.Field(line, ranges, columns.Deployment).Trim().ToString(),
        };
    }

    /// <summary>A number, or (when buckets are allowed) a V2 bucket: "8" → 8, "&gt;24" → the configured value, "2-4" → 4.</summary>
    private static (double Value, string? Bucket) Size(RowReader rows, ReadOnlySpan<char> text, string field, Columns columns, double aboveTop)
    {
        var trimmed = text.Trim();
        if (!columns.BucketsAllowed)
        {
            return (rows.Double(trimmed, field), null);
        }

        var bucket = trimmed.ToString();
        if (trimmed.StartsWith(">") && IsNumber(trimmed[1..]))
        {
            return (aboveTop, bucket);
        }

        var dash = trimmed.IndexOf('-');
        if (dash > 0 && IsNumber(trimmed[..dash]) && IsNumber(trimmed[(dash + 1)..]))
        {
            // a range bucket: take its upper end, so capacity planning never under-counts
            return (rows.Double(trimmed[(dash + 1)..], field), bucket);
        }

        if (IsNumber(trimmed))
        {
            return (rows.Double(trimmed, field), columns.Shape == AzureVmTableShape.V2Buckets ? bucket : null);
        }

        throw rows.Bad(field, text, "is not a number");
    }

    private static bool IsNumber(ReadOnlySpan<char> text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private sealed class Columns
    {
        public int Count { get; private init; }

        public bool HeaderRow { get; private init; }

        public AzureVmTableShape Shape { get; private init; }

        public bool BucketsAllowed { get; private init; }

        public int VmId { get; private init; } = -1;

        public int Subscription { get; private init; } = -1;

        public int Deployment { get; private init; } = -1;

        public int Created { get; private init; } = -1;

        public int Deleted { get; private init; } = -1;

        public int MaxCpu { get; private init; } = -1;

        public int AvgCpu { get; private init; } = -1;

        public int P95MaxCpu { get; private init; } = -1;

        public int Category { get; private init; } = -1;

        public int Cores { get; private init; } = -1;

        public int Memory { get; private init; } = -1;

        public string CoresName { get; private init; } = "vmcorecount";

        public string MemoryName { get; private init; } = "vmmemory";

        public static Columns Positional(AzureVmTableShape shape, bool detected) => new()
        {
            Count = 11,
            Shape = shape,
            // a detected shape accepts buckets anywhere: a V2 file may start with rows whose buckets look like numbers
            BucketsAllowed = shape == AzureVmTableShape.V2Buckets || detected,
            VmId = 0, Subscription = 1, Deployment = 2, Created = 3, Deleted = 4, MaxCpu = 5, AvgCpu = 6, P95MaxCpu = 7, Category = 8, Cores = 9, Memory = 10,
            CoresName = shape == AzureVmTableShape.V2Buckets ? "vmcorecountbucket" : "vmcorecount",
            MemoryName = shape == AzureVmTableShape.V2Buckets ? "vmmemorybucket" : "vmmemory",
        };

        public static Columns FromHeader(RowReader rows, string[] header)
        {
            var names = header.Select(h => h.Trim().ToLowerInvariant()).ToArray();
            int Find(params string[] candidates) => Array.FindIndex(names, n => candidates.Contains(n));
            int Require(params string[] candidates)
            {
                var index = Find(candidates);
                return index >= 0 ? index : throw rows.Bad("header", rows.Line, $"has no '{candidates[0]}' column");
            }

            var cores = Require("vmcorecount", "vmcorecountbucket");
            var memory = Require("vmmemory", "vmmemorybucket");
            return new Columns
            {
                Count = names.Length,
                HeaderRow = true,
                Shape = AzureVmTableShape.WithHeader,
                BucketsAllowed = true,
                VmId = Require("vmid"),
                Subscription = Find("subscriptionid"),
                Deployment = Find("deploymentid"),
                Created = Require("vmcreated"),
                Deleted = Require("vmdeleted"),
                MaxCpu = Find("maxcpu"),
                AvgCpu = Find("avgcpu"),
                P95MaxCpu = Find("p95maxcpu"),
                Category = Find("vmcategory"),
                Cores = cores,
                Memory = memory,
                CoresName = names[cores],
                MemoryName = names[memory],
            };
        }
    }
}
