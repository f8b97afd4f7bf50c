using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Simulation.InMemory;

namespace Twin.Simulation.Rehearsal;

/// <summary>A stream (aggregate) of the twin at a version: its kind ("host", "chipset", "nic", "switch", "vm"), its id
/// (= Marten stream key) and the version (0 = the aggregate does not exist).</summary>
public sealed record StreamVersion(string Kind, string Stream, long Version);

/// <summary>
/// A plan target over an <see cref="InMemoryTwin"/> (the fork of a rehearsal). Sagas run through a port that notes
/// every stream they read or command, at the version it had when first seen; the notices a saga sends are delivered
/// when it ends (each handled by <see cref="VmSagas.HandleNotice"/>, as the VM's grain would), before the next saga
/// of the step starts.
/// </summary>
public sealed class ForkTarget(InMemoryTwin twin, DateTimeOffset now) : IPlanTarget
{
    private readonly Queue<(VmId Vm, VmNotice Notice, OperationId Op)> _notices = new();
    private Dictionary<string, StreamVersion> _seen = new(StringComparer.Ordinal);
    private Dictionary<string, VmSnapshot?> _vmsBefore = new(StringComparer.Ordinal);

    public InMemoryTwin Twin { get; } = twin;

    /// <summary>Starts noting what the next step reads and commands.</summary>
    public void BeginStep()
    {
        _seen = new(StringComparer.Ordinal);
        _vmsBefore = new(StringComparer.Ordinal);
    }

    /// <summary>Every stream the step read or commanded, at the version it had when the step first saw it.</summary>
    public IReadOnlyList<StreamVersion> Seen => [.. _seen.Values.OrderBy(s => s.Stream, StringComparer.Ordinal)];

    /// <summary>Every VM the step read or commanded, as it was when the step first saw it (null: not defined).</summary>
    public IReadOnlyDictionary<string, VmSnapshot?> VmsBefore => _vmsBefore;

    public async ValueTask<T> Run<T>(OperationId op, Func<ITwinPort, ValueTask<T>> saga)
    {
        var result = await saga(new TrackingPort(this, Twin.Port(op, now)));
        while (_notices.TryDequeue(out var n))
            await VmSagas.HandleNotice(new TrackingPort(this, Twin.Port(n.Op, now)), n.Vm, n.Notice);
        return result;
    }

    public ValueTask<SagaOutcome> StartVm(VmId vm, OperationId op) => Run(op, p => VmSagas.Start(p, vm));
    public ValueTask<SagaOutcome> StopVm(VmId vm, OperationId op) => Run(op, p => VmSagas.Stop(p, vm));
    public ValueTask<SagaOutcome> MigrateVm(VmId vm, HostId destination, OperationId op) => Run(op, p => MigrationSaga.Migrate(p, vm, destination));
    public ValueTask<SagaOutcome> SetIovWeight(VmId vm, string vnic, int weight, OperationId op) => Run(op, p => VmSagas.SetIovWeight(p, vm, vnic, weight));

    public ValueTask<IReadOnlyList<VmId>> VmsOn(HostId host) =>
        new([.. Twin.Vms.Where(v => v.Host == host).Select(v => new VmId(v.Id)).OrderBy(v => v.Value, StringComparer.Ordinal)]);

    public ValueTask<IReadOnlyList<NicId>> NicsOn(HostId host) =>
        new([.. Twin.Nics.Where(n => n.Host == host && n.Status != NicStatus.Absent).Select(n => new NicId(n.Id)).OrderBy(n => n.Value, StringComparer.Ordinal)]);

    private void Saw(string kind, string stream, long version)
    {
        // every write is preceded by a read, so the first sight of a stream is its state when the step began
        if (_seen.TryAdd(stream, new StreamVersion(kind, stream, version)) && kind == Aggregates.Vm.Name)
            _vmsBefore[stream] = Twin.Vm(new VmId(stream));
    }

    private sealed class TrackingPort(ForkTarget target, ITwinPort inner) : TwinPortDecorator(inner)
    {
        // a command's stream is noted before it runs: one that throws (an impossible command) still depended on it
        public override async ValueTask<CommandResult<HostEvent, HostSnapshot>> Host(HostCommand command)
        {
            await GetHost(command.Host);
            return await Inner.Host(command);
        }

        public override async ValueTask<CommandResult<NicEvent, NicSnapshot>> Nic(NicCommand command)
        {
            await GetNic(command.Nic);
            return await Inner.Nic(command);
        }

        public override async ValueTask<CommandResult<SwitchEvent, SwitchSnapshot>> Switch(SwitchCommand command)
        {
            await GetSwitch(command.Switch);
            return await Inner.Switch(command);
        }

        public override async ValueTask<CommandResult<VmEvent, VmSnapshot>> Vm(VmCommand command)
        {
            await GetVm(command.Vm);
            return await Inner.Vm(command);
        }

        public override async ValueTask<HostSnapshot?> GetHost(HostId id) => Read(Aggregates.Host.Name, id.Value, await Inner.GetHost(id));
        public override async ValueTask<ChipsetSnapshot?> GetChipset(ChipsetId id) => Read(Aggregates.Chipset.Name, id.Value, await Inner.GetChipset(id));
        public override async ValueTask<NicSnapshot?> GetNic(NicId id) => Read(Aggregates.Nic.Name, id.Value, await Inner.GetNic(id));
        public override async ValueTask<SwitchSnapshot?> GetSwitch(SwitchId id) => Read(Aggregates.Switch.Name, id.Value, await Inner.GetSwitch(id));
        public override async ValueTask<VmSnapshot?> GetVm(VmId id) => Read(Aggregates.Vm.Name, id.Value, await Inner.GetVm(id));

        public override ValueTask Notify(VmId vm, VmNotice notice)
        {
            target._notices.Enqueue((vm, notice, Operation));
            return ValueTask.CompletedTask;
        }

        public override ValueTask Checkpoint(string step) => ValueTask.CompletedTask;

        private T? Read<T>(string kind, string stream, T? snapshot) where T : class, ISnapshot
        {
            target.Saw(kind, stream, snapshot?.Version ?? 0);
            return snapshot;
        }
    }
}
