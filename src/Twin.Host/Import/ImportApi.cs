using System.Globalization;
using Twin.Events.Common;
using Twin.Events.Inventory;

namespace Twin.Host.Import;

/// <summary>The capture formats <see cref="InventoryImporter"/> reads. Each is detected from the content, or named
/// explicitly (<see cref="ImportFormats.Parse"/> accepts these names and the short aliases listed there).</summary>
public enum ImportFormat
{
    /// <summary><c>virsh nodedev-dumpxml</c>: one or more <c>&lt;device&gt;</c> elements (PCI PFs, VFs, net devices).</summary>
    LibvirtNodeDevice,
    /// <summary><c>virsh net-dumpxml</c>: a <c>&lt;network&gt;</c> (hostdev VF pool, macvtap passthrough, bridge, NAT).</summary>
    LibvirtNetwork,
    /// <summary><c>virsh dumpxml</c>: a <c>&lt;domain&gt;</c> and its interfaces and PCI host devices.</summary>
    LibvirtDomain,
    /// <summary>Linux sysfs in the ttar text format (a directory tree is turned into this form by <see cref="CaptureFiles"/>).</summary>
    SysfsTtar,
    /// <summary><c>ip -j link</c> (optionally <c>-d</c>): a JSON array of links with <c>vfinfo_list</c>.</summary>
    IpLinkJson,
    /// <summary><c>ip link show</c> text with <c>vf N ...</c> lines, or a shell transcript mixing it with
    /// <c>ibdev2netdev -v</c>, <c>lspci</c> and <c>echo N &gt; .../sriov_numvfs</c>.</summary>
    IpLinkText,
    /// <summary>Hyper-V PowerShell <c>Format-List</c> text: <c>Get-VMSwitch | select * | fl</c>, <c>vfpctrl /list-vmswitch-port</c>.</summary>
    HyperVText,
    /// <summary>Hyper-V PowerShell <c>ConvertTo-Json</c> of Get-VMHost, Get-VMSwitch, Get-NetAdapterSriov,
    /// Get-VMNetworkAdapter, Get-NetAdapterSriovVf, Get-NetAdapterHardwareInfo.</summary>
    HyperVJson,
    /// <summary><c>esxcli network sriovnic list</c>.</summary>
    EsxcliSriovNicList,
    /// <summary><c>esxcli network sriovnic vf list -n vmnicN</c> (ESXi 8 and the pre-8.0u3 decimal-address shape).</summary>
    EsxcliSriovNicVfList,
    /// <summary><c>esxcli vm process list</c> (World ID / VMX Cartel ID → VM name).</summary>
    EsxcliVmProcessList,
    /// <summary><c>esxcli intnet sriovnic vf get</c> (Intel plugin: trust / spoof check; nothing in the model).</summary>
    EsxcliIntnetVfGet,
    /// <summary>A shell transcript of several esxcli commands, each after its prompt line.</summary>
    EsxcliSession,
    /// <summary>vSphere <c>HostSriovInfo</c> JSON (raw objects, or the Ansible <c>vmware_host_sriov</c> result).</summary>
    VSphereSriovJson,
    /// <summary>OpenStack Placement API JSON: inventories, usages, allocation candidates, resource providers, resource classes.</summary>
    PlacementJson,
    /// <summary>SR-IOV network operator <c>SriovNetworkNodeState</c> (YAML or JSON, a whole object, a List, or a
    /// <c>status.interfaces</c> excerpt); the CRD schema is recognised and yields nothing.</summary>
    K8sSriovNodeState,
    /// <summary>SR-IOV network operator <c>SriovNetworkNodePolicy</c> (desired state).</summary>
    K8sSriovNodePolicy,
    /// <summary>SR-IOV device plugin configuration: the ConfigMap YAML or its <c>config.json</c>.</summary>
    K8sDevicePluginConfig,
    /// <summary>A node's allocatable resources: <c>kubectl get node -o json</c> (or its <c>.status.allocatable</c>) or
    /// the <c>Allocatable:</c> block of <c>kubectl describe node</c>.</summary>
    K8sNodeAllocatable,
    /// <summary>sriov-network-metrics-exporter Prometheus text (<c>sriov_vf_*{pciAddr,pf,vf,numa_node}</c>).</summary>
    PrometheusSriovMetrics,
    /// <summary>Twin's own host facts (<c>kind: TwinHost</c>, YAML or JSON): platform, OS, cores and memory that
    /// SR-IOV captures rarely carry.</summary>
    TwinHostFacts,
}

/// <summary>Format names for messages and command lines.</summary>
public static class ImportFormats
{
    private static readonly Dictionary<string, ImportFormat> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["nodedev"] = ImportFormat.LibvirtNodeDevice,
        ["libvirt-nodedev"] = ImportFormat.LibvirtNodeDevice,
        ["libvirt-network"] = ImportFormat.LibvirtNetwork,
        ["network"] = ImportFormat.LibvirtNetwork,
        ["libvirt-domain"] = ImportFormat.LibvirtDomain,
        ["domain"] = ImportFormat.LibvirtDomain,
        ["sysfs"] = ImportFormat.SysfsTtar,
        ["ttar"] = ImportFormat.SysfsTtar,
        ["ip-json"] = ImportFormat.IpLinkJson,
        ["ip-link"] = ImportFormat.IpLinkText,
        ["hyperv"] = ImportFormat.HyperVText,
        ["hyperv-json"] = ImportFormat.HyperVJson,
        ["esxcli-sriovnic"] = ImportFormat.EsxcliSriovNicList,
        ["esxcli-vf"] = ImportFormat.EsxcliSriovNicVfList,
        ["esxcli-vm"] = ImportFormat.EsxcliVmProcessList,
        ["esxcli-intnet"] = ImportFormat.EsxcliIntnetVfGet,
        ["esxcli"] = ImportFormat.EsxcliSession,
        ["vsphere"] = ImportFormat.VSphereSriovJson,
        ["placement"] = ImportFormat.PlacementJson,
        ["k8s-nodestate"] = ImportFormat.K8sSriovNodeState,
        ["k8s-policy"] = ImportFormat.K8sSriovNodePolicy,
        ["k8s-deviceplugin"] = ImportFormat.K8sDevicePluginConfig,
        ["k8s-allocatable"] = ImportFormat.K8sNodeAllocatable,
        ["prometheus"] = ImportFormat.PrometheusSriovMetrics,
        ["host-facts"] = ImportFormat.TwinHostFacts,
        ["twinhost"] = ImportFormat.TwinHostFacts,
    };

    /// <summary>Every format name, for "supported formats" messages.</summary>
    public static string Supported => string.Join(", ", Enum.GetNames<ImportFormat>());

    /// <summary>Parses a format name (enum name or alias such as <c>nodedev</c>, <c>sysfs</c>, <c>esxcli-vf</c>).</summary>
    public static ImportFormat Parse(string name) =>
        Enum.TryParse<ImportFormat>(name, ignoreCase: true, out var f) && Enum.IsDefined(f) ? f
        : Aliases.TryGetValue(name, out var a) ? a
        : throw new ArgumentException($"unknown import format '{name}'; supported: {Supported} (aliases: {string.Join(", ", Aliases.Keys.Order(StringComparer.Ordinal))})", nameof(name));
}

/// <summary>How to import. <paramref name="Host"/> names the host of captures that do not name it themselves;
/// <paramref name="Format"/> forces a format instead of detecting it; <paramref name="Cluster"/> is given to every
/// host created; <paramref name="SkipUnknown"/> turns an unrecognised file into a diagnostic instead of an error
/// (useful when importing a folder that also holds notes). <paramref name="Cores"/>, <paramref name="MemoryMiB"/> and
/// <paramref name="Os"/> are given to hosts whose captures (and host facts files) do not say.</summary>
public sealed record ImportOptions(string? Host = null, ImportFormat? Format = null, string Cluster = "", bool SkipUnknown = false,
    int? Cores = null, long? MemoryMiB = null, string? Os = null)
{
    public static readonly ImportOptions Default = new();
}

/// <summary>One capture to import: its name (for messages), its text and, when known from where it was found
/// (a host folder), the host it belongs to.</summary>
public sealed record CaptureFile(string SourceName, string Text, string? Host = null);

/// <summary>Severity of an import diagnostic. Errors are never diagnostics: they throw <see cref="ImportException"/>.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Something worth knowing that needs no action (a modelling choice, a field the model lacks).</summary>
    Info,
    /// <summary>Data that could not be placed, or that disagrees between captures (the later capture wins).</summary>
    Warning,
}

/// <summary>A note about an import: which file (and line, when one applies) and what happened.</summary>
public sealed record Diagnostic(DiagnosticSeverity Severity, string Source, int? Line, string Message)
{
    public override string ToString() =>
        $"{Severity.ToString().ToLowerInvariant()}: {Source}{(Line is { } l ? " line " + l.ToString(CultureInfo.InvariantCulture) : "")}: {Message}";
}

/// <summary>A pool count a capture reports that the <see cref="Topology"/> has no field for: a scheduler's capacity
/// and use (Placement <c>SRIOV_NET_VF</c>, a Kubernetes extended resource, Hyper-V VFs in use). <paramref name="Nic"/>
/// is null when the capture does not say which PF the pool lives on.</summary>
public sealed record ObservedPool(HostId Host, NicId? Nic, string Name, int? Capacity, int? Used, string Source);

/// <summary>The result of an import: the topology, what could not be mapped or disagreed (diagnostics), pool counts
/// the topology has no place for, and the format each file was read as.</summary>
public sealed record ImportResult(
    Topology Topology,
    IReadOnlyList<Diagnostic> Diagnostics,
    IReadOnlyList<ObservedPool> ObservedPools,
    IReadOnlyList<(string Source, ImportFormat Format)> Files)
{
    /// <summary>Hosts the twin cannot register because no capture, host facts file or option gave their core count
    /// or memory (the twin places VMs by both), each with what is missing.</summary>
    public IReadOnlyList<string> HostsMissingFacts() =>
        Topology.Hosts.Where(h => h.Cores <= 0 || h.MemoryMiB <= 0)
            .Select(h => $"host {h.Id}: {(h.Cores <= 0 && h.MemoryMiB <= 0 ? "core count and memory" : h.Cores <= 0 ? "core count" : "memory")} unknown")
            .ToList();
}

/// <summary>A capture that cannot be read: the message names the file, the line (and column when known) and the
/// field, e.g. <c>pci_0000_02_10_7.xml line 7: &lt;capability type='virt_functions'&gt; maxCount='x' is not a number</c>.
/// An import that throws returns nothing.</summary>
public sealed class ImportException : Exception
{
    public ImportException(string source, int? line, int? column, string field, string problem)
        : base(Format(source, line, column, field, problem))
    {
        File = source;
        Line = line;
        Column = column;
        Field = field;
    }

    public ImportException(string message) : base(message) => File = "";

    public ImportException() : this("import failed") { }

    public ImportException(string message, Exception inner) : base(message, inner) => File = "";

    /// <summary>The file name (the capture's source name).</summary>
    public string File { get; }

    public int? Line { get; }
    public int? Column { get; }

    /// <summary>The element, attribute, key or column that is wrong.</summary>
    public string? Field { get; }

    private static string Format(string source, int? line, int? column, string field, string problem)
    {
        var where = line is { } l
            ? column is { } c ? $" line {l.ToString(CultureInfo.InvariantCulture)}, column {c.ToString(CultureInfo.InvariantCulture)}" : $" line {l.ToString(CultureInfo.InvariantCulture)}"
            : "";
        return string.IsNullOrEmpty(field) ? $"{source}{where}: {problem}" : $"{source}{where}: {field} {problem}";
    }
}
