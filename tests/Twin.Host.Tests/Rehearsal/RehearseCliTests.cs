using System.Text.Json;
using Twin.Host.Cli;

namespace Twin.Host.Tests.Rehearsal;

/// <summary><c>twin rehearse</c> and the rehearsal API against the real server: GO/NO-GO exit codes, the report for
/// people and for pipelines, --apply, drift through --expect, malformed plans refused before anything is sent.</summary>
[Collection(ServerCollection.Name)]
public sealed class RehearseCliTests(TwinServerFixture fx) : IDisposable
{
    private readonly string _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), Http.NewId("plans"))).FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Server => fx.BaseAddress.ToString();

    private Task<CliRun> Twin(params string[] args) => CliRunner.InProcess([.. args, "--server", Server]);

    private string PlanFile(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A Hyper-V host with a 2-VF PF and a switch created without IOV, and two running VMs that want a VF.</summary>
    private async Task<(Datacenter Dc, string Vm1, string Vm2)> HyperVWithoutIov()
    {
        var dc = await Datacenter.Create(fx.Http, vfs: 2);
        var plain = $"{dc.Host}/plain";
        (await fx.Http.Post("api/switches", new { @switch = plain, host = dc.Host, name = "plain", kind = "External", boundNic = dc.Nic, iovEnabled = false })).Succeeded();
        var vms = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var vm = Http.NewId("vm");
            (await fx.Http.Post("api/vms", new { vm, host = dc.Host, guest = "Windows Server 2022", vcpus = 2, memoryMiB = 4096, vnics = new[] { new { name = "net0", @switch = plain, iovWeight = 50, queuePairs = 1 } } })).Succeeded();
            (await fx.Http.Post($"api/vms/{vm}/start")).Succeeded();
            vms.Add(vm);
        }
        return (dc with { Switch = plain }, vms[0], vms[1]);
    }

    private async Task<long> Allocated(Datacenter dc) => (await fx.Http.Get($"api/nics/{Http.Seg(dc.Nic)}")).GetProperty("allocated").GetInt64();

    [Fact]
    public async Task A_no_go_plan_exits_1_with_the_reason_and_the_recreate_plan_and_writes_nothing()
    {
        var (dc, vm1, vm2) = await HyperVWithoutIov();
        var plan = PlanFile("no-go.yaml", $"""
            name: turn IOV on in place
            horizon:
              days: 2
              replications: 2
            steps:
              - action: set-switch-iov
                switch: {dc.Switch}
                iov: true
            """);
        var before = await Switch(dc);
        var run = await Twin("rehearse", plan);
        Assert.True(run.ExitCode == ExitCodes.Failed, run.ToString());
        Assert.Contains("verdict    NO-GO", run.Out);
        Assert.Contains("RecreateRequired", run.Out);
        Assert.Contains("New-VMSwitch -EnableIov", run.Out);
        Assert.Contains($"{vm1}/net0", run.Out);
        Assert.Contains($"{vm2}/net0", run.Out);
        Assert.Contains("NO-GO: step 1 (turn IOV on on switch", run.Out);
        var after = await Switch(dc);
        Assert.False(after.GetProperty("iovEnabled").GetBoolean());
        Assert.Equal(before.GetProperty("version").GetInt64(), after.GetProperty("version").GetInt64());
    }

    private async Task<JsonElement> Switch(Datacenter dc) =>
        (await fx.Http.Get($"api/inventory?host={dc.Host}")).GetProperty("switches").EnumerateArray().Single(s => s.GetProperty("id").GetString() == dc.Switch);

    [Fact]
    public async Task A_go_plan_shows_steps_side_effects_and_the_horizon_then_apply_changes_the_live_twin()
    {
        var (dc, vm1, vm2) = await HyperVWithoutIov();
        var plan = PlanFile("go.yaml", $"""
            name: enable SR-IOV on {dc.Host}
            horizon:
              days: 3
              replications: 2
              arrivalsPerHour: 1
            steps:
              - action: recreate-switch
                switch: {dc.Switch}
                iov: true
            """);
        var rehearsal = await Twin("rehearse", plan, "--events");
        Assert.True(rehearsal.ExitCode == ExitCodes.Ok, rehearsal.ToString());
        Assert.Contains("verdict    GO", rehearsal.Out);
        Assert.Contains("VnicDisconnected", rehearsal.Out);
        Assert.Contains("VnicOnVf", rehearsal.Out);
        Assert.Contains("SwitchRecreated", rehearsal.Out);
        Assert.Contains("horizon: 3 days × 2 replications", rehearsal.Out);
        Assert.Contains("vNICs on the synthetic path that wanted a VF", rehearsal.Out);
        Assert.Equal(0, await Allocated(dc));

        var json = await Twin("rehearse", plan, "-o", "json", "--no-horizon");
        var report = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal("GO", report.GetProperty("verdict").GetString());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("horizon").ValueKind);
        Assert.Contains(report.GetProperty("steps")[0].GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "SwitchRecreated");

        var applied = await Twin("rehearse", plan, "--apply", "--no-horizon");
        Assert.True(applied.ExitCode == ExitCodes.Ok, applied.ToString());
        Assert.Contains("apply      applied: 1 step(s) applied as rehearsed", applied.Out);
        await Http.Eventually(async () => await Allocated(dc) == 2, "both VMs hold a VF");
        foreach (var vm in new[] { vm1, vm2 })
            Assert.Equal("Vf", (await fx.Http.Get($"api/vms/{vm}")).GetProperty("vnics")[0].GetProperty("datapath").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Applying_against_an_earlier_rehearsal_after_the_world_changed_is_refused_with_the_drift_and_exit_5()
    {
        var dc = await Datacenter.Create(fx.Http, vfs: 2);
        var vm = await dc.Vm(fx.Http, start: false);
        var plan = PlanFile("start.yaml", $"""
            name: start {vm}
            steps:
              - action: start-vm
                vm: {vm}
            """);
        var rehearsal = await Twin("rehearse", plan, "-o", "json", "--no-horizon");
        Assert.True(rehearsal.ExitCode == ExitCodes.Ok, rehearsal.ToString());
        var report = PlanFile("report.json", rehearsal.Out);

        await dc.Vm(fx.Http); // someone else starts a VM on the same PF meanwhile
        var allocated = await Allocated(dc);
        var refused = await Twin("rehearse", plan, "--expect", report);
        Assert.True(refused.ExitCode == ExitCodes.Drift, refused.ToString());
        Assert.Contains("apply      refused", refused.Out);
        Assert.Contains("drift since the rehearsal", refused.Out);
        Assert.Contains(dc.Nic, refused.Out);
        Assert.Equal(allocated, await Allocated(dc));
        Assert.Equal("Off", (await fx.Http.Get($"api/vms/{vm}")).GetProperty("status").GetString());

        // rehearsing again sees the world as it is now, and that applies
        var again = await Twin("rehearse", plan, "--apply", "--no-horizon", "-o", "json");
        Assert.True(again.ExitCode == ExitCodes.Ok, again.ToString());
        Assert.Equal("applied", JsonDocument.Parse(again.Out).RootElement.GetProperty("apply").GetProperty("status").GetString());
        Assert.Equal("Running", (await fx.Http.Get($"api/vms/{vm}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_malformed_plan_is_refused_naming_file_line_and_field_and_nothing_is_sent()
    {
        var before = await fx.Http.Get("api/status");
        var plan = PlanFile("bad.yaml", """
            name: typo
            steps:
              - action: start-vm
                vm: vm-1
              - action: set-vfs
                nic: host-07/0000:3b:00.0
                vfs: sixteen
            """);
        var run = await Twin("rehearse", plan, "--apply");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains($"{plan}:7:", run.Error);
        Assert.Contains("steps[1].vfs: must be a whole number", run.Error);
        Assert.Contains("nothing was rehearsed or applied", run.Error);
        Assert.Empty(run.Out);

        var unknown = await Twin("rehearse", PlanFile("unknown.json", """{ "name": "x", "steps": [ { "action": "explode", "vm": "a" } ] }"""));
        Assert.Equal(ExitCodes.Usage, unknown.ExitCode);
        Assert.Contains("unknown.json:1:", unknown.Error);
        Assert.Contains("'explode' is not an action", unknown.Error);

        var missing = await Twin("rehearse", Path.Combine(_folder, "nope.yaml"));
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("cannot be read", missing.Error);

        var after = await fx.Http.Get("api/status");
        Assert.Equal(before.GetProperty("vms").GetInt32(), after.GetProperty("vms").GetInt32());
    }

    [Fact]
    public async Task The_api_takes_a_json_plan_and_refuses_an_invalid_one_with_every_problem()
    {
        var dc = await Datacenter.Create(fx.Http, platform: "Kvm", vfs: 4);
        await dc.Vm(fx.Http);
        var report = await fx.Http.Post("api/rehearsals", $$"""
            { "name": "grow the PF", "horizon": { "enabled": false },
              "steps": [ { "nic": "{{dc.Nic}}", "vfs": 8, "action": "set-vfs" } ] }
            """);
        Assert.Equal("NO-GO", report.GetProperty("verdict").GetString());
        var step = report.GetProperty("steps")[0];
        Assert.Equal("MustPassThroughZero", step.GetProperty("reason").GetString());
        Assert.Equal("DrainRequired", step.GetProperty("sideEffects")[0].GetProperty("kind").GetString());

        var invalid = await fx.Http.Post("api/rehearsals", """{ "name": "", "steps": [ { "action": "set-vfs", "nic": "n", "vfs": -1 } ] }""", expectedStatus: 400);
        Assert.Equal(["name is required", "steps[0].vfs cannot be negative (-1)"], invalid.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));

        var doc = await fx.Http.Get("openapi/v1.json");
        Assert.True(doc.GetProperty("paths").TryGetProperty("/api/rehearsals", out _));
        Assert.True(doc.GetProperty("paths").TryGetProperty("/api/rehearsals/apply", out _));
    }

    [Fact]
    public async Task The_horizon_can_run_a_traces_vms_read_by_the_cli()
    {
        var dc = await Datacenter.Create(fx.Http, vfs: 4);
        var trace = Path.Combine(Import.Fixtures.Root, "samples", "traces", "azure-v1-filtered-vmtable", "filtered_vmtables_50.csv");
        var plan = PlanFile("trace.yaml", $"""
            name: grow the pool under the Azure sample
            horizon:
              days: 2
              replications: 2
              trace: {trace}
            steps:
              - action: set-vfs
                nic: {dc.Nic}
                vfs: 8
            """);
        var run = await Twin("rehearse", plan, "-o", "json");
        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var horizon = JsonDocument.Parse(run.Out).RootElement.GetProperty("horizon");
        Assert.StartsWith("trace filtered_vmtables_50.csv (", horizon.GetProperty("workload").GetString());
        Assert.Equal(4, horizon.GetProperty("pfs").EnumerateArray().Single(p => p.GetProperty("nic").GetString() == dc.Nic).GetProperty("allocatableWithout").GetInt32());

        var missing = await Twin("rehearse", plan, "--trace", Path.Combine(_folder, "none.csv"));
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("none.csv", missing.Error);
    }

    [Fact]
    public async Task The_executable_exits_0_for_go_and_1_for_no_go()
    {
        var dc = await Datacenter.Create(fx.Http, platform: "Kvm", vfs: 4);
        var go = PlanFile("go.json", $$"""{ "name": "x", "steps": [ { "action": "set-policy", "nic": "{{dc.Nic}}", "policy": "FirstComeFirstServed" } ] }""");
        var noGo = PlanFile("no-go.json", $$"""{ "name": "x", "steps": [ { "action": "enable-sriov", "nic": "{{dc.Nic}}", "vfs": 4000 } ] }""");
        var ok = await CliRunner.Process("rehearse", go, "--no-horizon", "--server", Server);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        var refused = await CliRunner.Process("rehearse", noGo, "--no-horizon", "-o", "json", "--server", Server);
        Assert.Equal(ExitCodes.Failed, refused.ExitCode);
        Assert.Equal("ExceedsCeiling", JsonDocument.Parse(refused.Out).RootElement.GetProperty("steps")[0].GetProperty("reason").GetString());
    }
}
