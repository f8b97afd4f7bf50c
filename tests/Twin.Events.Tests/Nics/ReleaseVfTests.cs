using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using static Twin.Events.Nics.NicCommand;
using static Twin.Events.Nics.NicEvent;
using static Twin.Events.Tests.Given;
using static Twin.Events.Tests.Nics.NicSpecs;

namespace Twin.Events.Tests.Nics;

public sealed class ReleaseVfTests
{
    private static VfAllocationRejected Waits(int vm, int weight, OperationId op) =>
        new(Pf, Vnic(vm), SriovBlocker.VfPoolExhausted, 0, 1, true, weight, 1, op, T0);

    [Fact]
    public void Releases_the_vf_the_claim_holds() =>
        Spec.Given(Pool(Platform.Kvm, 4).With(Held(2, 1, Op1))).When(new ReleaseVf(Pf, Vnic(1), Op1, Op2, T1))
            .Then(new VfReleased(Pf, 2, Vnic(1), Op1, Op2, T1));

    [Fact]
    public void A_claim_is_released_exactly_once() =>
        Spec.Given(Pool(Platform.Kvm, 4).With(Held(2, 1, Op1), new VfReleased(Pf, 2, Vnic(1), Op1, Op2, T1)))
            .When(new ReleaseVf(Pf, Vnic(1), Op1, Op2, T2)).ThenNothing();

    [Fact]
    public void A_release_for_an_older_claim_never_frees_the_vf_a_newer_claim_holds() =>
        // Nova 1896463: a reconcile pass that still believes in the pre-migration claim must not free the moved VM's VF
        Spec.Given(Pool(Platform.Kvm, 4).With(Held(0, 1, Op1), new VfReleased(Pf, 0, Vnic(1), Op1, Op1, T0), Held(3, 1, Op2)))
            .When(new ReleaseVf(Pf, Vnic(1), Op1, Op3, T1)).ThenNothing();

    [Fact]
    public void On_hyper_v_a_freed_vf_goes_to_the_waiting_vnic_with_the_highest_weight() =>
        Spec.Given(Pool(Platform.HyperV, 1).With(Held(0, 1), Waits(2, 30, Op2), Waits(3, 70, Op3)))
            .When(new ReleaseVf(Pf, Vnic(1), Op1, Op1, T1))
            .Then(new VfReleased(Pf, 0, Vnic(1), Op1, Op1, T1),
                  new VfAllocated(Pf, 0, Vnic(3), 70, 1, VfAllocationCause.HandedOverOnRelease, Op3, T1));

    [Fact]
    public void On_hyper_v_equal_weights_are_served_first_come() =>
        Spec.Given(Pool(Platform.HyperV, 1).With(Held(0, 1), Waits(2, 50, Op2), Waits(3, 50, Op3)))
            .When(new ReleaseVf(Pf, Vnic(1), Op1, Op1, T1))
            .Then(new VfReleased(Pf, 0, Vnic(1), Op1, Op1, T1),
                  new VfAllocated(Pf, 0, Vnic(2), 50, 1, VfAllocationCause.HandedOverOnRelease, Op2, T1));

    [Fact]
    public void Under_first_come_first_served_the_longest_waiter_gets_the_vf_whatever_its_weight() =>
        Spec.Given(Pool(Platform.HyperV, 1).With(new ScarceVfPolicyChanged(Pf, ScarceVfPolicy.FirstComeFirstServed, T0), Held(0, 1), Waits(2, 10, Op2), Waits(3, 90, Op3)))
            .When(new ReleaseVf(Pf, Vnic(1), Op1, Op1, T1))
            .Then(new VfReleased(Pf, 0, Vnic(1), Op1, Op1, T1),
                  new VfAllocated(Pf, 0, Vnic(2), 10, 1, VfAllocationCause.HandedOverOnRelease, Op2, T1));

    [Fact]
    public void A_waiting_vnic_that_leaves_is_withdrawn() =>
        Spec.Given(Pool(Platform.HyperV, 1).With(Held(0, 1), Waits(2, 30, Op2))).When(new ReleaseVf(Pf, Vnic(2), OperationId.None, Op3, T1))
            .Then(new VfRequestWithdrawn(Pf, Vnic(2), Op3, T1));

    [Fact]
    public void On_kvm_a_release_hands_nothing_over() =>
        Spec.Given(Pool(Platform.Kvm, 1).With(Held(0, 1))).When(new ReleaseVf(Pf, Vnic(1), Op1, Op2, T1))
            .Then(new VfReleased(Pf, 0, Vnic(1), Op1, Op2, T1));
}
