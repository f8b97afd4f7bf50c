using System.Globalization;
using System.Xml.Linq;
using Twin.Events.Platforms;

namespace Twin.Host.Import;

/// <summary>
/// <c>virsh nodedev-dumpxml</c>. A PCI device with <c>&lt;capability type='virt_functions' maxCount='N'&gt;</c> is a PF:
/// maxCount is the ceiling (absent = not reported: SR-IOV disabled or libvirt older than 1.3.0, NOT zero) and the listed
/// addresses are its configured VFs in virtfn order. <c>&lt;capability type='phys_function'&gt;</c> marks a VF. A network
/// controller without SR-IOV capabilities is a PF whose ceiling is unknown. <c>&lt;capability type='net'&gt;</c> devices
/// map a netdev name to its PCI parent. Elements (<c>&lt;bus&gt;2&lt;/bus&gt;</c>) are decimal, attributes
/// (<c>bus='0x02'</c>) hexadecimal.
/// </summary>
internal static class LibvirtNodeDeviceParser
{
    public static void Parse(string text, ParseContext ctx)
    {
        ctx.Output.Platform = Platform.Kvm;
        var roots = LibvirtXml.LoadElements(text, ctx);
        var devices = roots.SelectMany(r => r.Name.LocalName == "device" ? [r] : r.Elements("device")).ToList();
        if (devices.Count == 0) throw ctx.Error(roots.FirstOrDefault() ?? new XElement("none"), "<device>", "is missing (not a node device dump)");
        foreach (var device in devices) Device(device, ctx);
    }

    private static void Device(XElement device, ParseContext ctx)
    {
        var name = device.Element("name")?.Value.Trim();
        var line = ParseContext.LineOf(device);
        var caps = device.Elements("capability").ToList();
        var pciCap = caps.FirstOrDefault(c => c.Attribute("type")?.Value == "pci");
        var netCap = caps.FirstOrDefault(c => c.Attribute("type")?.Value == "net");
        if (pciCap is not null) PciDevice(device, pciCap, name, ctx);
        else if (netCap is not null) NetDevice(device, netCap, ctx);
        else ctx.Info(line, $"device {name ?? "?"} is neither a PCI nor a net device; skipped");
    }

    private static void PciDevice(XElement device, XElement cap, string? name, ParseContext ctx)
    {
        const string at = "<capability type='pci'>";
        var domain = LibvirtXml.DecimalElement(cap, "domain", Pci.MaxDomain, ctx, at);
        var bus = LibvirtXml.DecimalElement(cap, "bus", Pci.MaxBus, ctx, at);
        var slot = LibvirtXml.DecimalElement(cap, "slot", Pci.MaxSlot, ctx, at);
        var function = LibvirtXml.DecimalElement(cap, "function", Pci.MaxFunction, ctx, at);
        var pci = Pci.Format(domain, bus, slot, function);
        var line = ParseContext.LineOf(device);
        if (Pci.FromLibvirtName(name) is { } fromName && fromName != pci)
            ctx.Warn(line, $"device name {name} (hex {fromName}) disagrees with its decimal <domain>/<bus>/<slot>/<function> ({pci}); using {pci}");

        var inner = cap.Elements("capability").ToList();
        var physFn = inner.FirstOrDefault(c => c.Attribute("type")?.Value == "phys_function");
        var virtFns = inner.FirstOrDefault(c => c.Attribute("type")?.Value == "virt_functions");
        var cls = cap.Element("class")?.Value.Trim();
        var isNetworkClass = cls is null || cls.StartsWith("0x02", StringComparison.OrdinalIgnoreCase);
        var vendor = cap.Element("vendor");
        var product = cap.Element("product");

        if (physFn is not null)
        {
            var pfAddress = physFn.Element("address") ?? throw ctx.Error(physFn, "<capability type='phys_function'> <address>", "is missing");
            var pf = LibvirtXml.Address(pfAddress, ctx, "<capability type='phys_function'>");
            ctx.Output.Vfs.Add(new(null, pci, NicRef.ByPci(pf), null, line, Vendors.Hex4(product?.Attribute("id")?.Value)));
            if (virtFns is null)
            {
                ctx.Output.Pf(pci, line).IsVf = true;
                return;
            }
            ctx.Warn(line, $"{pci} has both phys_function (VF of {pf}) and virt_functions; read as a PF (libvirt schema test data combines them)");
        }
        if (virtFns is null && !isNetworkClass)
        {
            ctx.Info(line, $"{pci} (class {cls}) is not a network controller and has no SR-IOV capability; skipped");
            return;
        }

        var o = ctx.Output.Pf(pci, line);
        o.AssertsPf = true;
        o.VendorId = Vendors.Hex4(vendor?.Attribute("id")?.Value);
        o.Vendor = Vendors.FromId(o.VendorId);
        o.DeviceId = Vendors.Hex4(product?.Attribute("id")?.Value);
        var productName = product?.Value.Trim();
        o.Model = !string.IsNullOrEmpty(productName) ? Describe(vendor?.Value.Trim(), productName) : Vendors.DeviceName(o.VendorId, o.DeviceId);
        if (cap.Element("numa") is { } numa)
            o.NumaNode = NumaOrZero(LibvirtXml.OptionalInt(numa.Attribute("node"), ctx, "<numa> node"));
        if (device.Element("driver")?.Element("name")?.Value.Trim() is { Length: > 0 } driver) o.Driver = driver;

        if (virtFns is not null)
        {
            o.MaxVfs = LibvirtXml.OptionalInt(virtFns.Attribute("maxCount"), ctx, "<capability type='virt_functions'> maxCount");
            if (o.MaxVfs is < 0) throw ctx.Error(virtFns.Attribute("maxCount")!, $"<capability type='virt_functions'> maxCount='{o.MaxVfs}'", "is negative");
            var addresses = virtFns.Elements("address").ToList();
            o.ConfiguredVfs = addresses.Count;
            o.PfDriverSupportsSriov = true;
            for (var i = 0; i < addresses.Count; i++)
                ctx.Output.Vfs.Add(new(null, LibvirtXml.Address(addresses[i], ctx, "<capability type='virt_functions'>"), NicRef.ByPci(pci), i, ParseContext.LineOf(addresses[i])));
            if (o.MaxVfs is null)
                ctx.Info(ParseContext.LineOf(virtFns), $"{pci}: virt_functions without maxCount: the VF ceiling is not reported (libvirt before 1.3.0), not zero");
            if (o.MaxVfs is { } max && addresses.Count > max)
                ctx.Warn(ParseContext.LineOf(virtFns), $"{pci}: {addresses.Count.ToString(CultureInfo.InvariantCulture)} VFs listed but maxCount is {max.ToString(CultureInfo.InvariantCulture)}");
        }
        else
        {
            ctx.Info(line, $"{pci}: no SR-IOV capability reported (SR-IOV disabled, no PF driver, or an old libvirt): ceiling unknown, not zero");
        }
    }

    private static void NetDevice(XElement device, XElement cap, ParseContext ctx)
    {
        var parent = device.Element("parent")?.Value.Trim();
        var iface = cap.Element("interface")?.Value.Trim();
        var pci = Pci.FromLibvirtName(parent);
        if (iface is null || pci is null) return;
        var o = ctx.Output.Pf(pci, ParseContext.LineOf(device)).Alias(AliasKind.Netdev, iface);
        if (cap.Element("link") is { } link && LibvirtXml.OptionalInt(link.Attribute("speed"), ctx, "<link> speed") is > 0 and var speed)
            o.LinkMbps = speed;
    }

    internal static string Describe(string? vendor, string product)
    {
        if (string.IsNullOrEmpty(vendor) || product.Contains(FirstWord(vendor), StringComparison.OrdinalIgnoreCase)) return product;
        return $"{FirstWord(vendor)} {product}";
    }

    private static string FirstWord(string s) => s.Split(' ', 2)[0];

    // sysfs and libvirt report -1 when the platform has no NUMA affinity for the device: one node, node 0.
    internal static int NumaOrZero(int? node) => node is null or < 0 ? 0 : node.Value;
}
