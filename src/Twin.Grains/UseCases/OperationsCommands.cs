using Marten;
using MediatR;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Grains.Contracts;
using Twin.Grains.Sagas;

namespace Twin.Grains.UseCases;

/// <summary>Turns IOV on or off on an existing switch. Hyper-V refuses (IOV is fixed at creation) and answers with
/// the plan: recreate the switch, listing the vNICs that would be disconnected.</summary>
public sealed record SetSwitchIov(SwitchId Switch, bool IovEnabled) : TwinRequest, IRequest<OperationResult>, IReferencesEntities
{
    public IEnumerable<EntityRef> References() => [EntityRef.Switch(Switch)];
}

internal sealed class SetSwitchIovHandler(IGrainFactory grains, TimeProvider clock) : IRequestHandler<SetSwitchIov, OperationResult>
{
    public async Task<OperationResult> Handle(SetSwitchIov r, CancellationToken ct)
    {
        var context = r.Context();
        var result = await grains.GetGrain<ISwitchGrain>(r.Switch.Value).Execute(new SwitchCommand.SetSwitchIov(r.Switch, r.IovEnabled, context.Operation, clock.GetUtcNow()), context);
        return OperationResult.FromEvents(context.Operation.Value, result.Events, $"switch {r.Switch} already has IOV {(r.IovEnabled ? "on" : "off")}",
            e => e is SwitchEvent.SwitchIovChangeRejected x
                ? $"{x.Reason}; plan: {x.Plan}; it would disconnect {(x.WouldDisconnect.Count == 0 ? "no vNIC" : string.Join(", ", x.WouldDisconnect))}" : null);
    }
}

/// <summary>Deletes and recreates a switch with another IOV mode: its vNICs are disconnected, then reconnected, and
/// running ones that want a VF ask for one again.</summary>
public sealed record RecreateSwitch(SwitchId Switch, bool IovEnabled) : TwinRequest, IRequest<OperationResult>, IReferencesEntities
{
    public IEnumerable<EntityRef> References() => [EntityRef.Switch(Switch)];
}

internal sealed class RecreateSwitchHandler(IGrainFactory grains, TimeProvider clock, ISagaFaults faults) : IRequestHandler<RecreateSwitch, OperationResult>
{
    public async Task<OperationResult> Handle(RecreateSwitch r, CancellationToken ct)
    {
        var context = r.Context();
        return OperationResult.From(await PfSagas.RecreateSwitch(new GrainTwinPort(grains, context, clock, faults), r.Switch, r.IovEnabled));
    }
}

/// <summary>Reboots a host: its running VMs stop, then pending PF configurations (vSphere) take effect.</summary>
public sealed record RebootHost(HostId Host) : TwinRequest, IRequest<OperationResult>, IReferencesEntities
{
    public IEnumerable<EntityRef> References() => [EntityRef.Host(Host)];
}

internal sealed class RebootHostHandler(IGrainFactory grains, TimeProvider clock, ISagaFaults faults, IQuerySession session) : IRequestHandler<RebootHost, OperationResult>
{
    public async Task<OperationResult> Handle(RebootHost r, CancellationToken ct)
    {
        // ids are stored as plain strings through a converter, so the filter runs here rather than in SQL
        // a deleted VM has nothing to stop (stopping it is refused); id order makes the hand-overs between them repeatable
        var vms = (await session.Query<VmSnapshot>().ToListAsync(ct)).Where(v => v.Host == r.Host && v.Status is not (VmStatus.Deleted or VmStatus.Absent))
            .Select(v => new VmId(v.Id)).OrderBy(v => v.Value, StringComparer.Ordinal).ToList();
        var nics = (await session.Query<NicSnapshot>().ToListAsync(ct)).Where(n => n.Host == r.Host).Select(n => new NicId(n.Id)).ToList();
        var context = r.Context();
        // the VMs' own grains stop them (each stop is that VM's saga); the reboot and the PF changes follow
        foreach (var vm in vms) await grains.GetGrain<IVmGrain>(vm.Value).Stop(context);
        return OperationResult.From(await PfSagas.RebootHost(new GrainTwinPort(grains, context, clock, faults), r.Host, [], nics));
    }
}

/// <summary>Finds VFs held by vNICs that cannot be using them and frees each exactly once; records VFs a running VM
/// holds but never recorded; records synthetic a VF a VM thinks it holds but its PF does not give it.</summary>
public sealed record Reconcile : TwinRequest, IRequest<ReconciliationReport>;

/// <summary>What a reconciliation found.</summary>
public sealed record ReconciliationReport(string Operation, int NicsChecked, int VmsChecked, IReadOnlyList<ReconciliationFinding> Findings);

internal sealed class ReconcileHandler(IGrainFactory grains, TimeProvider clock, ISagaFaults faults, IQuerySession session) : IRequestHandler<Reconcile, ReconciliationReport>
{
    public async Task<ReconciliationReport> Handle(Reconcile r, CancellationToken ct)
    {
        var nics = (await session.Query<NicSnapshot>().Select(n => n.Id).ToListAsync(ct)).Select(id => new NicId(id)).ToList();
        var vms = (await session.Query<VmSnapshot>().Select(v => v.Id).ToListAsync(ct)).Select(id => new VmId(id)).ToList();
        var context = r.Context();
        var findings = await Reconciliation.Run(new GrainTwinPort(grains, context, clock, faults), nics, vms);
        return new ReconciliationReport(context.Operation.Value, nics.Count, vms.Count, findings);
    }
}

/// <summary>Makes the twin match a topology (an import of real captures, or a topology file): every command is
/// idempotent, so the same topology twice appends nothing and a changed one appends the difference. VMs described as
/// running are started.</summary>
public sealed record ApplyTopology(Topology Topology, string Source) : TwinRequest, IRequest<ImportReport>, IValidatable
{
    public IEnumerable<string> Validate()
    {
        var hosts = Topology.Hosts.Select(h => h.Id).ToHashSet();
        foreach (var n in Topology.Nics.Where(n => !hosts.Contains(n.Host))) yield return $"NIC {n.Id} is on host {n.Host}, which the topology does not describe";
        foreach (var s in Topology.Switches.Where(s => !hosts.Contains(s.Host))) yield return $"switch {s.Id} is on host {s.Host}, which the topology does not describe";
        foreach (var v in Topology.Vms.Where(v => !hosts.Contains(v.Host))) yield return $"VM {v.Id} is on host {v.Host}, which the topology does not describe";
        var switches = Topology.Switches.Select(s => s.Id).ToHashSet();
        foreach (var v in Topology.Vms)
            foreach (var vnic in v.Vnics.Where(x => !switches.Contains(x.Switch)))
                yield return $"VM {v.Id} vNIC {vnic.Name} names switch {vnic.Switch}, which the topology does not describe";
        foreach (var dup in Topology.Hosts.GroupBy(h => h.Id).Where(g => g.Count() > 1)) yield return $"host {dup.Key} is described twice";
    }
}

/// <summary>What an import appended, per aggregate kind, and what it started.</summary>
public sealed record ImportReport(string Operation, string Source, int EventsAppended, int CommandsRun, int VmsStarted, IReadOnlyList<string> Refusals);

internal sealed class ApplyTopologyHandler(IGrainFactory grains, TimeProvider clock) : IRequestHandler<ApplyTopology, ImportReport>
{
    public async Task<ImportReport> Handle(ApplyTopology r, CancellationToken ct)
    {
        var context = r.Context();
        var plan = TopologyPlanner.Plan(r.Topology, context.Operation, clock.GetUtcNow());
        var appended = 0;
        var refusals = new List<string>();
        foreach (var command in plan.Commands)
        {
            object[] events = command switch
            {
                HostCommand c => (await grains.GetGrain<IHostGrain>(c.Host.Value).Execute(c, context)).Events,
                ChipsetCommand c => (await grains.GetGrain<IChipsetGrain>(c.Chipset.Value).Execute(c, context)).Events,
                NicCommand c => (await grains.GetGrain<INicGrain>(c.Nic.Value).Execute(c, context)).Events,
                SwitchCommand c => (await grains.GetGrain<ISwitchGrain>(c.Switch.Value).Execute(c, context)).Events,
                VmCommand c => (await grains.GetGrain<IVmGrain>(c.Vm.Value).Execute(c, context)).Events,
                _ => [],
            };
            appended += events.Length;
            refusals.AddRange(events.Where(e => e.GetType().Name.EndsWith("Rejected", StringComparison.Ordinal)).Select(e => e.ToString()!));
        }
        var started = 0;
        foreach (var vm in plan.VmsToStart)
        {
            var grain = grains.GetGrain<IVmGrain>(vm.Value);
            if (await grain.GetSnapshot() is { Status: VmStatus.Running }) continue;
            var outcome = await grain.Start(context with { Operation = new OperationId($"{context.Operation.Value}/start/{vm.Value}") });
            started++;
            if (!outcome.Succeeded) refusals.Add(outcome.Summary);
        }
        return new ImportReport(context.Operation.Value, r.Source, appended, plan.Commands.Count, started, refusals);
    }
}
