using System.Globalization;
using System.Text.RegularExpressions;
using Twin.Events.Nics;

namespace Twin.Host.Import;

/// <summary>PCI addresses in the one form the model uses: <c>dddd:bb:ss.f</c>, lowercase hexadecimal.</summary>
internal static partial class Pci
{
    [GeneratedRegex(@"^(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$")]
    private static partial Regex HexAddress();

    // ESXi before 8.0u3 prints a 5-digit domain and a 3-digit DECIMAL bus, e.g. 00000:134:02.0 (= 0000:86:02.0).
    [GeneratedRegex(@"^([0-9]{5}):([0-9]{3}):([0-9]{2})\.([0-7])$")]
    private static partial Regex EsxiDecimalAddress();

    [GeneratedRegex(@"(?<![0-9a-fA-F:])[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7](?![0-9])")]
    private static partial Regex EmbeddedAddress();

    public const int MaxDomain = 0xffff, MaxBus = 0xff, MaxSlot = 0x1f, MaxFunction = 7;

    public static string Format(int domain, int bus, int slot, int function) =>
        string.Create(CultureInfo.InvariantCulture, $"{domain:x4}:{bus:x2}:{slot:x2}.{function:x1}");

    /// <summary>Parses a hexadecimal address (<c>0000:a2:00.0</c>, <c>A2:00.0</c>, domain optional).</summary>
    public static string? TryParseHex(string? text)
    {
        if (text is null) return null;
        var m = HexAddress().Match(text.Trim());
        if (!m.Success) return null;
        int H(int g, int dflt = 0) => m.Groups[g].Success ? int.Parse(m.Groups[g].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : dflt;
        var slot = H(3);
        return slot > MaxSlot ? null : Format(H(1), H(2), slot, H(4));
    }

    /// <summary>Parses an esxcli address: the pre-8.0u3 decimal form (<c>00000:134:02.0</c>) or the hexadecimal one.</summary>
    public static string? TryParseEsxi(string? text, out bool wasDecimal)
    {
        wasDecimal = false;
        if (text is null) return null;
        var m = EsxiDecimalAddress().Match(text.Trim());
        if (m.Success)
        {
            int D(int g) => int.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
            if (D(1) > MaxDomain || D(2) > MaxBus || D(3) > MaxSlot) return null;
            wasDecimal = true;
            return Format(D(1), D(2), D(3), D(4));
        }
        return TryParseHex(text);
    }

    /// <summary>The first PCI address inside a longer text (a provider name such as <c>compute1_0000:81:00.0</c>).</summary>
    public static string? FindIn(string? text) =>
        text is not null && EmbeddedAddress().Match(text) is { Success: true } m ? TryParseHex(m.Value) : null;

    /// <summary>libvirt device names encode the address in hex: <c>pci_0000_02_10_7</c>.</summary>
    public static string? FromLibvirtName(string? name)
    {
        if (name is null || !name.StartsWith("pci_", StringComparison.Ordinal)) return null;
        var parts = name[4..].Split('_');
        return parts.Length == 4 ? TryParseHex($"{parts[0]}:{parts[1]}:{parts[2]}.{parts[3]}") : null;
    }

    /// <summary>libvirt reads address attributes with base auto-detection (strtol base 0): <c>0x</c> hex, a leading
    /// <c>0</c> octal, else decimal. Elements such as <c>&lt;bus&gt;2&lt;/bus&gt;</c> are always decimal.</summary>
    public static bool TryParseLibvirtAttribute(string text, out int value)
    {
        var t = text.Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            return int.TryParse(t.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out value);
        if (t.Length > 1 && t[0] == '0')
        {
            value = 0;
            foreach (var c in t[1..])
            {
                if (c is < '0' or > '7') return false;
                value = value * 8 + (c - '0');
            }
            return true;
        }
        return int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}

/// <summary>PCI vendor ids and names → <see cref="NicVendor"/>, and the few device ids whose names the model may show
/// when a capture carries only numbers (names as in the PCI ID repository, pci-ids.ucw.cz).</summary>
internal static class Vendors
{
    public static NicVendor FromId(string? vendorId) => Hex4(vendorId) switch
    {
        "8086" => NicVendor.Intel,
        "15b3" => NicVendor.Mellanox,
        "19a2" or "10df" => NicVendor.Emulex,
        "14e4" => NicVendor.Broadcom,
        "1425" => NicVendor.Chelsio,
        "1924" => NicVendor.Solarflare,
        _ => NicVendor.Other,
    };

    public static NicVendor? FromName(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        (string, NicVendor)[] names =
        [
            ("intel", NicVendor.Intel), ("mellanox", NicVendor.Mellanox), ("nvidia", NicVendor.Mellanox), ("connectx", NicVendor.Mellanox),
            ("emulex", NicVendor.Emulex), ("broadcom", NicVendor.Broadcom), ("chelsio", NicVendor.Chelsio), ("solarflare", NicVendor.Solarflare),
        ];
        foreach (var (n, v) in names) if (text.Contains(n, StringComparison.OrdinalIgnoreCase)) return v;
        return null;
    }

    /// <summary>Normalises <c>0x8086</c>, <c>8086</c>, <c>"8086"</c> to four lowercase hex digits; null when not hex.</summary>
    public static string? Hex4(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        var t = id.Trim().Trim('"');
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) t = t[2..];
        return t.Length is > 0 and <= 4 && int.TryParse(t, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v)
            ? v.ToString("x4", CultureInfo.InvariantCulture)
            : null;
    }

    private static readonly Dictionary<string, string> DeviceNames = new(StringComparer.Ordinal)
    {
        // Linux drivers/net/ethernet/intel/ice/ice_devids.h: 0x1592 E810-C for QSFP, 0x1593 E810-C for SFP, 0x159B E810-XXV for SFP
        ["8086:159b"] = "Intel Ethernet Controller E810-XXV for SFP",
        ["8086:1593"] = "Intel Ethernet Controller E810-C for SFP",
        ["8086:1592"] = "Intel Ethernet Controller E810-C for QSFP",
        ["8086:1572"] = "Intel Ethernet Controller X710 for 10GbE SFP+",
        ["8086:1583"] = "Intel Ethernet Controller XL710 for 40GbE QSFP+",
        ["8086:10fb"] = "Intel 82599ES 10-Gigabit SFI/SFP+ Network Connection",
        ["8086:1528"] = "Intel Ethernet Controller 10-Gigabit X540-AT2",
        ["8086:1521"] = "Intel I350 Gigabit Network Connection",
        ["8086:1563"] = "Intel Ethernet Controller X550",
        ["8086:10c9"] = "Intel 82576 Gigabit Network Connection",
        ["15b3:1013"] = "Mellanox MT27700 Family [ConnectX-4]",
        ["15b3:1015"] = "Mellanox MT27710 Family [ConnectX-4 Lx]",
        ["15b3:1017"] = "Mellanox MT27800 Family [ConnectX-5]",
        ["15b3:101b"] = "Mellanox MT28908 Family [ConnectX-6]",
        ["15b3:101d"] = "Mellanox MT2892 Family [ConnectX-6 Dx]",
        ["15b3:a2d6"] = "Mellanox MT42822 BlueField-2 integrated ConnectX-6 Dx network controller",
    };

    public static string? DeviceName(string? vendorId, string? deviceId) =>
        Hex4(vendorId) is { } v && Hex4(deviceId) is { } d && DeviceNames.TryGetValue($"{v}:{d}", out var n) ? n : null;
}
