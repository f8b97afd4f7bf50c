using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Twin.Host.Import;

/// <summary>XML reading shared by the libvirt parsers: several top-level elements per file (a loop of
/// <c>virsh nodedev-dumpxml</c> into one file), line info kept, and PCI <c>&lt;address&gt;</c> parsing.</summary>
internal static class LibvirtXml
{
    /// <summary>Deepest element nesting read; libvirt documents stay under 10.</summary>
    internal const int MaxDepth = 256;

    public static List<XElement> LoadElements(string text, ParseContext ctx)
    {
        var settings = new XmlReaderSettings { ConformanceLevel = ConformanceLevel.Fragment, DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        var result = new List<XElement>();
        try
        {
            // XElement.Load recurses once per level: measure the depth with a streaming pass first
            using (var probe = XmlReader.Create(new StringReader(text), settings))
            {
                while (probe.Read())
                    if (probe.Depth > MaxDepth)
                    {
                        var at = (IXmlLineInfo)probe;
                        throw ctx.Error(at.LineNumber, at.LinePosition, "XML", $"is nested more than {MaxDepth} levels deep");
                    }
            }
            using var reader = XmlReader.Create(new StringReader(text), settings);
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element) continue;
                using var sub = reader.ReadSubtree();
                result.Add(XElement.Load(sub, LoadOptions.SetLineInfo));
            }
        }
        catch (XmlException e)
        {
            throw ctx.Error(e.LineNumber, e.LinePosition, "XML", e.Message);
        }
        return result;
    }

    public static string Describe(XElement e)
    {
        var type = e.Attribute("type");
        return type is null ? $"<{e.Name.LocalName}>" : $"<{e.Name.LocalName} type='{type.Value}'>";
    }

    /// <summary>A PCI <c>&lt;address domain='0x0000' bus='0x02' slot='0x10' function='0x7'/&gt;</c>. Attribute values
    /// use libvirt's base auto-detection (hex with 0x).</summary>
    public static string Address(XElement address, ParseContext ctx, string context)
    {
        int Part(string name, int max, bool required = true)
        {
            var a = address.Attribute(name);
            if (a is null)
            {
                if (!required) return 0;
                throw ctx.Error(address, $"{context} <address>", $"has no {name}='...' attribute");
            }
            if (!Pci.TryParseLibvirtAttribute(a.Value, out var v))
                throw ctx.Error(a, $"{context} <address> {name}='{a.Value}'", "is not a number");
            if (v < 0 || v > max)
                throw ctx.Error(a, $"{context} <address> {name}='{a.Value}'", $"is out of range (0..0x{max.ToString("x", CultureInfo.InvariantCulture)})");
            return v;
        }
        var typeAttr = address.Attribute("type")?.Value;
        if (typeAttr is not null && typeAttr != "pci")
            throw ctx.Error(address, $"{context} <address type='{typeAttr}'>", "is not a PCI address");
        return Pci.Format(Part("domain", Pci.MaxDomain, required: false), Part("bus", Pci.MaxBus), Part("slot", Pci.MaxSlot), Part("function", Pci.MaxFunction));
    }

    /// <summary>A decimal number in an element (<c>&lt;bus&gt;2&lt;/bus&gt;</c>); nodedev writes these with %d.</summary>
    public static int DecimalElement(XElement parent, string name, int max, ParseContext ctx, string context)
    {
        var e = parent.Element(name) ?? throw ctx.Error(parent, $"{context} <{name}>", "is missing");
        var t = e.Value.Trim();
        // Some producers write hex here too; accept an explicit 0x, read everything else as decimal like libvirt writes it.
        var ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(t.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v)
            : int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        if (!ok) throw ctx.Error(e, $"{context} <{name}>{t}</{name}>", "is not a number");
        if (v > max) throw ctx.Error(e, $"{context} <{name}>{t}</{name}>", $"is out of range (0..{max.ToString(CultureInfo.InvariantCulture)})");
        return v;
    }

    public static int? OptionalInt(XAttribute? a, ParseContext ctx, string field)
    {
        if (a is null) return null;
        return int.TryParse(a.Value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw ctx.Error(a, $"{field}='{a.Value}'", "is not a number");
    }
}
