using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Projections.History;
using static Twin.Projections.Tests.History.SimulatedHistory;

namespace Twin.Projections.Tests.History;

[Collection(HistoryCollection.Name)]
public sealed class WhyTests(HistoryServer pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Why_a_vnic_runs_synthetic_names_who_held_the_pool_and_who_got_the_vf_freed_later_and_why()
    {
        // one PF with 2 VFs; IovWeight of vmN is 10 + N
        var history = Seeded(Topology(Platform.HyperV, hosts: 1, vms: 4, vfs: 2));
        for (var vm = 1; vm <= 4; vm++)
        {
            var v = vm;
            history.Step($"start-{v}", T0.AddMinutes(v), p => VmSagas.Start(p, Vm(v)));
        }
        history.Step("stop-1", T0.AddMinutes(6), p => VmSagas.Stop(p, Vm(1)));
        using var store = await pg.NewStoreAsync();
        await EventLogWriter.AppendAsync(store, history.Log, ct: Ct);
        await store.CatchUpAsync();
        await using var session = store.QuerySession();

        var why = (await Why.ExplainAsync(session, "vm3", at: T0.AddMinutes(10), ct: Ct))!;
        var net0 = Assert.Single(why.Vnics);
        Assert.Equal("synthetic (VfPoolExhausted)", net0.Datapath);
        Assert.Equal(T0.AddMinutes(3), net0.Since);
        Assert.Contains($"PF {Pf(1)} had 2/2 VFs held (by vm1/net0 (weight 11), vm2/net0 (weight 12))", net0.Summary);
        Assert.Contains($"a VF was freed at {T0.AddMinutes(6):u}", net0.Summary);
        Assert.Contains("given to vm4, which had a higher IovWeight (14 > 13)", net0.Summary);
        Assert.Contains("still waiting", net0.Summary);
        Assert.Contains(net0.Chain, c => c.Kind == "VfAllocationRejected" && c.Operation == "start-3");
        Assert.Contains(net0.Chain, c => c.Kind == "VfReleased" && c.Operation == "stop-1" && c.Actor == "sim");
        Assert.Equal([SriovBlocker.VfPoolExhausted], net0.BlockersNow);

        // earlier, before vm1 stopped, the same vNIC was waiting for the same reason and nothing had been handed over
        var before = (await Why.ExplainAsync(session, "vm3", at: T0.AddMinutes(5), ct: Ct))!.Vnics.Single();
        Assert.DoesNotContain("freed", before.Summary);
    }

    [Fact]
    public async Task Why_a_vnic_lost_its_vf_names_the_operation_and_actor_that_took_it()
    {
        var history = Seeded(Topology(Platform.HyperV, hosts: 1, vms: 1, vfs: 2));
        history.Step("start-1", T0.AddMinutes(1), p => VmSagas.Start(p, Vm(1)));
        history.Step("disable-pf", T0.AddMinutes(2), async p =>
        {
            await PfSagas.Configure(p, new NicCommand.DisableSriov(Pf(1), p.Operation, p.Now));
            return SagaOutcome.Done("disabled", p.Operation);
        });
        using var store = await pg.NewStoreAsync();
        await EventLogWriter.AppendAsync(store, history.Log, ct: Ct);
        await using var session = store.QuerySession();

        var on = (await Why.ExplainAsync(session, "vm1", "net0", T0.AddMinutes(1), Ct))!.Vnics.Single();
        Assert.StartsWith($"on VF 0 of {Pf(1)}", on.Summary);
        var off = (await Why.ExplainAsync(session, "vm1", "net0", T0.AddMinutes(3), Ct))!.Vnics.Single();
        Assert.Equal("synthetic (SriovDisabledByOperator)", off.Datapath);
        Assert.Contains($"its VF was taken at {T0.AddMinutes(2):u}: SR-IOV disabled on {Pf(1)} (operation disable-pf by sim)", off.Summary);
        Assert.Contains(SriovBlocker.SriovDisabledOnNic, off.BlockersNow);
    }

    [Fact]
    public async Task Why_answers_unknown_vms_and_moments_before_a_vm_existed_plainly()
    {
        var history = Seeded(Topology(Platform.Kvm, hosts: 1, vms: 1, vfs: 1));
        using var store = await pg.NewStoreAsync();
        await EventLogWriter.AppendAsync(store, history.Log, ct: Ct);
        await using var session = store.QuerySession();
        Assert.Null(await Why.ExplainAsync(session, "vm-nobody", ct: Ct));
        var ex = await Assert.ThrowsAsync<NotExistingAtException>(() => Why.ExplainAsync(session, "vm1", at: T0.AddDays(-1), ct: Ct));
        Assert.Equal(T0, ex.ExistsFrom);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Why.ExplainAsync(session, "vm1", "eth9", ct: Ct));
    }
}
