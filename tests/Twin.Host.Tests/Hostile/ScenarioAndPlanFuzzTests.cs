using System.Diagnostics;
using Twin.Host.Rehearsal;
using Twin.Host.Tests.Import;
using Twin.Host.WhatIf;
using Twin.Simulation.WhatIf;

namespace Twin.Host.Tests.Hostile;

/// <summary>
/// The what-if scenario files and the change-plan files under <c>samples/</c>, mutated the same way as the captures
/// (<see cref="Mutator"/>, seeded by <c>TWIN_FUZZ_SEED</c>), plus the absurd shapes: each reader either binds the file
/// or refuses it with its own error (<see cref="ScenarioException"/>, <see cref="PlanFileException"/>) that names the
/// file, within a bounded time. Nothing is written: both readers are pure.
/// </summary>
public sealed class ScenarioAndPlanFuzzTests
{
    private const int MutationsPerFile = 400;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan HugeLimit = TimeSpan.FromSeconds(60);

    private static IEnumerable<Mutant> Inputs(string folder)
    {
        var rng = new SplitMix64(ImporterFuzzTests.Seed);
        var first = true;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Fixtures.Root, "samples", folder)).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var text = File.ReadAllText(file);
            yield return new Mutant(name, "unchanged", text);
            foreach (var m in Mutator.Mutate(name, text, rng, MutationsPerFile)) yield return m;
            foreach (var m in Mutator.Extremes(name, text, withLarge: first)) yield return m;
            first = false;
        }
    }

    [Fact]
    public Task Mutated_scenario_files_are_read_or_refused_with_a_scenario_error() =>
        Fuzz("scenarios", m => ScenarioYaml.Read(m.Text, m.Source), e => e is ScenarioException);

    [Fact]
    public Task Mutated_plan_files_are_read_or_refused_with_a_plan_error() =>
        Fuzz("plans", m => PlanFile.Parse(m.Text, m.Source), e => e is PlanFileException);

    private static async Task Fuzz(string folder, Action<Mutant> read, Func<Exception, bool> isClearError)
    {
        var failures = new List<string>();
        int i = 0, accepted = 0, refused = 0;
        var total = Stopwatch.StartNew();
        foreach (var input in Inputs(folder))
        {
            i++;
            var limit = input.Text.Length > (1 << 20) ? HugeLimit : Limit;
            try
            {
                await Task.Run(() => read(input), Http.Ct).WaitAsync(limit, Http.Ct);
                accepted++;
            }
            catch (TimeoutException)
            {
                failures.Add($"#{i} {input}: still running after {limit.TotalSeconds} s");
            }
            catch (Exception e) when (isClearError(e))
            {
                refused++;
                if (!e.Message.StartsWith(input.Source, StringComparison.Ordinal) || e.Message.Length > 4000)
                    failures.Add($"#{i} {input}: an unclear error ({e.Message.Length} chars): {e.Message[..Math.Min(300, e.Message.Length)]}");
            }
            catch (Exception e)
            {
                failures.Add($"#{i} {input}: {e.GetType().Name}: {e.Message[..Math.Min(300, e.Message.Length)]}\n{e.StackTrace?.Split('\n').FirstOrDefault()}");
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"seed {ImporterFuzzTests.Seed}: {i} {folder} inputs in {total.Elapsed.TotalSeconds:0.0} s: {accepted} read, {refused} refused with a clear error, {failures.Count} failures");
        Assert.True(i > 100, $"only {i} inputs: the samples folder is missing files?");
        Assert.True(failures.Count == 0, $"seed {ImporterFuzzTests.Seed}: {failures.Count} of {i} {folder} inputs broke the reader:\n" + string.Join("\n", failures.Take(40)));
    }
}
