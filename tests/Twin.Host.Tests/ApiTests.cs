using System.Text.Json;

namespace Twin.Host.Tests;

/// <summary>Round trips of every use case group through the HTTP API, on the real server.</summary>
[Collection(ServerCollection.Name)]
public sealed class ApiTests(TwinServerFixture fx)
{
    private HttpClient Api => fx.Http;

    [Fact]
    public async Task Inventory_commands_show_up_in_the_inventory_with_ids_as_strings_and_enums_as_names()
    {
        var dc = await Datacenter.Create(Api);
        var vm = await dc.Vm(Api, start: false);

        var inventory = await Api.Get($"api/inventory?host={Http.Seg(dc.Host)}");

        var host = Assert.Single(inventory.GetProperty("hosts").EnumerateArray());
        Assert.Equal(dc.Host, host.GetProperty("id").GetString());
        Assert.Equal("HyperV", host.GetProperty("platform").GetString());
        var nic = Assert.Single(inventory.GetProperty("nics").EnumerateArray());
        Assert.Equal(JsonValueKind.String, nic.GetProperty("host").ValueKind);
        Assert.Equal((128, 2), (nic.GetProperty("ceiling").GetInt32(), nic.GetProperty("configured").GetInt32()));
        Assert.Equal(dc.Nic, Assert.Single(inventory.GetProperty("switches").EnumerateArray()).GetProperty("boundNic").GetString());
        var v = Assert.Single(inventory.GetProperty("vms").EnumerateArray());
        Assert.Equal((vm, "Off"), (v.GetProperty("id").GetString(), v.GetProperty("status").GetString()));
        Assert.Equal(dc.Switch, v.GetProperty("vnics")[0].GetProperty("spec").GetProperty("switch").GetString());
    }

    [Fact]
    public async Task Registering_the_same_host_twice_appends_nothing_and_says_so()
    {
        var dc = await Datacenter.Create(Api);
        var again = await Api.Post("api/hosts", new { host = dc.Host, platform = "HyperV", os = "Windows Server 2022", cores = 32, memoryMiB = 262_144, cluster = "a" });
        Assert.Contains("already registered", again.Succeeded());
    }

    [Fact]
    public async Task Vm_commands_start_stop_migrate_and_change_iov_with_the_datapath_and_its_reason_recorded()
    {
        var dc = await Datacenter.Create(Api, vfs: 1);
        var other = await Datacenter.Create(Api, vfs: 1);
        var first = await dc.Vm(Api);
        var second = await dc.Vm(Api);

        var vm2 = await Api.Get($"api/vms/{second}");
        Assert.Equal("Running", vm2.GetProperty("status").GetString());
        var datapath = vm2.GetProperty("vnics")[0].GetProperty("datapath");
        Assert.Equal(("Synthetic", "VfPoolExhausted"), (datapath.GetProperty("kind").GetString(), datapath.GetProperty("reason").GetString()));

        // Hyper-V live migration: the VM lands on a VF of the destination
        (await Api.Post($"api/vms/{first}/migrate", new { destination = other.Host })).Succeeded();
        var moved = await Api.Get($"api/vms/{first}");
        Assert.Equal(other.Host, moved.GetProperty("host").GetString());
        Assert.Equal(other.Nic, moved.GetProperty("vnics")[0].GetProperty("datapath").GetProperty("nic").GetString());

        // the VF freed on the source went to the waiting vNIC
        await Http.Eventually(async () => (await Api.Get($"api/vms/{second}")).GetProperty("vnics")[0].GetProperty("datapath").GetProperty("kind").GetString() == "Vf",
            "the waiting vNIC gets the VF the migration freed");

        (await Api.Put($"api/vms/{second}/vnics/net0/iov-weight", new { iovWeight = 0 })).Succeeded();
        await Http.Eventually(async () => (await Api.Get($"api/vms/{second}")).GetProperty("vnics")[0].GetProperty("datapath").GetProperty("kind").GetString() == "Synthetic",
            "SR-IOV off puts the vNIC on the synthetic path");
        (await Api.Post($"api/vms/{second}/stop")).Succeeded();
        Assert.Equal("Off", (await Api.Get($"api/vms/{second}")).GetProperty("status").GetString());

        var timeline = await Api.Get($"api/vms/{second}/timeline");
        var entries = timeline.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal("VmDefined", entries[0].GetProperty("event").GetString());
        Assert.Contains(entries, e => e.GetProperty("reason").ValueKind == JsonValueKind.String && e.GetProperty("reason").GetString() == "VfPoolExhausted");
        Assert.Contains(entries, e => e.GetProperty("event").GetString() == "VmStopped");
        Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("operation").GetString())));
    }

    [Fact]
    public async Task Pf_commands_change_the_pool_and_refusals_come_back_as_refused_operations()
    {
        var dc = await Datacenter.Create(Api, platform: "Kvm", vfs: 4);
        var vm = await dc.Vm(Api, guest: "Ubuntu 22.04");

        // Linux refuses N→M with both non-zero
        var refused = await Api.Post($"api/nics/{Http.Seg(dc.Nic)}/set-vfs", new { vfCount = 8 });
        Assert.Contains("MustPassThroughZero", refused.Succeeded(false));

        (await Api.Post($"api/nics/{Http.Seg(dc.Nic)}/pools", new { name = "net-a", vfIndices = new[] { 2, 3 } })).Succeeded();
        (await Api.Put($"api/nics/{Http.Seg(dc.Nic)}/policy", new { policy = "WeightPreemptive" })).Succeeded();
        var allocated = await Api.Post($"api/nics/{Http.Seg(dc.Nic)}/allocate", new { vnic = new { vm = "tool-vm", name = "eth9" }, iovWeight = 10 });
        Assert.True(allocated.GetProperty("granted").GetBoolean());
        (await Api.Post($"api/nics/{Http.Seg(dc.Nic)}/release", new { vnic = new { vm = "tool-vm", name = "eth9" } })).Succeeded();

        var nic = await Api.Get($"api/nics/{Http.Seg(dc.Nic)}");
        Assert.Equal(("WeightPreemptive", 1), (nic.GetProperty("policy").GetString(), nic.GetProperty("allocated").GetInt32()));
        Assert.Contains(nic.GetProperty("slots").EnumerateArray(), s => s.GetProperty("resourcePool").GetString() == "net-a");

        (await Api.Post($"api/nics/{Http.Seg(dc.Nic)}/fail")).Succeeded();
        await Http.Eventually(async () => (await Api.Get($"api/vms/{vm}")).GetProperty("vnics")[0].GetProperty("datapath") is var d
                                          && d.GetProperty("kind").GetString() != "Vf" && d.GetProperty("reason").GetString() == "NicFailed",
            "the VM learns that its VF went with the failed PF");
        (await Api.Post($"api/nics/{Http.Seg(dc.Nic)}/repair")).Succeeded();
        (await Api.Post($"api/nics/{Http.Seg(dc.Nic)}/disable")).Succeeded();
        var after = await Api.Get($"api/nics/{Http.Seg(dc.Nic)}");
        Assert.Equal((false, 0), (after.GetProperty("sriovEnabled").GetBoolean(), after.GetProperty("allocated").GetInt32()));
    }

    [Fact]
    public async Task A_vsphere_vf_count_change_waits_for_the_host_reboot()
    {
        var dc = await Datacenter.Create(Api, platform: "VSphere", vfs: 2);
        (await Api.Post($"api/nics/{Http.Seg(dc.Nic)}/set-vfs", new { vfCount = 6 })).Succeeded();
        Assert.Equal(6, (await Api.Get($"api/nics/{Http.Seg(dc.Nic)}")).GetProperty("pendingVfs").GetInt32());

        (await Api.Post($"api/hosts/{Http.Seg(dc.Host)}/reboot")).Succeeded();

        var nic = await Api.Get($"api/nics/{Http.Seg(dc.Nic)}");
        Assert.Equal((6, JsonValueKind.Null), (nic.GetProperty("configured").GetInt32(), nic.GetProperty("pendingVfs").ValueKind));
    }

    [Fact]
    public async Task Switch_commands_refuse_iov_on_an_existing_hyper_v_switch_with_the_plan_and_recreate_it()
    {
        var host = Http.NewId("host");
        var nic = $"{host}/0000:3b:00.0";
        var sw = $"{host}/plain";
        (await Api.Post("api/hosts", new { host, platform = "HyperV", os = "Windows Server 2022", cores = 16, memoryMiB = 65_536, cluster = "b" })).Succeeded();
        (await Api.Post("api/nics", new { nic, host, pciAddress = "0000:3b:00.0", model = "Intel X710", vendor = "Intel", linkMbps = 10_000, numaNode = 0, maxVfs = 32 })).Succeeded();
        (await Api.Post($"api/nics/{Http.Seg(nic)}/enable", new { vfCount = 4 })).Succeeded();
        (await Api.Post("api/switches", new { @switch = sw, host, name = "plain", kind = "External", boundNic = nic, iovEnabled = false })).Succeeded();

        var refused = await Api.Put($"api/switches/{Http.Seg(sw)}/iov", new { iovEnabled = true });
        Assert.Contains("recreate", refused.Succeeded(false));

        (await Api.Post($"api/switches/{Http.Seg(sw)}/recreate", new { iovEnabled = true })).Succeeded();
        var inventory = await Api.Get($"api/inventory?host={Http.Seg(host)}");
        Assert.True(inventory.GetProperty("switches")[0].GetProperty("iovEnabled").GetBoolean());
    }

    [Fact]
    public async Task Reconcile_reports_what_it_checked()
    {
        await Datacenter.Create(Api);
        var report = await Api.Post("api/reconcile");
        Assert.True(report.GetProperty("nicsChecked").GetInt32() >= 1);
        Assert.Equal(JsonValueKind.Array, report.GetProperty("findings").ValueKind);
    }

    [Fact]
    public async Task A_topology_is_applied_once_and_a_second_identical_apply_appends_nothing()
    {
        var host = Http.NewId("topo-host");
        var topology = new
        {
            hosts = new[] { new { id = host, platform = "Kvm", os = "libvirt 9.0", cores = 64, memoryMiB = 524_288, cluster = "topo" } },
            nics = new[] { new { id = $"{host}/0000:af:00.0", host, pciAddress = "0000:af:00.0", model = "Intel E810", vendor = "Intel", linkMbps = 100_000, numaNode = 1, maxVfs = 64, sriovEnabled = true, configuredVfs = 8 } },
            switches = Array.Empty<object>(), vms = Array.Empty<object>(), resourcePools = Array.Empty<object>(), vfHolders = Array.Empty<object>(),
        };
        var first = await Api.Post("api/topology?source=test", topology);
        Assert.True(first.GetProperty("eventsAppended").GetInt32() > 0);
        var second = await Api.Post("api/topology?source=test", topology);
        Assert.Equal(0, second.GetProperty("eventsAppended").GetInt32());
        Assert.Equal(8, (await Api.Get($"api/nics/{Http.Seg($"{host}/0000:af:00.0")}")).GetProperty("configured").GetInt32());
    }

    [Fact]
    public async Task The_same_idempotency_key_twice_is_one_operation()
    {
        var dc = await Datacenter.Create(Api);
        var vm = await dc.Vm(Api, start: false);
        var key = Http.NewId("op");
        async Task<JsonElement> Start()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/vms/{vm}/start");
            request.Headers.Add("Idempotency-Key", key);
            request.Headers.Add("X-Twin-Actor", "alice");
            return await (await Api.SendAsync(request, Http.Ct)).Json();
        }
        var first = await Start();
        var second = await Start();
        Assert.Equal((key, key), (first.GetProperty("operation").GetString(), second.GetProperty("operation").GetString()));
        var timeline = await Api.Get($"api/vms/{vm}/timeline");
        Assert.Single(timeline.GetProperty("entries").EnumerateArray(), e => e.GetProperty("event").GetString() == "VmStarted");
        Assert.Contains(timeline.GetProperty("entries").EnumerateArray(), e => e.GetProperty("actor").GetString() == "alice");
    }

    [Fact]
    public async Task Pool_summary_and_history_show_the_counters_and_the_refusals()
    {
        var dc = await Datacenter.Create(Api, vfs: 1, cluster: "hist");
        await dc.Vm(Api);
        await dc.Vm(Api);

        var summary = Assert.Single((await Api.Get($"api/pools/summary?host={Http.Seg(dc.Host)}")).EnumerateArray());
        Assert.Equal((1, 1, 0, 1, 1L, "hist"), (summary.GetProperty("configured").GetInt32(), summary.GetProperty("allocated").GetInt32(),
            summary.GetProperty("free").GetInt32(), summary.GetProperty("waiting").GetInt32(), summary.GetProperty("rejections").GetInt64(),
            summary.GetProperty("cluster").GetString()));

        var history = await Api.Get($"api/pools/history?hours=1&host={Http.Seg(dc.Host)}");
        var series = Assert.Single(history.GetProperty("pools").EnumerateArray());
        var last = series.GetProperty("points").EnumerateArray().Last();
        Assert.Equal((1, 1), (last.GetProperty("allocated").GetInt32(), last.GetProperty("waiting").GetInt32()));
        Assert.Equal(1, series.GetProperty("rejections").GetInt32());

        var refusals = (await Api.Get("api/pools/rejections?limit=10000")).EnumerateArray().Where(r => r.GetProperty("nic").GetString() == dc.Nic).ToList();
        var refusal = Assert.Single(refusals);
        Assert.Equal("VfPoolExhausted", refusal.GetProperty("reason").GetString());
        var after = refusal.GetProperty("sequence").GetInt64();
        Assert.DoesNotContain((await Api.Get($"api/pools/rejections?after={after}")).EnumerateArray(), r => r.GetProperty("sequence").GetInt64() <= after);
        Assert.Single((await Api.Get("api/pools/rejections?limit=1")).EnumerateArray());
    }
}
