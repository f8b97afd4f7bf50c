using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Vms;
using static Twin.Grains.Tests.LiveDatacenter;

namespace Twin.Grains.Tests;

/// <summary>Hundreds of sagas at once against a few small pools: the PF grains must never hold a VF twice or more
/// than the pool, and an independent fold of the raw Marten log must agree with the grains and with what every caller
/// was told.</summary>
[Collection(TwinClusterCollection.Name)]
public sealed class ConcurrencyTests(TwinCluster fx)
{
    private const int VmCount = 300;
    private const int HostCount = 3;
    private const int VfsPerPf = 4;

    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.VSphere)]
    [InlineData(Platform.Kvm)]
    public async Task Hundreds_of_concurrent_starts_and_stops_never_hold_a_vf_twice_and_the_raw_event_log_agrees_with_every_caller(Platform platform)
    {
        var dc = await Build(fx.Grains, platform, vfs: VfsPerPf, vms: VmCount, hosts: HostCount, spread: true);

        // wave 1: every VM starts at once
        var told = new Dictionary<int, SagaOutcome>();
        var starts = await Task.WhenAll(dc.AllVms.Select(async vm => (vm, await dc.Start(vm))));
        foreach (var (vm, outcome) in starts) told[vm] = outcome;
        var ledger = await AssertAccountingAgrees(dc, platform, told, stopped: new HashSet<int>());
        Assert.All(dc.AllPfs, pf => Assert.Equal(VfsPerPf, ledger.Pfs[pf].Holders.Count)); // every pool is used up, none beyond
        if (platform != Platform.HyperV) Assert.Equal(HostCount * VfsPerPf, told.Values.Count(o => o.Succeeded));

        // wave 2: every VF holder stops while every VM that did not get a VF tries again (or, on Hyper-V, waits for a hand-over)
        var holders = ledger.Holders.Select(h => int.Parse(h.Holding.Vnic.Vm.Value[(dc.Prefix.Length + 3)..])).ToHashSet();
        List<int> retries = platform == Platform.HyperV ? [] : dc.AllVms.Where(vm => !told[vm].Succeeded).ToList();
        var stops = holders.Select(async vm => (Vm: vm, Outcome: await dc.Stop(vm)));
        var again = retries.Select(async vm => (Vm: vm, Outcome: await dc.Start(vm)));
        var second = await Task.WhenAll(stops.Concat(again));
        foreach (var (vm, outcome) in second)
        {
            Assert.True(!holders.Contains(vm) || outcome.Succeeded, outcome.Summary); // a stop always succeeds
            if (!holders.Contains(vm)) told[vm] = outcome;
        }
        ledger = await AssertAccountingAgrees(dc, platform, told, stopped: holders);
        if (platform == Platform.HyperV)
            Assert.All(dc.AllPfs, pf => Assert.Equal(VfsPerPf, ledger.Pfs[pf].Holders.Count)); // the freed VFs all went to waiters
    }

    [Fact]
    public async Task On_hyper_v_hundreds_of_concurrent_stops_and_iov_weight_changes_leave_every_waiter_a_running_vnic_that_wants_a_vf_and_no_free_vf_while_one_waits()
    {
        var dc = await Build(fx.Grains, Platform.HyperV, vfs: VfsPerPf, vms: 200, hosts: HostCount, spread: true);
        Assert.All(await Task.WhenAll(dc.AllVms.Select(vm => dc.Start(vm))), o => Assert.True(o.Succeeded, o.Summary));

        // a quarter stop, a quarter stop wanting a VF, a quarter change their weight, a quarter stop and start again
        var random = new Random(1896463);
        var weights = dc.AllVms.ToDictionary(vm => vm, _ => random.Next(1, 101));
        var outcomes = await Task.WhenAll(dc.AllVms.Select(async vm => (vm % 4) switch
        {
            0 => await dc.Stop(vm),
            1 => await dc.VmGrain(vm).SetIovWeight("net0", 0, Context(NewOp("iov-off"))),
            2 => await dc.VmGrain(vm).SetIovWeight("net0", weights[vm], Context(NewOp("iov"))),
            _ => await dc.Stop(vm) is { Succeeded: true } ? await dc.Start(vm) : throw new InvalidOperationException("stop refused"),
        }));
        Assert.All(outcomes.Where((_, i) => (i + 1) % 4 is 0 or 1 or 3), o => Assert.True(o.Succeeded, o.Summary));

        await dc.Settled();
        var ledger = await VfLedger.Read(fx.Store, dc.AllPfs);
        await ledger.AssertAgreesWith(dc);
        var vms = await Task.WhenAll(dc.AllVms.Select(dc.VmState));
        foreach (var h in dc.AllHosts)
        {
            var nic = await dc.NicState(h);
            var wanting = vms.Where(v => v.Host == dc.Host(h) && v.Status == VmStatus.Running && v.Vnics.Single().Spec.WantsVf)
                .Select(v => new Twin.Events.Common.VnicRef(new Twin.Events.Common.VmId(v.Id), "net0")).ToHashSet();
            var holders = nic.Holders.Select(s => s.Holder!.Value).ToHashSet();
            Assert.Subset(wanting, holders); // only running VMs that want a VF hold one
            Assert.Equal(wanting.Except(holders).OrderBy(v => v.Vm.Value), nic.Waiting.Select(w => w.Vnic).OrderBy(v => v.Vm.Value));
            Assert.True(nic.Waiting.Count == 0 || nic.Free == 0, $"{nic.Id}: {nic.Free} VF(s) free while {nic.Waiting.Count} vNIC(s) wait");
            Assert.All(nic.Waiting, w => Assert.Equal(vms.Single(v => v.Id == w.Vnic.Vm.Value).Vnics.Single().Spec.IovWeight, w.Weight));
            Assert.All(vms.Where(v => v.Host == dc.Host(h) && v.Status == VmStatus.Running), v => Assert.Equal(VmOperationKind.None, v.Vnics.Single().PendingStep));
        }
    }

    /// <summary>Checks the log against the grains and against what each caller was told, and returns the log's view.</summary>
    private async Task<VfLedger> AssertAccountingAgrees(LiveDatacenter dc, Platform platform, Dictionary<int, SagaOutcome> told, IReadOnlySet<int> stopped)
    {
        await dc.Settled();
        var ledger = await VfLedger.Read(fx.Store, dc.AllPfs);
        await ledger.AssertAgreesWith(dc); // no VF held twice or beyond the pool at any event; log = grains = VM datapaths
        Assert.All(dc.AllPfs, pf => Assert.InRange(ledger.Pfs[pf].Holders.Count, 0, VfsPerPf));

        var snapshots = await Task.WhenAll(dc.AllVms.Select(dc.VmState));
        foreach (var vm in dc.AllVms)
        {
            var s = snapshots[vm - 1];
            var held = ledger.HeldBy(dc.Vnic(vm));
            var datapath = s.Vnics.Single().Datapath;
            Assert.Equal(VmOperationKind.None, s.PendingKind);
            if (stopped.Contains(vm))
            {
                Assert.Equal((VmStatus.Off, (ValueTuple<Twin.Events.Common.NicId, int>?)null), (s.Status, held));
                continue;
            }
            var outcome = told[vm];
            if (platform == Platform.HyperV)
            {
                // Hyper-V always starts the VM; it runs on the VF the log gives it, or synthetic and waiting
                Assert.True(outcome.Succeeded, outcome.Summary);
                Assert.Equal(VmStatus.Running, s.Status);
                Assert.Equal(held is not null, datapath.Kind == DatapathKind.Vf);
                if (held is null) Assert.Equal(Datapath.Synthetic(SriovBlocker.VfPoolExhausted), datapath);
            }
            else if (outcome.Succeeded)
            {
                Assert.Equal(VmStatus.Running, s.Status);
                Assert.True(held == (datapath.Nic!.Value, datapath.VfIndex!.Value), $"{dc.Vm(vm)} was told it started on {datapath}; the log says {held}");
            }
            else
            {
                // told it failed: it is off and the log gives it nothing
                Assert.Equal(SriovBlocker.VfPoolExhausted, outcome.Reason);
                Assert.Equal((VmStatus.Off, (ValueTuple<Twin.Events.Common.NicId, int>?)null), (s.Status, held));
            }
        }

        foreach (var h in dc.AllHosts)
        {
            var host = await dc.HostState(h);
            var held = ledger.Pfs[dc.Pf(h)].Holders.Count;
            Assert.Equal(platform == Platform.VSphere ? 3 * held : 0, host.InterruptVectorsUsed);
            var running = snapshots.Count(s => s.Status == VmStatus.Running && s.Host == dc.Host(h));
            Assert.Equal(running, host.Vms.Count(p => p.Placed));
            if (platform == Platform.HyperV)
                Assert.Equal(running - held, (await dc.NicState(h)).Waiting.Count);
        }
        return ledger;
    }
}
