namespace Twin.Host.Tests;

/// <summary>A small datacenter built through the HTTP API: one host with one PF of <c>vfs</c> VFs and an IOV switch.</summary>
internal sealed record Datacenter(string Host, string Nic, string Switch)
{
    public static async Task<Datacenter> Create(HttpClient http, string platform = "HyperV", int vfs = 2, string cluster = "a", int? ceiling = 128)
    {
        var host = Http.NewId("host");
        var nic = $"{host}/0000:3b:00.0";
        var sw = $"{host}/ext";
        var os = platform switch { "VSphere" => "ESXi 8.0u3", "Kvm" => "libvirt 9.0", _ => "Windows Server 2022" };
        (await http.Post("api/hosts", new { host, platform, os, cores = 32, memoryMiB = 262_144, cluster })).Succeeded();
        (await http.Post("api/nics", new
        {
            nic, host, pciAddress = "0000:3b:00.0", model = "Intel E810", vendor = "Intel", linkMbps = 25_000, numaNode = 0, maxVfs = ceiling,
        })).Succeeded();
        (await http.Post($"api/nics/{Http.Seg(nic)}/enable", new { vfCount = vfs })).Succeeded();
        (await http.Post("api/switches", new { @switch = sw, host, name = "ext", kind = "External", boundNic = nic, iovEnabled = true })).Succeeded();
        return new Datacenter(host, nic, sw);
    }

    public async Task<string> Vm(HttpClient http, int weight = 50, string guest = "Windows Server 2022", bool start = true)
    {
        var vm = Http.NewId("vm");
        (await http.Post("api/vms", new { vm, host = Host, guest, vcpus = 2, memoryMiB = 4096, vnics = new[] { new { name = "net0", @switch = Switch, iovWeight = weight, queuePairs = 1 } } }))
            .Succeeded();
        if (start) (await http.Post($"api/vms/{vm}/start")).Succeeded();
        return vm;
    }
}
