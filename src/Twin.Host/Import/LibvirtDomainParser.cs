using System.Globalization;
using System.Xml.Linq;
using Twin.Events.Platforms;

namespace Twin.Host.Import;

/// <summary>
/// <c>virsh dumpxml</c>. <c>&lt;interface type='hostdev'&gt;</c> with a PCI source is a vNIC holding that VF (mapped to
/// PF and index through the VF lists of the same import); <c>type='network'</c> joins a libvirt network (a VF when that
/// network is a hostdev pool); a plain <c>&lt;hostdev type='pci'&gt;</c> holds a VF when its address is a known VF.
/// A running domain's XML carries <c>id='N'</c>.
/// </summary>
internal static class LibvirtDomainParser
{
    public static void Parse(string text, ParseContext ctx)
    {
        ctx.Output.Platform = Platform.Kvm;
        foreach (var domain in LibvirtXml.LoadElements(text, ctx))
        {
            if (domain.Name.LocalName != "domain") throw ctx.Error(domain, $"<{domain.Name.LocalName}>", "is not a <domain>");
            Domain(domain, ctx);
        }
    }

    private static void Domain(XElement domain, ParseContext ctx)
    {
        var name = domain.Element("name")?.Value.Trim();
        if (string.IsNullOrEmpty(name)) throw ctx.Error(domain, "<domain> <name>", "is missing");
        var line = ParseContext.LineOf(domain);
        var vm = new VmObs { Name = name, Line = line };
        vm.Running = domain.Attribute("id") is { } id && id.Value.Trim() != "-1";
        if (domain.Element("memory") is { } mem) vm.MemoryMiB = MiB(mem, ctx);
        if (domain.Element("vcpu") is { } vcpu)
        {
            var current = vcpu.Attribute("current")?.Value ?? vcpu.Value;
            vm.Vcpus = int.TryParse(current.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw ctx.Error(vcpu, $"<vcpu>{current.Trim()}</vcpu>", "is not a number");
        }
        vm.Guest = GuestFromLibosinfo(domain);

        var devices = domain.Element("devices");
        var ordinal = 0;
        foreach (var iface in devices?.Elements("interface") ?? [])
        {
            var type = iface.Attribute("type")?.Value ?? "";
            var vnic = iface.Element("alias")?.Attribute("name")?.Value ?? $"net{ordinal.ToString(CultureInfo.InvariantCulture)}";
            ordinal++;
            var source = iface.Element("source");
            switch (type)
            {
                case "hostdev":
                    {
                        var address = source?.Element("address")
                            ?? throw ctx.Error(iface, "<interface type='hostdev'> <source><address>", "is missing");
                        var vf = LibvirtXml.Address(address, ctx, "<interface type='hostdev'> <source>");
                        vm.Vnics.Add(new(vnic, null, true, 100, null));
                        ctx.Output.Holders.Add(new(null, name, vnic, vf, null, null, null, ParseContext.LineOf(iface)));
                        break;
                    }
                case "network":
                    {
                        var net = source?.Attribute("network")?.Value
                            ?? throw ctx.Error(iface, "<interface type='network'> <source network=...>", "is missing");
                        vm.Vnics.Add(new(vnic, net, false, null, null));
                        break;
                    }
                case "bridge":
                    vm.Vnics.Add(new(vnic, source?.Attribute("bridge")?.Value ?? "bridge", false, 0, null));
                    break;
                case "direct":
                    vm.Vnics.Add(new(vnic, $"macvtap:{source?.Attribute("dev")?.Value ?? "?"}", false, 0, null));
                    break;
                default:
                    vm.Vnics.Add(new(vnic, type.Length == 0 ? "unknown" : type, false, 0, null));
                    break;
            }
        }
        var hostdevOrdinal = 0;
        foreach (var hostdev in devices?.Elements("hostdev") ?? [])
        {
            if (hostdev.Attribute("type")?.Value != "pci") continue;
            var address = hostdev.Element("source")?.Element("address");
            if (address is null) continue;
            var vnic = hostdev.Element("alias")?.Attribute("name")?.Value ?? $"hostdev{hostdevOrdinal.ToString(CultureInfo.InvariantCulture)}";
            hostdevOrdinal++;
            var pci = LibvirtXml.Address(address, ctx, "<hostdev type='pci'> <source>");
            ctx.Output.Holders.Add(new(null, name, vnic, pci, null, null, null, ParseContext.LineOf(hostdev), PlainHostdev: true));
        }
        if (!vm.Running.Value && ctx.Output.Holders.Any(h => h.Vm == name))
            ctx.Info(line, $"domain {name} is not running (no id='N'): its VFs are assigned in its configuration and held while it runs");
        ctx.Output.Vms.Add(vm);
    }

    private static long MiB(XElement mem, ParseContext ctx)
    {
        var unit = mem.Attribute("unit")?.Value ?? "KiB";
        var text = mem.Value.Trim();
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw ctx.Error(mem, $"<memory>{text}</memory>", "is not a number");
        // libvirt's units: k/K/KiB = 1024, KB = 1000, and so on up to T/TiB, TB.
        long bytesPer = unit switch
        {
            "b" or "bytes" => 1,
            "KB" => 1000,
            "k" or "K" or "KiB" => 1L << 10,
            "MB" => 1_000_000,
            "M" or "MiB" => 1L << 20,
            "GB" => 1_000_000_000,
            "G" or "GiB" => 1L << 30,
            "TB" => 1_000_000_000_000,
            "T" or "TiB" => 1L << 40,
            _ => throw ctx.Error(mem.Attribute("unit")!, $"<memory unit='{unit}'>", "is not a libvirt unit"),
        };
        return value * bytesPer / (1L << 20);
    }

    private static string? GuestFromLibosinfo(XElement domain)
    {
        var os = domain.Element("metadata")?.Elements().Where(e => e.Name.LocalName == "libosinfo")
            .SelectMany(e => e.Elements()).FirstOrDefault(e => e.Name.LocalName == "os")?.Attribute("id")?.Value;
        if (os is null || !Uri.TryCreate(os, UriKind.Absolute, out var uri)) return null;
        var segments = uri.AbsolutePath.Trim('/').Split('/');
        if (uri.Host.Contains("microsoft", StringComparison.OrdinalIgnoreCase) && segments.Length > 0)
        {
            var v = segments[^1];
            return v.StartsWith("2k", StringComparison.OrdinalIgnoreCase)
                ? $"Windows Server 20{v[2..].Replace("r2", " R2", StringComparison.OrdinalIgnoreCase)}"
                : $"Windows {v}";
        }
        return segments.Length >= 2 ? $"{segments[^2]} {segments[^1]}" : segments[^1];
    }
}
