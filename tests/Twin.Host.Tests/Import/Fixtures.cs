using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Host.Import;

namespace Twin.Host.Tests.Import;

/// <summary>The real captures under <c>samples/fixtures</c> (found from the folder holding Twin.sln) and shorthands
/// for importing them.</summary>
internal static class Fixtures
{
    public static readonly string Root = FindRoot();

    public static string Folder => Path.Combine(Root, "samples", "fixtures");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Twin.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Twin.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>A fixture as (file name, text), e.g. <c>Fixtures.File("libvirt-nodedev/pci_8086_10c9_sriov_pf.xml")</c>.</summary>
    public static (string SourceName, string Text) File(string relative) =>
        (Path.GetFileName(relative), System.IO.File.ReadAllText(Path.Combine(Folder, relative)));

    public static ImportResult ImportAs(string host, params string[] relative) =>
        InventoryImporter.Import(relative.Select(File), new ImportOptions(Host: host));

    public static ImportResult Import(params string[] relative) => ImportAs("host-1", relative);

    public static ImportResult Text(string sourceName, string text, string? host = "host-1") =>
        InventoryImporter.Import([(sourceName, text)], new ImportOptions(Host: host));

    public static NicSpec Nic(this ImportResult r, string host, string pciOrKey) =>
        r.Topology.Nics.Single(n => n.Id == NicId.Of(new HostId(host), pciOrKey));

    public static bool Says(this ImportResult r, string fragment) => r.Diagnostics.Any(d => d.Message.Contains(fragment, StringComparison.Ordinal));
}
