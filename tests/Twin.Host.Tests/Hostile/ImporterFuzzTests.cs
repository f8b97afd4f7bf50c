using System.Diagnostics;
using System.Globalization;
using Twin.Host.Import;
using Twin.Host.Tests.Import;

namespace Twin.Host.Tests.Hostile;

/// <summary>
/// Every importer against mutations of every real capture under <c>samples/fixtures</c> and of the host-facts files of
/// <c>samples/datacenter</c> (and absurd shapes of each
/// syntax): the import either reads something or fails with an <see cref="ImportException"/> that names the file,
/// within a bounded time — never another exception, a hang or a crash of the process. The seed is printed;
/// <c>TWIN_FUZZ_SEED=N</c> replays a run.
/// </summary>
public sealed class ImporterFuzzTests
{
    private const ulong DefaultSeed = 20_261_124;
    private const int MutationsPerFile = 50;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan HugeLimit = TimeSpan.FromSeconds(60);

    internal static ulong Seed =>
        ulong.TryParse(Environment.GetEnvironmentVariable("TWIN_FUZZ_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;

    /// <summary>The real captures, plus the Twin host-facts files (<c>host.yaml</c>) of the sample datacenter.</summary>
    internal static IReadOnlyList<string> Captures() =>
    [
        .. Directory.EnumerateFiles(Fixtures.Folder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)),
        .. Directory.EnumerateFiles(Path.Combine(Fixtures.Root, "samples", "datacenter"), "host.yaml", SearchOption.AllDirectories),
    ];

    /// <summary>The inputs, made one at a time (some are many megabytes).</summary>
    private static IEnumerable<Mutant> Inputs()
    {
        var rng = new SplitMix64(Seed);
        var folders = new HashSet<string>();
        foreach (var file in Captures().Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var text = File.ReadAllText(file);
            foreach (var m in Mutator.Mutate(name, text, rng, MutationsPerFile)) yield return m;
            // the nested and huge shapes once per folder (one folder = one family of formats)
            var family = name == "host.yaml" ? "host facts" : Path.GetDirectoryName(file)!;
            foreach (var m in Mutator.Extremes(name, text, withLarge: folders.Add(family))) yield return m;
        }
    }

    [Fact]
    public async Task Mutated_real_captures_are_read_or_refused_with_an_import_error_in_bounded_time()
    {
        var failures = new List<string>();
        int read = 0, refused = 0;
        long bytes = 0;
        var slowest = (Time: TimeSpan.Zero, Input: "");
        var total = Stopwatch.StartNew();
        var i = 0;
        foreach (var input in Inputs())
        {
            i++;
            bytes += input.Text.Length;
            var limit = input.Text.Length > (1 << 20) ? HugeLimit : Limit;
            var clock = Stopwatch.StartNew();
            var import = Task.Run(() => InventoryImporter.Import([(input.Source, input.Text)], new ImportOptions(Host: "fuzz-host")), Http.Ct);
            try
            {
                await import.WaitAsync(limit, Http.Ct);
                read++;
            }
            catch (ImportException e)
            {
                refused++;
                if (!e.Message.StartsWith(input.Source, StringComparison.Ordinal) || e.Message.Length > 4000)
                    failures.Add($"#{i} {input}: an unclear error ({e.Message.Length} chars): {e.Message[..Math.Min(300, e.Message.Length)]}");
            }
            catch (TimeoutException)
            {
                failures.Add($"#{i} {input}: still running after {limit.TotalSeconds} s");
            }
            catch (Exception e)
            {
                failures.Add($"#{i} {input}: {e.GetType().Name}: {e.Message[..Math.Min(300, e.Message.Length)]}\n{e.StackTrace?.Split('\n').FirstOrDefault()}");
            }
            if (clock.Elapsed > slowest.Time) slowest = (clock.Elapsed, input.ToString());
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"seed {Seed}: {i} inputs from {Captures().Count} captures ({bytes / 1e6:0.0} MB) in {total.Elapsed.TotalSeconds:0.0} s: "
            + $"{read} read, {refused} refused with an import error, {failures.Count} failures; slowest {slowest.Time.TotalMilliseconds:0} ms ({slowest.Input})");
        Assert.True(failures.Count == 0, $"seed {Seed}: {failures.Count} of {i} inputs broke an importer:\n" + string.Join("\n", failures.Take(40)));
    }
}
