using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using static Twin.Events.Nics.NicCommand;
using static Twin.Events.Nics.NicEvent;
using static Twin.Events.Tests.Given;
using static Twin.Events.Tests.Nics.NicSpecs;

namespace Twin.Events.Tests.Nics;

public sealed class AllocateVfTests
{
    private static AllocateVfs Ask(OperationId op, params VfRequest[] requests) => new(Pf, requests, op, T1);

    [Fact]
    public void Allocates_the_lowest_free_vf() =>
        Spec.Given(Pool(Platform.Kvm, 4).With(Held(0, 1))).When(Ask(Op2, Wants(2)))
            .Then(new VfAllocated(Pf, 1, Vnic(2), 100, 1, VfAllocationCause.Requested, Op2, T1));

    [Fact]
    public void Asking_again_for_a_vnic_that_holds_a_vf_is_a_no_op() =>
        Spec.Given(Pool(Platform.Kvm, 4).With(Held(0, 1))).When(Ask(Op1, Wants(1))).ThenNothing();

    [Fact]
    public void On_hyper_v_the_k_plus_first_sriov_vm_on_a_k_vf_pf_runs_synthetic_and_waits() =>
        Spec.Given(Pool(Platform.HyperV, 2).With(Held(0, 1), Held(1, 2))).When(Ask(Op2, Wants(3, weight: 40)))
            .Then(new VfAllocationRejected(Pf, Vnic(3), SriovBlocker.VfPoolExhausted, 0, 1, true, 40, 1, Op2, T1));

    [Fact]
    public void On_hyper_v_attached_vfs_never_exceed_k_however_many_vms_ask()
    {
        const int k = 3;
        var state = Spec.Given(Pool(Platform.HyperV, k)).State;
        for (var vm = 1; vm <= 10; vm++)
            (_, state) = NicDecider.Decider.Run(Ask(new($"op-{vm}"), Wants(vm)), state);
        Assert.Equal(k, state.Allocated);
        Assert.Equal(7, state.Waiting.Count);
        Assert.Equal(k, state.Pool.Holders().Select(h => h.VfIndex).Distinct().Count());
    }

    [Fact]
    public void On_vsphere_exhaustion_fails_the_power_on_without_waiting() =>
        Spec.Given(Pool(Platform.VSphere, 1).With(Held(0, 1))).When(Ask(Op2, Wants(2)))
            .Then(new VfAllocationRejected(Pf, Vnic(2), SriovBlocker.VfPoolExhausted, 0, 1, false, 100, 1, Op2, T1));

    [Fact]
    public void On_kvm_starting_a_vm_that_needs_k_vfs_from_a_pool_with_fewer_free_fails_atomically()
    {
        var history = Pool(Platform.Kvm, 4).With(Held(0, 1), Held(1, 2));
        var vm3 = new VmId("vm-3");
        var events = Spec.Given(history)
            .When(Ask(Op2, new VfRequest(new(vm3, "net0")), new VfRequest(new(vm3, "net1")), new VfRequest(new(vm3, "net2"))))
            .ThenEvents();
        Assert.Equal(3, events.Length);
        Assert.All(events, e => Assert.Equal(new VfAllocationRejected(Pf, ((VfAllocationRejected)e).Vnic, SriovBlocker.VfPoolExhausted, 2, 3, false, 100, 1, Op2, T1), e));
        Assert.DoesNotContain(events, e => e is VfAllocated);
    }

    [Fact]
    public void On_kvm_a_start_that_fits_gets_every_vf_it_asked_for()
    {
        var vm3 = new VmId("vm-3");
        Spec.Given(Pool(Platform.Kvm, 4).With(Held(1, 2)))
            .When(Ask(Op2, new VfRequest(new(vm3, "net0")), new VfRequest(new(vm3, "net1"))))
            .Then(new VfAllocated(Pf, 0, new(vm3, "net0"), 100, 1, VfAllocationCause.Requested, Op2, T1),
                  new VfAllocated(Pf, 2, new(vm3, "net1"), 100, 1, VfAllocationCause.Requested, Op2, T1));
    }

    [Fact]
    public void On_hyper_v_a_vf_needs_a_free_vport() =>
        Spec.Given(Pool(Platform.HyperV, 4, vports: 1).With(Held(0, 1))).When(Ask(Op2, Wants(2)))
            .Then(new VfAllocationRejected(Pf, Vnic(2), SriovBlocker.NoVPortAvailable, 3, 1, true, 100, 1, Op2, T1));

    [Fact]
    public void On_hyper_v_a_vf_needs_its_queue_pairs() =>
        Spec.Given(Pool(Platform.HyperV, 4, queuePairs: 8).With(Held(0, 1, queuePairs: 6))).When(Ask(Op2, Wants(2, queuePairs: 4)))
            .Then(new VfAllocationRejected(Pf, Vnic(2), SriovBlocker.NoQueuePairsAvailable, 3, 1, true, 100, 4, Op2, T1));

    [Fact]
    public void A_failed_nic_gives_no_vf() =>
        Spec.Given(Pool(Platform.Kvm, 4).With(new NicFailed(Pf, Op1, T0))).When(Ask(Op2, Wants(1)))
            .Then(new VfAllocationRejected(Pf, Vnic(1), SriovBlocker.NicFailed, 0, 1, false, 100, 1, Op2, T1));

    [Fact]
    public void A_pf_with_sriov_off_gives_no_vf() =>
        Spec.Given(Installed(Platform.HyperV)).When(Ask(Op2, Wants(1)))
            .Then(new VfAllocationRejected(Pf, Vnic(1), SriovBlocker.SriovDisabledOnNic, 0, 1, false, 100, 1, Op2, T1));

    [Fact]
    public void A_request_from_a_named_resource_pool_only_gets_a_vf_of_that_pool() =>
        Spec.Given(Pool(Platform.Kvm, 4).With(new ResourcePoolDefined(Pf, "fast", ValueList.Of(2, 3), T0)))
            .When(Ask(Op2, Wants(1, pool: "fast")))
            .Then(new VfAllocated(Pf, 2, Vnic(1), 100, 1, VfAllocationCause.Requested, Op2, T1));

    [Fact]
    public void A_request_for_an_unknown_resource_pool_is_refused() =>
        Spec.Given(Pool(Platform.Kvm, 4)).When(Ask(Op2, Wants(1, pool: "nope")))
            .Then(new VfAllocationRejected(Pf, Vnic(1), SriovBlocker.UnknownResourcePool, 4, 1, false, 100, 1, Op2, T1));

    [Fact]
    public void A_weight_outside_1_to_100_is_impossible() =>
        Spec.Given(Pool(Platform.HyperV, 4)).When(Ask(Op2, Wants(1, weight: 0))).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void Naming_a_vnic_twice_in_one_request_is_impossible() =>
        Spec.Given(Pool(Platform.Kvm, 4)).When(Ask(Op2, Wants(1), Wants(1))).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void Under_the_weight_preemptive_policy_a_heavier_vnic_takes_the_lightest_holders_vf() =>
        Spec.Given(Pool(Platform.HyperV, 2).With(new ScarceVfPolicyChanged(Pf, ScarceVfPolicy.WeightPreemptive, T0), Held(0, 1, weight: 80), Held(1, 2, weight: 20)))
            .When(Ask(Op2, Wants(3, weight: 50)))
            .Then(new VfRevoked(Pf, 1, Vnic(2), SriovBlocker.VfPoolExhausted, true, Op1, Op2, T1),
                  new VfAllocated(Pf, 1, Vnic(3), 50, 1, VfAllocationCause.Preempted, Op2, T1));

    [Fact]
    public void Under_the_default_policy_nobody_is_preempted() =>
        Spec.Given(Pool(Platform.HyperV, 1).With(Held(0, 1, weight: 1))).When(Ask(Op2, Wants(2, weight: 100)))
            .Then(new VfAllocationRejected(Pf, Vnic(2), SriovBlocker.VfPoolExhausted, 0, 1, true, 100, 1, Op2, T1));

    [Fact]
    public void On_hyper_v_a_waiting_vnic_asking_again_with_another_weight_waits_with_the_new_weight_in_the_same_place()
    {
        var history = Pool(Platform.HyperV, 1).With(Held(0, 1),
            new VfAllocationRejected(Pf, Vnic(2), SriovBlocker.VfPoolExhausted, 0, 1, true, 80, 1, Op1, T0),
            new VfAllocationRejected(Pf, Vnic(3), SriovBlocker.VfPoolExhausted, 0, 1, true, 50, 1, Op1, T0));
        var events = Spec.Given(history).When(Ask(Op2, Wants(2, weight: 10))).ThenEvents();
        Assert.Equal([new VfAllocationRejected(Pf, Vnic(2), SriovBlocker.VfPoolExhausted, 0, 1, true, 10, 1, Op2, T1)], events);
        var state = Spec.Given(history.With(events)).State;
        Assert.Equal([(Vnic(2), 10), (Vnic(3), 50)], state.Waiting.Select(w => (w.Vnic, w.Weight)));
        Assert.Equal(Vnic(3), state.NextWaiter()!.Value.Vnic); // served by its new weight
        Spec.Given(history.With(events)).When(Ask(Op2, Wants(2, weight: 10))).ThenNothing(); // the same request again is a no-op
    }
}
