namespace Twin.Host.Tests.Faults;

/// <summary>The datacenter the fault tests load: a Hyper-V host and a KVM host, each with one PF of
/// <c>vfs</c> VFs behind an IOV switch, and <c>vmsPerHost</c> VMs per host whose one vNIC wants a VF — more VMs
/// than VFs, so Hyper-V VMs wait on the synthetic path and get VFs handed over, and KVM starts are refused when the
/// pool is empty.</summary>
internal static class FaultDatacenter
{
    public static async Task<(IReadOnlyList<string> Vms, IReadOnlyList<string> Pfs)> Create(HttpClient http, int vfs = 4, int vmsPerHost = 8)
    {
        var vms = new List<string>();
        var pfs = new List<string>();
        foreach (var (platform, os, guest) in new[] { ("HyperV", "Windows Server 2022", "Windows Server 2022"), ("Kvm", "libvirt 9.0", "Ubuntu 22.04") })
        {
            var host = Http.NewId(platform.ToLowerInvariant());
            var nic = $"{host}/0000:3b:00.0";
            var sw = $"{host}/ext";
            (await http.Post("api/hosts", new { host, platform, os, cores = 256, memoryMiB = 1_048_576, cluster = "faults" })).Succeeded();
            (await http.Post("api/nics", new { nic, host, pciAddress = "0000:3b:00.0", model = "Intel E810", vendor = "Intel", linkMbps = 25_000, numaNode = 0, maxVfs = 128 })).Succeeded();
            (await http.Post($"api/nics/{Http.Seg(nic)}/enable", new { vfCount = vfs })).Succeeded();
            (await http.Post("api/switches", new { @switch = sw, host, name = "ext", kind = "External", boundNic = nic, iovEnabled = true })).Succeeded();
            pfs.Add(nic);
            for (var i = 0; i < vmsPerHost; i++)
            {
                var vm = Http.NewId($"vm{i}");
                (await http.Post("api/vms", new { vm, host, guest, vcpus = 2, memoryMiB = 4096, vnics = new[] { new { name = "net0", @switch = sw, iovWeight = 10 + i * 10, queuePairs = 1 } } }))
                    .Succeeded();
                vms.Add(vm);
            }
        }
        return (vms, pfs);
    }
}
