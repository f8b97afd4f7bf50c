using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Platforms;
using static Twin.Events.Hosts.HostCommand;
using static Twin.Events.Hosts.HostEvent;
using static Twin.Events.Tests.Given;

namespace Twin.Events.Tests.Hosts;

public sealed class HostTests
{
    private static readonly Spec<HostCommand, HostEvent, Host> Spec = new(HostDecider.Decider);
    private static readonly VmId Vm1 = new("vm-1"), Vm2 = new("vm-2");

    private static HostRegistered Registered(Platform platform, long memoryMiB = 65_536, int budget = 0) =>
        new(Host7, platform, platform == Platform.HyperV ? "Windows Server 2019" : "ESXi 8.0u3", 32, memoryMiB, "cluster-a", budget, T0);

    [Fact]
    public void A_vsphere_host_gets_the_passthrough_interrupt_vector_budget_by_default() =>
        Spec.Given().When(new RegisterHost(Host7, Platform.VSphere, "ESXi 8.0u3", 32, 65_536, "cluster-a", null, T0))
            .Then(Registered(Platform.VSphere, budget: 3072));

    [Fact]
    public void A_hyper_v_host_has_no_interrupt_vector_budget() =>
        Spec.Given().When(new RegisterHost(Host7, Platform.HyperV, "Windows Server 2019", 32, 65_536, "cluster-a", 4096, T0))
            .Then(Registered(Platform.HyperV));

    [Fact]
    public void Registering_again_with_another_os_records_the_upgrade() =>
        Spec.Given(Registered(Platform.HyperV)).When(new RegisterHost(Host7, Platform.HyperV, "Windows Server 2022", 32, 65_536, "cluster-a", null, T1))
            .Then(new HostOsChanged(Host7, "Windows Server 2019", "Windows Server 2022", T1));

    [Fact]
    public void A_host_without_cores_is_impossible() =>
        Spec.Given().When(new RegisterHost(Host7, Platform.Kvm, "libvirt 9.0", 0, 1024, "a", null, T0)).ThenThrows<DomainRuleViolated>();

    [Fact]
    public void Reserved_guest_memory_never_exceeds_physical_memory() =>
        Spec.Given(Registered(Platform.VSphere, memoryMiB: 16_384, budget: 3072), new VmPlaced(Host7, Vm1, 4, 12_288, true, Op1, T0))
            .When(new PlaceVm(Host7, Vm2, 4, 8_192, true, Op2, T1))
            .Then(new VmPlacementRejected(Host7, Vm2, HostRefusal.InsufficientMemory, "8192 MiB to reserve, 4096 MiB of 16384 MiB not yet reserved", Op2, T1));

    [Fact]
    public void Unreserved_memory_may_be_overcommitted() =>
        Spec.Given(Registered(Platform.HyperV, memoryMiB: 16_384), new VmPlaced(Host7, Vm1, 4, 12_288, false, Op1, T0))
            .When(new PlaceVm(Host7, Vm2, 4, 8_192, false, Op2, T1))
            .Then(new VmPlaced(Host7, Vm2, 4, 8_192, false, Op2, T1));

    [Fact]
    public void A_host_in_maintenance_takes_no_vm() =>
        Spec.Given(Registered(Platform.Kvm), new HostMaintenanceChanged(Host7, true, T0)).When(new PlaceVm(Host7, Vm1, 2, 1024, false, Op1, T1))
            .Then(new VmPlacementRejected(Host7, Vm1, HostRefusal.HostUnavailable, "host host-07 is Maintenance", Op1, T1));

    [Fact]
    public void Interrupt_vectors_are_reserved_while_three_x_plus_two_y_stays_below_the_budget()
    {
        // 1020 Intel VFs (3 vectors each) = 3060 vectors in use; 3060 + 2 (one Emulex VF) = 3062 < 3072
        Spec.Given(Registered(Platform.VSphere, budget: 3072), new InterruptVectorsReserved(Host7, Vm1, 3060, Op1, T0))
            .When(new ReserveInterruptVectors(Host7, Vm2, 2, Op2, T1))
            .Then(new InterruptVectorsReserved(Host7, Vm2, 2, Op2, T1));
        // 3060 + 12 = 3072 is not below 3072: the power-on fails
        Spec.Given(Registered(Platform.VSphere, budget: 3072), new InterruptVectorsReserved(Host7, Vm1, 3060, Op1, T0))
            .When(new ReserveInterruptVectors(Host7, Vm2, 12, Op2, T1))
            .Then(new InterruptVectorsRejected(Host7, Vm2, 12, 12, Op2, T1));
    }

    [Fact]
    public void Reserving_the_same_vectors_again_is_a_no_op_and_releasing_gives_them_back()
    {
        var history = new HostEvent[] { Registered(Platform.VSphere, budget: 3072), new InterruptVectorsReserved(Host7, Vm1, 6, Op1, T0) };
        Spec.Given(history).When(new ReserveInterruptVectors(Host7, Vm1, 6, Op1, T1)).ThenNothing();
        Spec.Given(history).When(new ReleaseInterruptVectors(Host7, Vm1, Op2, T1)).Then(new InterruptVectorsReleased(Host7, Vm1, 6, Op2, T1));
        Spec.Given([.. history, new InterruptVectorsReleased(Host7, Vm1, 6, Op2, T1)]).When(new ReleaseInterruptVectors(Host7, Vm1, Op2, T2)).ThenNothing();
    }

    [Fact]
    public void A_failed_host_is_repaired_not_rebooted()
    {
        Spec.Given(Registered(Platform.Kvm), new HostFailed(Host7, Op1, T0)).When(new RebootHost(Host7, Op2, T1)).ThenThrows<DomainRuleViolated>();
        Spec.Given(Registered(Platform.Kvm), new HostFailed(Host7, Op1, T0)).When(new RepairHost(Host7, Op2, T1)).Then(new HostRepaired(Host7, Op2, T1));
    }
}
