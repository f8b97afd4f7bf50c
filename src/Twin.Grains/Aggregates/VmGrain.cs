using Microsoft.Extensions.Logging;
using Twin.Events.Common;
using Twin.Events.Sagas;
using Twin.Events.Vms;
using Twin.Grains.Common;
using Twin.Grains.Contracts;
using Twin.Grains.Persistence;
using Twin.Grains.Sagas;

namespace Twin.Grains.Aggregates;

/// <summary>
/// A VM: the single writer of its stream and the process manager of its sagas. An open saga (its progress is in the
/// stream) is resumed when the grain activates, and a reminder keeps it alive across silo crashes until it is closed.
/// </summary>
internal sealed class VmGrain(IEventStore store, ILogger<VmGrain> logger, IGrainFactory grains, TimeProvider clock, ISagaFaults faults)
    : AggregateGrain<VmCommand, VmEvent, Vm, VmSnapshot>(store, Twin.Events.Common.Aggregates.Vm, logger), IVmGrain, IRemindable
{
    internal const string ResumeReminder = "resume-open-saga";
    internal const string ResumeActor = "twin/resume";

    private VmId Id => new(StreamKey);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await base.OnActivateAsync(cancellationToken);
        if (HasOpenSaga)
        {
            // resume after activation completes, outside the activation call (which must stay short)
            this.RegisterGrainTimer(async () => await Resume(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = false });
        }
    }

    private bool HasOpenSaga => State.PendingKind != VmOperationKind.None || State.Vnics.Any(v => v.PendingStep is not null);

    public Task<SagaOutcome> Start(CommandContext context) => Saga(context, p => VmSagas.Start(p, Id));

    public Task<SagaOutcome> Stop(CommandContext context) => Saga(context, p => VmSagas.Stop(p, Id));

    public Task<SagaOutcome> Migrate(HostId destination, CommandContext context) => Saga(context, p => MigrationSaga.Migrate(p, Id, destination));

    public Task<SagaOutcome> SetIovWeight(string vnic, int weight, CommandContext context) =>
        Saga(context, p => VmSagas.SetIovWeight(p, Id, vnic, weight));

    public Task<SagaOutcome> RequestVf(string vnic, CommandContext context) =>
        Saga(context, async p =>
        {
            var asked = await p.Vm(new VmCommand.RequestVf(Id, vnic, p.Operation, p.Now));
            return await VmSagas.ContinueVnicStep(p, asked.Snapshot, vnic);
        });

    public async Task Notify(VmNotice notice, CommandContext context)
    {
        try
        {
            await VmSagas.HandleNotice(Port(context), Id, notice);
        }
        catch (Exception ex)
        {
            // a lost notice is found by reconciliation (the PF stays the authority); never fail the sender
            logger.LogWarning(ex, "{Vm}: notice {Notice} not applied: {Message}", Id, notice, ex.Message);
        }
    }

    public async Task<SagaOutcome?> Resume()
    {
        if (State.PendingKind != VmOperationKind.None)
        {
            var context = new CommandContext(State.PendingOp, ResumeActor);
            var snapshot = Twin.Events.Common.Aggregates.Vm.ToSnapshot(State, Version);
            logger.LogInformation("{Vm}: resuming {Kind} {Operation}", Id, State.PendingKind, State.PendingOp);
            return await Saga(context, p => State.PendingKind switch
            {
                VmOperationKind.Start => VmSagas.ContinueStart(p, snapshot),
                VmOperationKind.Stop => VmSagas.ContinueStop(p, snapshot),
                _ => MigrationSaga.Continue(p, snapshot),
            });
        }
        foreach (var vnic in State.Vnics.Where(v => v.PendingStep is not null).ToList())
        {
            var context = new CommandContext(vnic.PendingStep!.Value.Op, ResumeActor);
            var snapshot = Twin.Events.Common.Aggregates.Vm.ToSnapshot(State, Version);
            return await Saga(context, p => VmSagas.ContinueVnicStep(p, snapshot, vnic.Name));
        }
        await this.UnregisterReminderIfAny();
        return null;
    }

    public async Task ReceiveReminder(string reminderName, Orleans.Runtime.TickStatus status)
    {
        if (reminderName == ResumeReminder) await Resume();
    }

    /// <summary>Runs a saga with the guarantee that, if it is interrupted, the reminder brings the grain back to finish it.</summary>
    private async Task<SagaOutcome> Saga(CommandContext context, Func<ITwinPort, ValueTask<SagaOutcome>> saga)
    {
        await this.RegisterOrUpdateReminder(ResumeReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        var outcome = await saga(Port(context));
        if (!HasOpenSaga) await this.UnregisterReminderIfAny();
        return outcome;
    }

    private GrainTwinPort Port(CommandContext context) =>
        new(grains, context, clock, faults, new GrainTwinPort.SelfVm(Id, Run, () => Version == 0 ? null : Twin.Events.Common.Aggregates.Vm.ToSnapshot(State, Version)));
}

internal static class ReminderExtensions
{
    public static async Task UnregisterReminderIfAny(this Grain grain)
    {
        var reminder = await grain.GetReminder(VmGrain.ResumeReminder);
        if (reminder is not null) await grain.UnregisterReminder(reminder);
    }
}
