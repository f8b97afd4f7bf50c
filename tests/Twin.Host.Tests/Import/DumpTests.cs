using System.Text.Json;

namespace Twin.Host.Tests.Import;

public sealed class DumpTests(ITestOutputHelper output)
{
    [Fact]
    public void Dump()
    {
        foreach (var file in Directory.EnumerateFiles(Fixtures.Folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(Fixtures.Folder, file);
            if (rel == "SOURCES.md") continue;
            output.WriteLine($"===== {rel}");
            try
            {
                var r = Fixtures.Import(rel);
                output.WriteLine($"format {r.Files[0].Format}");
                output.WriteLine(JsonSerializer.Serialize(r.Topology, new JsonSerializerOptions { WriteIndented = false }));
                foreach (var o in r.ObservedPools) output.WriteLine($"observed {o}");
                foreach (var d in r.Diagnostics) output.WriteLine(d.ToString());
            }
            catch (Exception e)
            {
                output.WriteLine("EXCEPTION " + e);
            }
        }
    }
}
