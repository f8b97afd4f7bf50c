using Twin.Events.Platforms;
using Twin.Host.Import;

namespace Twin.Host.Tests.Import;

/// <summary>Twin's host facts file (kind: TwinHost) and the import options that stand in for it: the facts the twin needs
/// to place VMs (cores, memory) and check prerequisites (platform, host OS) that SR-IOV captures rarely carry.</summary>
public sealed class HostFactsImportTests
{
    private const string Facts = """
        # facts of a Hyper-V host
        kind: TwinHost
        name: hv-07
        platform: Hyper-V
        os: Windows Server 2022 Datacenter
        cores: 48
        memoryGiB: 384
        """;

    [Fact]
    public void A_facts_file_is_detected_and_gives_platform_os_cores_and_memory()
    {
        Assert.Equal(ImportFormat.TwinHostFacts, InventoryImporter.Detect("host.yaml", Facts));
        var host = Assert.Single(Fixtures.Text("host.yaml", Facts, host: null).Topology.Hosts);
        Assert.Equal(("hv-07", Platform.HyperV, "Windows Server 2022 Datacenter", 48, 384L * 1024),
            (host.Id.Value, host.Platform, host.Os, host.Cores, host.MemoryMiB));
    }

    [Fact]
    public void The_json_form_and_a_yaml_stream_of_several_hosts_are_read()
    {
        var json = """{ "kind": "TwinHost", "name": "esx-2", "platform": "vsphere", "os": "ESXi 8.0U3", "cores": 32, "memoryMiB": 131072 }""";
        Assert.Equal(ImportFormat.TwinHostFacts, InventoryImporter.Detect("esx-2.json", json));
        Assert.Equal((Platform.VSphere, 131072L), Fixtures.Text("esx-2.json", json).Topology.Hosts.Select(h => (h.Platform, h.MemoryMiB)).Single());

        var stream = "kind: TwinHost\nname: a\ncores: 8\nmemoryGiB: 64\n---\nkind: TwinHost\nname: b\ncores: 16\nmemoryGiB: 128\n";
        Assert.Equal([("a", 8), ("b", 16)], Fixtures.Text("hosts.yaml", stream).Topology.Hosts.Select(h => (h.Id.Value, h.Cores)));
    }

    [Fact]
    public void Without_a_name_the_facts_belong_to_the_host_of_the_file_and_merge_with_its_captures()
    {
        var r = InventoryImporter.Import(
        [
            new CaptureFile("kvm-a01/sysfs-e810.ttar", Fixtures.File("linux-sysfs/procfs_e810_0000-a2-00.0.ttar").Text, "kvm-a01"),
            new CaptureFile("kvm-a01/host.yaml", "kind: TwinHost\nplatform: kvm\nos: Ubuntu 24.04 LTS\ncores: 64\nmemoryGiB: 512\n", "kvm-a01"),
        ]);
        var host = Assert.Single(r.Topology.Hosts);
        Assert.Equal(("kvm-a01", Platform.Kvm, 64, "Ubuntu 24.04 LTS"), (host.Id.Value, host.Platform, host.Cores, host.Os));
        Assert.Equal("kvm-a01", Assert.Single(r.Topology.Nics).Host.Value);
        Assert.Empty(r.HostsMissingFacts());
    }

    [Theory]
    [InlineData("kind: TwinHost\ncores: 8\nmemoryGiB: 64\nram: 12\n", "host.yaml line 4, column 6: ram is not a TwinHost field")]
    [InlineData("kind: TwinHost\nplatform: xen\ncores: 8\n", "platform 'xen' is not a platform (kvm, hyperv or vsphere)")]
    [InlineData("kind: TwinHost\ncores: -4\n", "line 2, column 8: cores must be a positive number of cores, not -4")]
    [InlineData("kind: TwinHost\ncores: many\n", "cores 'many' is not a number")]
    [InlineData("kind: TwinHost\ncores: 4\nmemoryGiB: 8\nmemoryMiB: 8192\n", "memoryMiB and memoryGiB are both given; keep one")]
    [InlineData("kind: TwinHost\nmemoryGiB: 0\n", "memoryGiB must be a positive amount of memory, not 0")]
    [InlineData("kind: TwinHost\nname: ''\n", "name must be a non-empty text")]
    public void A_wrong_facts_file_fails_naming_the_line_and_field(string text, string message)
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("host.yaml", text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("host.yaml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hosts_whose_captures_lack_cores_or_memory_are_listed_and_options_fill_them_with_a_note()
    {
        var sysfs = Fixtures.File("linux-sysfs/procfs_e810_0000-a2-00.0.ttar");
        var bare = InventoryImporter.Import([sysfs], new ImportOptions(Host: "kvm-9"));
        Assert.Equal(["host kvm-9: core count and memory unknown"], bare.HostsMissingFacts());

        var coresOnly = InventoryImporter.Import([sysfs, ("host.yaml", "kind: TwinHost\ncores: 16\n")], new ImportOptions(Host: "kvm-9"));
        Assert.Equal(["host kvm-9: memory unknown"], coresOnly.HostsMissingFacts());

        var filled = InventoryImporter.Import([sysfs], new ImportOptions(Host: "kvm-9", Cores: 32, MemoryMiB: 65536, Os: "Debian 12"));
        Assert.Empty(filled.HostsMissingFacts());
        Assert.Equal((32, 65536L, "Debian 12"), filled.Topology.Hosts.Select(h => (h.Cores, h.MemoryMiB, h.Os)).Single());
        Assert.True(filled.Says("host kvm-9: the captures do not say; using 32 cores, 65536 MiB, OS 'Debian 12' from the command line"));

        // a capture's own figure wins over the option
        var own = InventoryImporter.Import([sysfs, ("host.yaml", "kind: TwinHost\ncores: 16\n")], new ImportOptions(Host: "kvm-9", Cores: 32, MemoryMiB: 65536));
        Assert.Equal((16, 65536L), own.Topology.Hosts.Select(h => (h.Cores, h.MemoryMiB)).Single());
    }

    [Fact]
    public void The_sample_datacenter_has_the_facts_of_every_host()
    {
        var r = InventoryImporter.Import(CaptureFiles.Read([Path.Combine(Fixtures.Root, "samples", "datacenter")]));
        Assert.Equal(["AMVAL-216-025", "kvm-a01", "kvm-a02", "kvm-a03", "kvm-a04"], r.Topology.Hosts.Select(h => h.Id.Value));
        Assert.Empty(r.HostsMissingFacts());
        Assert.Equal(Platform.HyperV, r.Topology.Hosts[0].Platform);
        Assert.All(r.Topology.Hosts.Skip(1), h => Assert.Equal((Platform.Kvm, 64), (h.Platform, h.Cores)));
        Assert.Equal(5, r.Topology.Nics.Count);
        // 8086:159b is the 25 GbE E810-XXV (ice_devids.h); the sysfs copy has no link speed, so the catalog's stands in
        var e810 = r.Topology.Nics.Single(n => n.Id.Value == "kvm-a01/0000:a2:00.0");
        Assert.Equal(("Intel Ethernet Controller E810-XXV for SFP", 25_000, 128), (e810.Model, e810.LinkMbps, e810.MaxVfs));
        Assert.True(r.Says("kvm-a01/0000:a2:00.0: no capture gives its link rate; 25000 Mbit/s from the NIC catalog (Intel E810-XXV 25G (ice))"));
    }
}
