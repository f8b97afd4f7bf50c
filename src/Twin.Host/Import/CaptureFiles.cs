using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Twin.Host.Import;

/// <summary>
/// Turns files and folders into <see cref="CaptureFile"/>s. A file is one capture (of <c>--host</c>, or of the host it
/// names itself). A folder holds captures: files directly in it belong to <c>--host</c>, and each sub-folder is a host
/// named after the folder (its files and nested folders all belong to that host). A folder that is a Linux sysfs tree
/// (a copy of <c>/sys</c>, <c>/sys/bus/pci/devices</c>, or PCI device folders) becomes one sysfs capture, written in
/// the ttar form the sysfs parser reads. Hidden entries and notes (<see cref="IsNote"/>) are skipped; everything is read in ordinal name order.
/// </summary>
public static partial class CaptureFiles
{
    [GeneratedRegex(@"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$")]
    private static partial Regex PciName();

    [GeneratedRegex(@"^virtfn[0-9]+$")]
    private static partial Regex VirtFn();

    private static readonly string[] DeviceAttributes =
        ["vendor", "device", "class", "numa_node", "sriov_totalvfs", "sriov_numvfs", "sriov_vf_device", "uevent"];

    /// <summary>Reads <paramref name="paths"/> (files and folders) as captures; <paramref name="host"/> is the host of
    /// files not inside a host folder.</summary>
    public static IReadOnlyList<CaptureFile> Read(IEnumerable<string> paths, string? host = null)
    {
        var result = new List<CaptureFile>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                result.Add(new CaptureFile(Path.GetFileName(path), File.ReadAllText(path), host));
                continue;
            }
            if (!Directory.Exists(path)) throw new ImportException(path, null, null, "", "does not exist");
            var root = new DirectoryInfo(path);
            if (IsSysfsTree(root))
            {
                result.Add(new CaptureFile($"{root.Name}/ (sysfs)", SysfsToTtar(root), host));
                continue;
            }
            foreach (var file in Files(root)) result.Add(new CaptureFile(Relative(root, file), File.ReadAllText(file.FullName), host));
            foreach (var folder in Folders(root)) HostFolder(root, folder, folder.Name, result);
        }
        return result;
    }

    private static void HostFolder(DirectoryInfo root, DirectoryInfo folder, string host, List<CaptureFile> result)
    {
        if (IsSysfsTree(folder))
        {
            result.Add(new CaptureFile($"{Relative(root, folder)}/ (sysfs)", SysfsToTtar(folder), host));
            return;
        }
        foreach (var file in Files(folder)) result.Add(new CaptureFile(Relative(root, file), File.ReadAllText(file.FullName), host));
        foreach (var sub in Folders(folder)) HostFolder(root, sub, host, result);
    }

    private static IEnumerable<FileInfo> Files(DirectoryInfo d) =>
        d.EnumerateFiles().Where(f => !f.Name.StartsWith('.') && !IsNote(f.Name)).OrderBy(f => f.Name, StringComparer.Ordinal);

    /// <summary>Notes kept with captures (provenance, licences) in a folder: Markdown files and README, LICENSE, NOTICE,
    /// SOURCES with any extension. A note named on the command line is still read (and refused as no capture).</summary>
    public static bool IsNote(string fileName) =>
        fileName.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
        || Path.GetFileNameWithoutExtension(fileName).ToUpperInvariant() is "README" or "LICENSE" or "LICENCE" or "NOTICE" or "SOURCES" or "COPYING";

    private static IEnumerable<DirectoryInfo> Folders(DirectoryInfo d) =>
        d.EnumerateDirectories().Where(f => !f.Name.StartsWith('.') && f.LinkTarget is null).OrderBy(f => f.Name, StringComparer.Ordinal);

    private static string Relative(DirectoryInfo root, FileSystemInfo entry) =>
        $"{root.Name}/{Path.GetRelativePath(root.FullName, entry.FullName).Replace('\\', '/')}";

    /// <summary>A copy of /sys, /sys/bus/pci/devices, /sys/devices or of PCI device folders.</summary>
    public static bool IsSysfsTree(DirectoryInfo d) =>
        d.Name == "sys"
        || Directory.Exists(Path.Combine(d.FullName, "bus", "pci", "devices"))
        || PciName().IsMatch(d.Name)
        || d.EnumerateDirectories().Any(e => PciName().IsMatch(e.Name) || e.Name.StartsWith("pci0000:", StringComparison.Ordinal));

    /// <summary>Writes the SR-IOV-relevant part of a sysfs tree as ttar text (device attributes, the driver, physfn
    /// and virtfnN links, netdev names and link speeds), each device under <c>sys/bus/pci/devices/ADDRESS/</c>.</summary>
    public static string SysfsToTtar(DirectoryInfo root)
    {
        var devices = new SortedDictionary<string, DirectoryInfo>(StringComparer.Ordinal);
        var busDevices = new DirectoryInfo(Path.Combine(root.FullName, "bus", "pci", "devices"));
        if (busDevices.Exists)
        {
            foreach (var e in busDevices.EnumerateFileSystemInfos())
                if (PciName().IsMatch(e.Name) && Resolve(e) is { } dir) devices.TryAdd(e.Name, dir);
        }
        else
        {
            Walk(root, devices, 0);
        }
        var sb = new StringBuilder();
        foreach (var (pci, dir) in devices)
        {
            var prefix = $"sys/bus/pci/devices/{pci}";
            sb.Append("Directory: ").Append(prefix).Append("\nMode: 755\n# ttar - - -\n");
            foreach (var attr in DeviceAttributes) WriteFile(sb, $"{prefix}/{attr}", Path.Combine(dir.FullName, attr));
            foreach (var e in dir.EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                if ((e.Name is "driver" or "physfn" || VirtFn().IsMatch(e.Name)) && e.LinkTarget is { } target)
                    sb.Append("Path: ").Append(prefix).Append('/').Append(e.Name).Append("\nSymlinkTo: ").Append(target).Append("\n# ttar - - -\n");
            }
            var net = new DirectoryInfo(Path.Combine(dir.FullName, "net"));
            if (!net.Exists) continue;
            foreach (var n in net.EnumerateDirectories().OrderBy(n => n.Name, StringComparer.Ordinal))
            {
                sb.Append("Directory: ").Append(prefix).Append("/net/").Append(n.Name).Append("\nMode: 755\n# ttar - - -\n");
                WriteFile(sb, $"{prefix}/net/{n.Name}/speed", Path.Combine(n.FullName, "speed"));
            }
        }
        return sb.ToString();
    }

    private static void Walk(DirectoryInfo d, SortedDictionary<string, DirectoryInfo> devices, int depth)
    {
        // sysfs nests PCI devices under their bridges; a real /sys is deep but finite when symlinks are not followed.
        if (depth > 16) return;
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = d.EnumerateFileSystemInfos().ToList();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return;
        }
        foreach (var e in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (PciName().IsMatch(e.Name) && Resolve(e) is { } dir && File.Exists(Path.Combine(dir.FullName, "vendor")))
                devices.TryAdd(e.Name, dir);
            if (e is DirectoryInfo sub && e.LinkTarget is null && e.Name is not ("net" or "power" or "msi_irqs" or "subsystem" or "driver")) Walk(sub, devices, depth + 1);
        }
    }

    private static DirectoryInfo? Resolve(FileSystemInfo e)
    {
        if (e is DirectoryInfo { LinkTarget: null } d) return d;
        var target = e.ResolveLinkTarget(returnFinalTarget: true);
        return target is DirectoryInfo { Exists: true } t ? t : e is DirectoryInfo di && di.Exists ? di : null;
    }

    private static void WriteFile(StringBuilder sb, string path, string file)
    {
        string text;
        try
        {
            if (!File.Exists(file)) return;
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // sysfs refuses some reads (a down link's speed gives EINVAL): the attribute is then unknown.
            return;
        }
        var lines = text.TrimEnd('\n').Split('\n');
        if (text.Length == 0) lines = [];
        sb.Append("Path: ").Append(path).Append("\nLines: ").Append(lines.Length.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var l in lines) sb.Append(l.Replace("\0", "NULLBYTE", StringComparison.Ordinal)).Append('\n');
        sb.Append("Mode: 444\n# ttar - - -\n");
    }
}
