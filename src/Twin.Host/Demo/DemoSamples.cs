namespace Twin.Host.Demo;

/// <summary>Where the demo's sample data is: copied next to the executable at build time (so the demo runs from any
/// folder), else the <c>samples</c> folder of the checkout above the working directory.</summary>
internal static class DemoSamples
{
    /// <summary>The <c>samples</c> folder holding <c>datacenter/</c> and <c>traces/azure-v2-2019-distributions/</c>.</summary>
    public static string? Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var samples = Path.Combine(dir.FullName, "samples");
                if (Directory.Exists(Path.Combine(samples, "datacenter")) && Directory.Exists(Path.Combine(samples, "traces", "azure-v2-2019-distributions")))
                    return samples;
            }
        return null;
    }
}
