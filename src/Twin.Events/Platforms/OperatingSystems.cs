using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Twin.Events.Platforms;

/// <summary>Operating-system family of a guest.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OsFamily>))]
public enum OsFamily
{
    Windows,
    Linux,
    Other,
}

/// <summary>
/// A guest operating system: its family, its version for rule checks (for Windows the NT kernel version:
/// 6.1 = 7/2008 R2, 6.2 = 8/2012, 6.3 = 8.1/2012 R2, 10.0 = 10/11/2016 and later) and whether it carries a VF
/// driver for the NIC it would be given.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GuestOs(
    OsFamily Family,
    string Name,
    string Version,
    bool HasVfDriver = true)
{
    /// <summary>Parses common names: "Windows Server 2019", "Windows 8.1", "Windows 7", "Ubuntu 22.04", "RHEL 9",
    /// "FreeBSD 14". Unknown names become <see cref="OsFamily.Other"/>.</summary>
    public static GuestOs Parse(string name, bool hasVfDriver = true)
    {
        var n = name.Trim();
        if (n.StartsWith("Windows", StringComparison.OrdinalIgnoreCase))
            return new(OsFamily.Windows, n, WindowsNtVersion(n), hasVfDriver);
        string[] linux = ["linux", "ubuntu", "debian", "rhel", "red hat", "centos", "rocky", "alma", "sles", "suse", "fedora", "oracle linux", "coreos", "photon"];
        if (linux.Any(l => n.Contains(l, StringComparison.OrdinalIgnoreCase)))
            return new(OsFamily.Linux, n, FirstVersionIn(n), hasVfDriver);
        return new(OsFamily.Other, n, FirstVersionIn(n), hasVfDriver);
    }

    /// <summary>The version as a comparable <see cref="System.Version"/> (0.0 when unknown).</summary>
    public Version ParsedVersion => OsVersions.ParseLoose(Version);

    private static string WindowsNtVersion(string n)
    {
        string lower = n.ToLowerInvariant();
        if (lower.Contains("2008 r2") || Regex.IsMatch(lower, @"windows 7\b")) return "6.1";
        if (lower.Contains("2008") || lower.Contains("vista")) return "6.0";
        if (lower.Contains("2012 r2") || lower.Contains("8.1")) return "6.3";
        if (lower.Contains("2012") || Regex.IsMatch(lower, @"windows 8\b")) return "6.2";
        if (Regex.IsMatch(lower, @"20(16|19|22|25)|windows 1[01]\b")) return "10.0";
        if (lower.Contains("xp") || lower.Contains("2003")) return "5.1";
        return FirstVersionIn(n);
    }

    private static string FirstVersionIn(string n) => Regex.Match(n, @"\d+(\.\d+){0,3}") is { Success: true } m ? m.Value : "0";
}

/// <summary>Host operating system / hypervisor release, e.g. "Windows Server 2016", "ESXi 8.0u3", "libvirt 9.0".</summary>
public static class OsVersions
{
    /// <summary>Windows Server release → NT version (the build decides Hyper-V features).</summary>
    public static Version WindowsServer(string name)
    {
        string lower = name.ToLowerInvariant();
        if (lower.Contains("2025")) return new(10, 0, 26100);
        if (lower.Contains("2022")) return new(10, 0, 20348);
        if (lower.Contains("2019")) return new(10, 0, 17763);
        if (lower.Contains("2016")) return new(10, 0, 14393);
        if (lower.Contains("2012 r2")) return new(6, 3, 9600);
        if (lower.Contains("2012")) return new(6, 2, 9200);
        if (lower.Contains("2008 r2")) return new(6, 1, 7600);
        if (lower.Contains("2008")) return new(6, 0, 6001);
        return ParseLoose(name);
    }

    /// <summary>The first dotted number in a text ("8.0u3" → 8.0.3, "10.0.17763" → 10.0.17763); 0.0 when none.</summary>
    public static Version ParseLoose(string text)
    {
        var m = Regex.Match(text, @"(\d+)(?:\.(\d+))?(?:(?:\.|u|U\s?)(\d+))?(?:\.(\d+))?");
        if (!m.Success) return new(0, 0);
        int Part(int i) => m.Groups[i].Success ? int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        return m.Groups[3].Success ? new Version(Part(1), Part(2), Part(3)) : new Version(Part(1), Part(2));
    }

    /// <summary>Windows Server 2012 (NT 6.2): the first Hyper-V with SR-IOV.</summary>
    public static readonly Version HyperVSriovMinimum = new(6, 2);

    /// <summary>Windows Server 2016 (NT 10.0): the first Hyper-V that gives VFs to Linux guests.</summary>
    public static readonly Version HyperVLinuxGuestSriovMinimum = new(10, 0);

    /// <summary>Windows 8 / Server 2012 (NT 6.2): the oldest Windows guest with SR-IOV support.</summary>
    public static readonly Version WindowsGuestSriovMinimum = new(6, 2);
}
