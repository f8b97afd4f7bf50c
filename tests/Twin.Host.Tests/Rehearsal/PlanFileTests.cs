using Twin.Events.Common;
using Twin.Events.Switches;
using Twin.Host.Rehearsal;
using Twin.Simulation.Rehearsal;

namespace Twin.Host.Tests.Rehearsal;

/// <summary>Change plan files: YAML and JSON read to the same plan, and every malformed file is refused naming the
/// file, line and field.</summary>
public sealed class PlanFileTests
{
    private const string Yaml = """
        # enable SR-IOV on host-07
        name: enable SR-IOV on host-07
        description: recreate the switch with IOV, then give the database VMs a VF
        horizon:
          days: 14
          replications: 4
          seed: 7
          arrivalsPerHour: 1.5
          noRegression: true
          trace: traces/vmtable.csv
        steps:
          - action: recreate-switch
            switch: host-07/ext
            iov: true
          - action: set-iov-weight
            vm: vm-42
            vnic: net0
            iovWeight: 50
            id: db
          - action: define-vm
            vm: 1001
            host: host-07
            guest: Windows Server 2022
            vnics:
              - name: net0
                switch: host-07/ext
                iovWeight: 80
          - action: migrate-vm
            vm: vm-43
            to: host-08
            independent: true
          - action: create-switch
            switch: host-07/int
            host: host-07
            kind: internal
        """;

    [Fact]
    public void A_yaml_plan_reads_into_steps_with_their_fields_and_the_horizon()
    {
        var content = PlanFile.Parse(Yaml, "plan.yaml");
        var plan = content.Plan;
        Assert.Equal("enable SR-IOV on host-07", plan.Name);
        Assert.Equal(["recreate-switch", "set-iov-weight", "define-vm", "migrate-vm", "create-switch"], plan.Steps.Select(s => s.Action));
        Assert.Equal(new RecreateSwitchStep(new SwitchId("host-07/ext"), true), plan.Steps[0]);
        Assert.Equal(new SetIovWeightStep(new VmId("vm-42"), 50, "net0") { Id = "db" }, plan.Steps[1]);
        var define = Assert.IsType<DefineVmStep>(plan.Steps[2]);
        Assert.Equal("1001", define.Vm.Value);
        Assert.Equal(new Twin.Events.Vms.VnicSpec("net0", new SwitchId("host-07/ext"), 80), Assert.Single(define.Vnics));
        Assert.True(plan.Steps[3].Independent);
        Assert.Equal(SwitchKind.Internal, Assert.IsType<CreateSwitchStep>(plan.Steps[4]).Kind);
        Assert.Equal((14, 4, 7UL, 1.5, true), (plan.Horizon!.Days, plan.Horizon.Replications, plan.Horizon.Seed, plan.Horizon.ArrivalsPerHour!.Value, plan.Horizon.NoRegression));
        Assert.Equal("traces/vmtable.csv", content.TracePath);
    }

    [Fact]
    public void A_json_plan_reads_to_the_same_plan()
    {
        const string json = """
            { "name": "enable SR-IOV on host-07",
              "steps": [
                { "switch": "host-07/ext", "action": "recreate-switch", "iov": true },
                { "action": "set-iov-weight", "vm": "vm-42", "vnic": "net0", "iovWeight": 50, "id": "db" } ] }
            """;
        var plan = PlanFile.Parse(json, "plan.json").Plan;
        var yaml = PlanFile.Parse(Yaml, "plan.yaml").Plan;
        Assert.Equal(yaml.Steps.Take(2), plan.Steps);
    }

    [Theory]
    [InlineData("steps:\n  - action: set-vfs\n    nic: h/0000:3b:00.0\n    vfs: [8\n", 5, "YAML", "")]
    [InlineData("name: x\nsteps:\n  - action: enable-sriov\n    nic: h/0000:3b:00.0\n    vfs: 8\n  - action: blow-up\n    nic: h\n", 6, "steps[1].action", "'blow-up' is not an action; use one of create-switch,")]
    [InlineData("steps:\n  - action: set-vfs\n    nic: h/0000:3b:00.0\n", 2, "steps[0].vfs", "is required by set-vfs (its fields: nic, vfs, id, independent)")]
    [InlineData("steps:\n  - action: set-vfs\n    nic: h/0000:3b:00.0\n    vfs: eight\n", 4, "steps[0].vfs", "must be a whole number")]
    [InlineData("steps:\n  - action: set-vfs\n    nic: h/0000:3b:00.0\n    vfs: 8\n    colour: blue\n", 5, "steps[0].colour", "is not a field of a set-vfs step")]
    [InlineData("steps:\n  - action: set-iov-weight\n    vm: vm-1\n    iovWeight: 300\n", 4, "steps[0].iovWeight", "must be 0-100, not 300")]
    [InlineData("steps:\n  - action: set-policy\n    nic: h/0\n    policy: Fastest\n", 4, "steps[0].policy", "'Fastest' is not a ScarceVfPolicy: use one of")]
    [InlineData("steps:\n  - action: start-vm\n    vm: a\n    id: x\n  - action: stop-vm\n    vm: a\n    id: x\n", 7, "steps[1].id", "names another step too")]
    [InlineData("name: x\nsteps: []\n", 2, "steps", "needs at least one step")]
    [InlineData("name: x\nhorizon:\n  days: 1000\nsteps:\n  - action: start-vm\n    vm: a\n", 3, "horizon.days", "must be 1-366, not 1000")]
    [InlineData("name: x\nhorizon:\n  dayz: 10\nsteps:\n  - action: start-vm\n    vm: a\n", 3, "horizon.dayz", "is not a field of the horizon")]
    [InlineData("name: x\nsteps:\n  - action: define-vm\n    vm: v\n    host: h\n    guest: Windows Server 2022\n    vnics:\n      - name: net0\n        switch: h/ext\n        iovWeight: high\n", 10,
        "steps[0].vnics[0].iovWeight", "must be a whole number")]
    [InlineData("plan: x\n", 1, "plan", "is not a field of a plan")]
    public void A_malformed_yaml_plan_names_the_line_and_the_field(string text, int line, string field, string problem)
    {
        var e = Assert.Throws<PlanFileException>(() => PlanFile.Parse(text, "bad.yaml"));
        Assert.Equal("bad.yaml", e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem);
        Assert.StartsWith($"bad.yaml:{line}:", e.Message);
    }

    [Theory]
    [InlineData("{ \"name\": \"x\", \"steps\": [ { \"action\": \"set-vfs\", \"nic\": \"n\", \"vfs\": -2 } ] }", 1, "steps[0].vfs", "cannot be negative (-2)")]
    [InlineData("{ \"name\": \"x\",\n  \"steps\": [\n    { \"action\": \"set-vfs\",\n      \"nic\": \"n\",\n      \"vfs\": true } ] }", 5, "steps[0].vfs", "must be a whole number")]
    [InlineData("{ \"name\": \"x\",\n  \"steps\": [ { \"action\": \"start-vm\" \"vm\": \"a\" } ] }", 2, "", "")]
    public void A_malformed_json_plan_names_the_line_and_the_field(string text, int line, string field, string problem)
    {
        var e = Assert.Throws<PlanFileException>(() => PlanFile.Parse(text, "bad.json"));
        Assert.Equal(line, e.Line);
        if (field.Length > 0) Assert.Equal(field, e.Field);
        Assert.Contains(problem, e.Problem);
    }

    [Fact]
    public void Every_sample_plan_reads()
    {
        var folder = Path.Combine(Twin.Host.Tests.Import.Fixtures.Root, "samples", "plans");
        var files = Directory.GetFiles(folder, "*.*").Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files) Assert.NotEmpty(PlanFile.Load(file).Plan.Steps);
    }
}
