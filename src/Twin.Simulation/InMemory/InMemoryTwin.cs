using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Simulation.InMemory;

/// <summary>One event the in-memory twin appended: its stream, the version it got, the operation it belongs to.</summary>
public sealed record RecordedEvent(string Stream, long Version, object Event, OperationId Operation);

/// <summary>
/// The twin in memory: every aggregate's state folded with the same deciders the grains use, and a log of every event
/// appended. Sagas run against it through <see cref="Port"/> exactly as they run against the live grains, so a
/// rehearsal or a simulation predicts with the code that enforces the rules live. Single-threaded, synchronous.
/// </summary>
public sealed class InMemoryTwin
{
    private readonly Store<HostCommand, HostEvent, Host, HostSnapshot> _hosts = new(Aggregates.Host);
    private readonly Store<ChipsetCommand, ChipsetEvent, Chipset, ChipsetSnapshot> _chipsets = new(Aggregates.Chipset);
    private readonly Store<NicCommand, NicEvent, Nic, NicSnapshot> _nics = new(Aggregates.Nic);
    private readonly Store<SwitchCommand, SwitchEvent, VirtualSwitch, SwitchSnapshot> _switches = new(Aggregates.Switch);
    private readonly Store<VmCommand, VmEvent, Vm, VmSnapshot> _vms = new(Aggregates.Vm);
    private readonly List<RecordedEvent> _log = [];
    private readonly Queue<(VmId Vm, VmNotice Notice, OperationId Op)> _notices = new();

    /// <summary>Every event appended, in order.</summary>
    public IReadOnlyList<RecordedEvent> Log => _log;

    /// <summary>A port whose commands belong to operation <paramref name="op"/> at time <paramref name="now"/>.</summary>
    public ITwinPort Port(OperationId op, DateTimeOffset now) => new TwinPort(this, op, now);

    /// <summary>Delivers the queued notices (each handled as its VM would handle it), until none is left.</summary>
    public void DeliverNotices(DateTimeOffset now)
    {
        while (_notices.TryDequeue(out var n))
            Wait(VmSagas.HandleNotice(Port(n.Op, now), n.Vm, n.Notice));
    }

    /// <summary>Runs a saga to completion and delivers the notices it caused.</summary>
    public T Run<T>(OperationId op, DateTimeOffset now, Func<ITwinPort, ValueTask<T>> saga)
    {
        var result = Wait(saga(Port(op, now)));
        DeliverNotices(now);
        return result;
    }

    /// <summary>Folds existing histories into the twin (e.g. a fork of the live twin at its current versions).</summary>
    public void Load(string stream, IEnumerable<object> events, long version)
    {
        switch (events.FirstOrDefault())
        {
            case HostEvent: _hosts.Load(stream, events.Cast<HostEvent>(), version); break;
            case ChipsetEvent: _chipsets.Load(stream, events.Cast<ChipsetEvent>(), version); break;
            case NicEvent: _nics.Load(stream, events.Cast<NicEvent>(), version); break;
            case SwitchEvent: _switches.Load(stream, events.Cast<SwitchEvent>(), version); break;
            case VmEvent: _vms.Load(stream, events.Cast<VmEvent>(), version); break;
        }
    }

    /// <summary>Restores aggregates from snapshots (a fork taken from the read models).</summary>
    public void Load(ISnapshot snapshot)
    {
        switch (snapshot)
        {
            case HostSnapshot s: _hosts.Restore(s); break;
            case ChipsetSnapshot s: _chipsets.Restore(s); break;
            case NicSnapshot s: _nics.Restore(s); break;
            case SwitchSnapshot s: _switches.Restore(s); break;
            case VmSnapshot s: _vms.Restore(s); break;
        }
    }

    /// <summary>The stream versions of every aggregate (what a rehearsal's apply expects to find unchanged).</summary>
    public IReadOnlyDictionary<string, long> Versions() =>
        _hosts.Versions.Concat(_chipsets.Versions).Concat(_nics.Versions).Concat(_switches.Versions).Concat(_vms.Versions)
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    public IEnumerable<NicSnapshot> Nics => _nics.Snapshots;
    public IEnumerable<VmSnapshot> Vms => _vms.Snapshots;
    public IEnumerable<HostSnapshot> Hosts => _hosts.Snapshots;
    public IEnumerable<SwitchSnapshot> Switches => _switches.Snapshots;
    public IEnumerable<ChipsetSnapshot> Chipsets => _chipsets.Snapshots;

    public NicSnapshot? Nic(NicId id) => _nics.Snapshot(id.Value);
    public VmSnapshot? Vm(VmId id) => _vms.Snapshot(id.Value);
    public HostSnapshot? Host(HostId id) => _hosts.Snapshot(id.Value);
    public SwitchSnapshot? Switch(SwitchId id) => _switches.Snapshot(id.Value);

    /// <summary>Runs one command on one aggregate (outside any saga).</summary>
    public CommandResult<NicEvent, NicSnapshot> Execute(NicCommand c, OperationId op) => _nics.Execute(c.Nic.Value, c, op, _log);
    public CommandResult<HostEvent, HostSnapshot> Execute(HostCommand c, OperationId op) => _hosts.Execute(c.Host.Value, c, op, _log);
    public CommandResult<ChipsetEvent, ChipsetSnapshot> Execute(ChipsetCommand c, OperationId op) => _chipsets.Execute(c.Chipset.Value, c, op, _log);
    public CommandResult<SwitchEvent, SwitchSnapshot> Execute(SwitchCommand c, OperationId op) => _switches.Execute(c.Switch.Value, c, op, _log);
    public CommandResult<VmEvent, VmSnapshot> Execute(VmCommand c, OperationId op) => _vms.Execute(c.Vm.Value, c, op, _log);

    /// <summary>Runs a command of any aggregate.</summary>
    public void Execute(object command, OperationId op)
    {
        switch (command)
        {
            case HostCommand c: Execute(c, op); break;
            case ChipsetCommand c: Execute(c, op); break;
            case NicCommand c: Execute(c, op); break;
            case SwitchCommand c: Execute(c, op); break;
            case VmCommand c: Execute(c, op); break;
            default: throw new ArgumentException($"not a twin command: {command.GetType().Name}", nameof(command));
        }
    }

    /// <summary>Builds the twin a topology describes, starting its running VMs with the start saga.</summary>
    public void Apply(Topology topology, OperationId op, DateTimeOffset at)
    {
        var plan = TopologyPlanner.Plan(topology, op, at);
        foreach (var c in plan.Commands) Execute(c, op);
        foreach (var vm in plan.VmsToStart) Run(new OperationId($"{op.Value}/start/{vm.Value}"), at, p => VmSagas.Start(p, vm));
    }

    private static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask task)
    {
        if (!task.IsCompletedSuccessfully) task.AsTask().GetAwaiter().GetResult();
    }

    private sealed class Store<TCommand, TEvent, TState, TSnapshot>(AggregateType<TCommand, TEvent, TState, TSnapshot> type)
        where TEvent : class where TSnapshot : class, ISnapshot
    {
        private readonly Dictionary<string, (TState State, long Version)> _streams = new(StringComparer.Ordinal);

        public IEnumerable<KeyValuePair<string, long>> Versions => _streams.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Version));

        public IEnumerable<TSnapshot> Snapshots => _streams.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => type.ToSnapshot(kv.Value.State, kv.Value.Version));

        public TSnapshot? Snapshot(string key) =>
            _streams.TryGetValue(key, out var s) && s.Version > 0 ? type.ToSnapshot(s.State, s.Version) : null;

        public void Load(string key, IEnumerable<TEvent> events, long version) => _streams[key] = (type.Decider.Fold(events), version);

        public void Restore(TSnapshot snapshot) => _streams[snapshot.Id] = (type.FromSnapshot(snapshot), snapshot.Version);

        public CommandResult<TEvent, TSnapshot> Execute(string key, TCommand command, OperationId op, List<RecordedEvent> log)
        {
            var (state, version) = _streams.TryGetValue(key, out var s) ? s : (type.Decider.Initial(), 0L);
            var events = type.Decider.Decide(command, state);
            foreach (var e in events)
            {
                state = type.Decider.Evolve(state, e);
                log.Add(new RecordedEvent(key, ++version, e, op));
            }
            if (events.Length > 0) _streams[key] = (state, version);
            return new CommandResult<TEvent, TSnapshot>(events, type.ToSnapshot(state, version));
        }
    }

    private sealed class TwinPort(InMemoryTwin twin, OperationId op, DateTimeOffset now) : ITwinPort
    {
        public OperationId Operation => op;
        public DateTimeOffset Now => now;

        public ValueTask<CommandResult<HostEvent, HostSnapshot>> Host(HostCommand command) => new(twin.Execute(command, op));
        public ValueTask<CommandResult<NicEvent, NicSnapshot>> Nic(NicCommand command) => new(twin.Execute(command, op));
        public ValueTask<CommandResult<SwitchEvent, SwitchSnapshot>> Switch(SwitchCommand command) => new(twin.Execute(command, op));
        public ValueTask<CommandResult<VmEvent, VmSnapshot>> Vm(VmCommand command) => new(twin.Execute(command, op));
        public ValueTask<HostSnapshot?> GetHost(HostId id) => new(twin._hosts.Snapshot(id.Value));
        public ValueTask<ChipsetSnapshot?> GetChipset(ChipsetId id) => new(twin._chipsets.Snapshot(id.Value));
        public ValueTask<NicSnapshot?> GetNic(NicId id) => new(twin._nics.Snapshot(id.Value));
        public ValueTask<SwitchSnapshot?> GetSwitch(SwitchId id) => new(twin._switches.Snapshot(id.Value));
        public ValueTask<VmSnapshot?> GetVm(VmId id) => new(twin._vms.Snapshot(id.Value));

        public ValueTask Notify(VmId vm, VmNotice notice)
        {
            twin._notices.Enqueue((vm, notice, op));
            return ValueTask.CompletedTask;
        }

        public ValueTask Checkpoint(string step) => ValueTask.CompletedTask;
    }
}
