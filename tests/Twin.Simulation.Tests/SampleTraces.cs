namespace Twin.Simulation.Tests;

/// <summary>Finds the trace samples under samples/traces/ of the repository the tests were built from.</summary>
internal static class SampleTraces
{
    private static readonly Lazy<string> s_root = new(FindRepositoryRoot);

    public static string Root => s_root.Value;

    /// <summary>The absolute path of <paramref name="relative"/> under samples/traces/; fails (never skips) when it is missing.</summary>
    public static string PathOf(string relative)
    {
        var path = System.IO.Path.Combine(Root, "samples", "traces", relative);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"Sample trace {relative} is missing under {Root}/samples/traces: it is committed with the repository; restore it from git.", path);
    }

    public static Stream Open(string relative) => File.OpenRead(PathOf(relative));

    public static TextReader OpenText(string relative) => new StreamReader(PathOf(relative));

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Twin.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No folder containing Twin.sln above {AppContext.BaseDirectory}: run the tests from a clone of the repository.");
    }
}
