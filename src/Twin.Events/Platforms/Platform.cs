using System.Text.Json.Serialization;

namespace Twin.Events.Platforms;

/// <summary>The hypervisor platform of a host. Its SR-IOV rules differ (see <see cref="PlatformRules"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Platform>))]
public enum Platform
{
    /// <summary>Microsoft Hyper-V on Windows Server.</summary>
    HyperV,

    /// <summary>VMware vSphere (ESXi).</summary>
    VSphere,

    /// <summary>Linux KVM managed by libvirt (also OpenStack Nova and KubeVirt hosts).</summary>
    Kvm,
}
