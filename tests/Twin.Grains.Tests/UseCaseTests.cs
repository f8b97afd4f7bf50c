using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Grains.UseCases;

namespace Twin.Grains.Tests;

[Collection(TwinClusterCollection.Name)]
public sealed class UseCaseTests(TwinCluster fx)
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private async Task<(HostId Host, NicId Nic, SwitchId Switch)> Host(Platform platform, int vfs)
    {
        var m = fx.Mediator();
        var host = new HostId(Ids.New("uc-host"));
        var nic = NicId.Of(host, "0000:3b:00.0");
        var sw = new SwitchId($"{host}/ext");
        Assert.True((await m.Send(new RegisterHost(host, platform, "Windows Server 2022", 32, 262_144, "a"), Ct)).Succeeded);
        Assert.True((await m.Send(new InstallNic(nic, host, "0000:3b:00.0", "Intel E810", NicVendor.Intel, 25_000, 0, 128), Ct)).Succeeded);
        Assert.True((await m.Send(new ConfigurePf(nic, PfAction.Enable, vfs), Ct)).Succeeded);
        Assert.True((await m.Send(new CreateSwitch(sw, host, "ext", SwitchKind.External, nic, true), Ct)).Succeeded);
        return (host, nic, sw);
    }

    [Fact]
    public async Task A_bad_request_is_refused_with_every_problem_named_before_any_grain_is_called()
    {
        var host = new HostId(Ids.New("bad"));
        var ex = await Assert.ThrowsAsync<RequestValidationException>(() =>
            fx.Mediator().Send(new RegisterHost(host, Platform.Kvm, "x", 0, -1, "a"), Ct));
        Assert.Equal(["cores must be positive, not 0", "memory must be positive, not -1 MiB"], ex.Problems);
        await using var session = fx.Store.QuerySession();
        Assert.Null(await session.Events.FetchStreamStateAsync(host.Value, Ct));
    }

    [Fact]
    public async Task An_unknown_id_is_answered_as_not_found_and_nothing_is_written()
    {
        var vm = new VmId(Ids.New("ghost"));
        var ex = await Assert.ThrowsAsync<EntityNotFoundException>(() => fx.Mediator().Send(new StartVm(vm), Ct));
        Assert.Equal(("vm", vm.Value), (ex.Kind, ex.Id));
        await using var session = fx.Store.QuerySession();
        Assert.Null(await session.Events.FetchStreamStateAsync(vm.Value, Ct));
    }

    [Fact]
    public async Task Use_cases_drive_the_grains_and_queries_read_the_marten_read_models()
    {
        var (host, nic, sw) = await Host(Platform.HyperV, vfs: 1);
        var m = fx.Mediator();
        var vm1 = new VmId(Ids.New("uc-vm"));
        var vm2 = new VmId(Ids.New("uc-vm"));
        foreach (var vm in new[] { vm1, vm2 })
        {
            Assert.True((await m.Send(new DefineVm(vm, host, "Windows Server 2022", 2, 4096, [new VnicSpec("net0", sw, 50)]), Ct)).Succeeded);
            Assert.True((await m.Send(new StartVm(vm), Ct)).Succeeded);
        }
        var pools = await m.Send(new GetVfPools(host.Value), Ct);
        var pool = Assert.Single(pools);
        Assert.Equal((1, 1, 0, 1), (pool.Configured, pool.Allocated, pool.Free, pool.Waiting.Count));
        var second = await m.Send(new GetVm(vm2.Value), Ct);
        Assert.Equal(Datapath.Synthetic(SriovBlocker.VfPoolExhausted), second.Vnics[0].Datapath);
        var inventory = await m.Send(new GetInventory(host.Value), Ct);
        Assert.Equal((1, 1, 1, 2), (inventory.Hosts.Count, inventory.Nics.Count, inventory.Switches.Count, inventory.Vms.Count));
    }

    [Fact]
    public async Task Enabling_iov_on_a_hyper_v_switch_is_refused_with_the_recreate_plan()
    {
        var m = fx.Mediator();
        var host = new HostId(Ids.New("uc-host"));
        var nic = NicId.Of(host, "0000:3b:00.0");
        var sw = new SwitchId($"{host}/ext");
        await m.Send(new RegisterHost(host, Platform.HyperV, "Windows Server 2022", 32, 262_144, "a"), Ct);
        await m.Send(new InstallNic(nic, host, "0000:3b:00.0", "Intel X710", NicVendor.Intel, 10_000, 0, 32), Ct);
        await m.Send(new CreateSwitch(sw, host, "ext", SwitchKind.External, nic, false), Ct);
        var vm = new VmId(Ids.New("uc-vm"));
        await m.Send(new DefineVm(vm, host, "Windows Server 2022", 2, 4096, [new VnicSpec("net0", sw, 50)]), Ct);
        await m.Send(new StartVm(vm), Ct);
        var result = await m.Send(new SetSwitchIov(sw, true), Ct);
        Assert.False(result.Succeeded);
        Assert.Contains("recreate the switch", result.Summary);
        Assert.Contains($"{vm}/net0", result.Summary);
    }

    [Fact]
    public async Task Retrying_a_command_with_the_same_operation_id_appends_nothing_more()
    {
        var (host, _, sw) = await Host(Platform.Kvm, vfs: 2);
        var m = fx.Mediator();
        var vm = new VmId(Ids.New("uc-vm"));
        await m.Send(new DefineVm(vm, host, "Ubuntu 22.04", 2, 4096, [new VnicSpec("net0", sw, 100)]), Ct);
        var op = Ids.New("op");
        Assert.True((await m.Send(new StartVm(vm) { Operation = op, Actor = "bob" }, Ct)).Succeeded);
        await using var session = fx.Store.QuerySession();
        var before = (await session.Events.FetchStreamStateAsync(vm.Value, Ct))!.Version;
        Assert.True((await m.Send(new StartVm(vm) { Operation = op, Actor = "bob" }, Ct)).Succeeded);
        Assert.Equal(before, (await session.Events.FetchStreamStateAsync(vm.Value, Ct))!.Version);
        var events = await session.Events.FetchStreamAsync(vm.Value, token: Ct);
        Assert.All(events.Skip(1), e => Assert.Equal(op, e.CorrelationId));
        Assert.All(events.Skip(1), e => Assert.Equal("bob", e.UserName));
    }
}
