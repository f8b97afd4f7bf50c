using Twin.Events.Common;
using Twin.Events.Platforms;
using static Twin.Events.Vms.VmCommand;
using static Twin.Events.Vms.VmEvent;

namespace Twin.Events.Vms;

/// <summary>Decides VM commands: its lifecycle, the steps of its sagas (idempotent on the operation id), and the
/// platform's migration rule (vSphere refuses vMotion for SR-IOV VMs).</summary>
public static class VmDecider
{
    public static readonly Decider<VmCommand, VmEvent, Vm> Decider = new(Decide, Vm.Evolve, Vm.Initial);

    public static VmEvent[] Decide(VmCommand command, Vm s) => (command, s.Status) switch
    {
        (DefineVm c, VmStatus.Absent or VmStatus.Deleted) => Define(c),
        (DefineVm c, _) => c.Host == s.Host && c.Vnics.SequenceEqual(s.Vnics.Select(v => v.Spec)) ? []
            : throw new DomainRuleViolated($"VM {c.Vm} is already defined on {s.Host}"),
        (_, VmStatus.Absent) => throw new DomainRuleViolated($"VM {command.Vm} is not defined"),
        (_, VmStatus.Deleted) => throw new DomainRuleViolated($"VM {command.Vm} was deleted"),

        (AddVnic c, _) => s.Find(c.Vnic.Name) is { } v
            ? v.Spec == c.Vnic ? [] : throw new DomainRuleViolated($"VM {s.Id} already has a vNIC named '{c.Vnic.Name}'")
            : Validated(c.Vnic, [new VnicAdded(s.Id, c.Vnic, c.At)]),
        (RemoveVnic c, _) => s.Find(c.Name) is not { } removed ? []
            : removed.Datapath.Kind == DatapathKind.Vf ? throw new DomainRuleViolated($"vNIC {s.Id}/{c.Name} holds a VF; release it first")
            : [new VnicRemoved(s.Id, c.Name, c.At)],
        (SetIovWeight c, _) => SetWeight(c, s),
        (RequestVf c, VmStatus.Running) => s.Find(c.Name) is not { } v ? throw new DomainRuleViolated($"VM {s.Id} has no vNIC '{c.Name}'")
            : !v.Spec.WantsVf || v.Datapath.Kind == DatapathKind.Vf || v.PendingStep?.Op == c.Op ? []
            : [new VfRequested(s.Id, c.Name, c.Op, c.At)],
        (RequestVf, _) => [],

        (BeginStart c, VmStatus.Off) => [new VmStartRequested(s.Id, s.Host, c.Op, c.At)],
        (BeginStart c, VmStatus.Starting or VmStatus.Running) when s.PendingOp == c.Op || s.Status == VmStatus.Running => [],
        (BeginStart c, _) => Busy(s, c.Op),
        (CompleteStart c, VmStatus.Starting) when s.PendingOp == c.Op => [new VmStarted(s.Id, s.Host, c.Op, c.At)],
        (CompleteStart, VmStatus.Running) => [],
        (FailStart c, VmStatus.Starting) when s.PendingOp == c.Op => [new VmStartFailed(s.Id, c.Reason, c.Detail, c.Op, c.At)],
        (FailStart, VmStatus.Off) => [],

        (BeginStop c, VmStatus.Running) when s.PendingKind == VmOperationKind.ReleaseSourceVfs => Busy(s, c.Op),
        (BeginStop c, VmStatus.Running or VmStatus.Starting) => [new VmStopRequested(s.Id, c.Op, c.At)],
        (BeginStop c, VmStatus.Stopping) when s.PendingOp == c.Op => [],
        (BeginStop, VmStatus.Off) => [],
        (BeginStop c, _) => Busy(s, c.Op),
        (CompleteStop c, VmStatus.Stopping) when s.PendingOp == c.Op => [new VmStopped(s.Id, c.Op, c.At)],
        (CompleteStop, VmStatus.Off) => [],

        (RecordDatapath c, _) => Record(c, s),

        (BeginMigration c, VmStatus.Running) when s.PendingKind == VmOperationKind.ReleaseSourceVfs && s.PendingOp == c.Op => [], // a retry resumes it
        (BeginMigration c, VmStatus.Running) when s.PendingKind == VmOperationKind.ReleaseSourceVfs => Busy(s, c.Op),
        (BeginMigration c, VmStatus.Running) => BeginMigration(c, s),
        (BeginMigration c, VmStatus.Migrating) when s.PendingOp == c.Op => [],
        (BeginMigration c, _) => Busy(s, c.Op),
        (RecordDestinationClaim c, VmStatus.Migrating) when s.PendingOp == c.Op => s.Find(c.Name) is { } v
            ? v.DestinationClaim == c.Datapath ? [] : [new DestinationVfClaimed(s.Id, c.Name, c.Datapath, c.Op, c.At)]
            : throw new DomainRuleViolated($"VM {s.Id} has no vNIC '{c.Name}'"),
        (CompleteMigration c, VmStatus.Migrating) when s.PendingOp == c.Op => [new VmMigrated(s.Id, s.Host, s.MigrationDestination!.Value, c.Op, c.At)],
        (AbortMigration c, VmStatus.Migrating) when s.PendingOp == c.Op => [new VmMigrationAborted(s.Id, c.Reason, c.Op, c.At)],
        (RecordSourceRelease c, VmStatus.Running) when s.PendingKind == VmOperationKind.ReleaseSourceVfs && s.PendingOp == c.Op =>
            s.SourceVfs.FirstOrDefault(h => h.Vnic == c.Name) is { } held
                ? [new SourceVfReleased(s.Id, c.Name, held.Nic, held.VfIndex, held.Claim, c.Op, c.At)] : [],
        (RecordSourceRelease or RecordDestinationClaim or CompleteMigration or AbortMigration, VmStatus.Running) => [], // an earlier attempt already closed it

        (DeleteVm c, VmStatus.Off) => [new VmDeleted(s.Id, c.Op, c.At)],
        (DeleteVm c, _) => throw new DomainRuleViolated($"VM {c.Vm} is {s.Status}; stop it before deleting"),
        _ => throw new DomainRuleViolated($"{command.GetType().Name} is not valid for VM {s.Id} while {s.Status}" +
                                          (s.PendingOp.IsNone ? "" : $" (operation {s.PendingOp} open)")),
    };

    private static VmEvent[] Define(DefineVm c)
    {
        if (c.Vcpus <= 0) throw new DomainRuleViolated($"VM {c.Vm} needs at least one vCPU");
        if (c.MemoryMiB <= 0) throw new DomainRuleViolated($"VM {c.Vm} needs memory");
        if (c.Vnics.Select(v => v.Name).Distinct().Count() != c.Vnics.Count) throw new DomainRuleViolated($"VM {c.Vm} names a vNIC twice");
        foreach (var v in c.Vnics) Validate(v);
        return [new VmDefined(c.Vm, c.Host, c.Platform, c.Guest, c.Vcpus, c.MemoryMiB, c.Vnics, c.At)];
    }

    private static VmEvent[] Validated(VnicSpec spec, VmEvent[] events)
    {
        Validate(spec);
        return events;
    }

    private static void Validate(VnicSpec v)
    {
        if (string.IsNullOrWhiteSpace(v.Name)) throw new DomainRuleViolated("a vNIC needs a name");
        if (v.IovWeight is < 0 or > 100) throw new DomainRuleViolated($"IovWeight of '{v.Name}' must be 0-100, not {v.IovWeight}");
        if (v.QueuePairs < 1) throw new DomainRuleViolated($"vNIC '{v.Name}' needs at least one queue pair");
    }

    private static VmEvent[] SetWeight(SetIovWeight c, Vm s)
    {
        if (c.IovWeight is < 0 or > 100) throw new DomainRuleViolated($"IovWeight must be 0-100, not {c.IovWeight}");
        var v = s.Find(c.Name) ?? throw new DomainRuleViolated($"VM {s.Id} has no vNIC '{c.Name}'");
        if (v.Spec.IovWeight == c.IovWeight) return [];
        if (s.Status is VmStatus.Starting or VmStatus.Stopping or VmStatus.Migrating) return Busy(s, c.Op);
        return [new IovWeightChanged(s.Id, c.Name, v.Spec.IovWeight, c.IovWeight, c.Op, c.At)];
    }

    private static VmEvent[] Record(RecordDatapath c, Vm s)
    {
        var v = s.Find(c.Name) ?? throw new DomainRuleViolated($"VM {s.Id} has no vNIC '{c.Name}'");
        if (v.Datapath == c.Datapath)
            // unchanged: nothing to record, unless it is the outcome of this vNIC's open step, which it closes
            return v.PendingStep?.Op == c.Op ? [new VnicDatapathChanged(s.Id, c.Name, v.Datapath, c.Datapath, c.Op, c.At)] : [];
        if (s.Status is VmStatus.Off && c.Datapath.Kind != DatapathKind.Off)
            throw new DomainRuleViolated($"VM {s.Id} is off; its vNIC '{c.Name}' cannot be on {c.Datapath}");
        if (c.Datapath.Kind == DatapathKind.Vf && (c.Datapath.Nic is null || c.Datapath.VfIndex is null))
            throw new DomainRuleViolated("a VF datapath names its NIC and VF index");
        if (c.Datapath.Kind == DatapathKind.Vf && !v.Spec.WantsVf)
            throw new DomainRuleViolated($"vNIC {s.Id}/{c.Name} has IovWeight 0 and does not take a VF");
        return [new VnicDatapathChanged(s.Id, c.Name, v.Datapath, c.Datapath, c.Op, c.At)];
    }

    private static VmEvent[] BeginMigration(BeginMigration c, Vm s)
    {
        if (c.Destination == s.Host) throw new DomainRuleViolated($"VM {s.Id} is already on {s.Host}");
        var rules = PlatformRules.For(s.Platform);
        if (rules.RefusesToMove(s.WantsSriov))
            return [new VmMigrationRejected(s.Id, c.Destination,
                $"{s.Platform} does not live-migrate VMs with SR-IOV passthrough adapters (vMotion, DRS, HA, FT unavailable); power it off and move it cold",
                c.Op, c.At)];
        return [new VmMigrationStarted(s.Id, s.Host, c.Destination, s.HeldVfs().ToValueList(), c.Op, c.At)];
    }

    private static VmEvent[] Busy(Vm s, OperationId op) =>
        throw new DomainRuleViolated($"VM {s.Id} is {s.Status} with operation {s.PendingOp} open; operation {op} must wait");
}
