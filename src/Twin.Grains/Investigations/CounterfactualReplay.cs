using Marten;
using Twin.Events.Catalog;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Domain = Twin.Events.Common.Aggregates;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Grains.UseCases;
using Twin.Projections.History;
using Twin.Simulation.InMemory;

namespace Twin.Grains.Investigations;

/// <summary>One vNIC that wanted a VF during the replayed period, in the recorded history and in the counterfactual
/// one: seconds on a VF, seconds running without one, how often it lost one, the traffic that cost (Gbit), and a verdict.</summary>
public sealed record VnicReplayOutcome(
    string Vm,
    string Vnic,
    double RecordedVfSeconds,
    double RecordedWithoutVfSeconds,
    int RecordedVfLosses,
    double CounterfactualVfSeconds,
    double CounterfactualWithoutVfSeconds,
    int CounterfactualVfLosses,
    double RecordedGbitLost,
    double CounterfactualGbitLost,
    string Verdict);

/// <summary>What a counterfactual replay found: the change, the intents replayed, where the replay departed from
/// what the sagas allow (<see cref="Divergences"/>), the vNICs that would have kept their VF, each vNIC's outcome, and
/// the traffic lost to the synthetic path in both histories (Gbit, by the throughput model).</summary>
public sealed record ReplayReport(
    DateTimeOffset From,
    DateTimeOffset To,
    string Change,
    int Intents,
    int Refused,
    IReadOnlyList<string> Divergences,
    IReadOnlyList<string> KeptTheirVf,
    IReadOnlyList<VnicReplayOutcome> Vnics,
    double RecordedGbitLost,
    double CounterfactualGbitLost,
    IReadOnlyList<string> Assumptions)
{
    /// <summary>Traffic the change would have saved (negative: lost).</summary>
    public double GbitRecovered => RecordedGbitLost - CounterfactualGbitLost;
}

/// <summary>
/// Counterfactual replay: forks the twin at <c>from</c> (every aggregate's state then, restored into an
/// <see cref="InMemoryTwin"/>), applies a change, turns the recorded history between <c>from</c> and <c>to</c> into a
/// workload — the intents (VM starts, stops, migrations, IovWeight changes, PF and switch changes, reboots, new
/// entities), each at its recorded time — and runs it through the same sagas. Effects (VFs handed over, revocations,
/// notices) are recomputed by the sagas, never copied from the record.
/// </summary>
public static class CounterfactualReplay
{
    private static readonly OperationId ChangeOp = new("counterfactual/change");

    public static async Task<ReplayReport> RunAsync(IQuerySession session, DateTimeOffset from, DateTimeOffset to, ReplayChange change,
        ThroughputModel? model = null, CancellationToken ct = default)
    {
        if (to < from) throw new ArgumentException($"the replay ends ({to:u}) before it starts ({from:u})", nameof(to));
        model ??= ThroughputModel.Default;
        var (fork, recorded, end) = await HistoryReader.ForkAsync(session, from, to, ct);
        if (fork.IsEmpty)
            throw new NothingExistedException(from, (await HistoryReader.BoundsAsync(session, ct)).First?.At);

        var twin = new InMemoryTwin();
        foreach (var (_, s) in fork.Streams) twin.Load(s.Snapshot());
        var vmsAtFork = fork.Snapshots<VmSnapshot>().ToList();

        var recordedClock = new DatapathClock(vmsAtFork, from);
        foreach (var e in recorded)
            if (e.Data is VmEvent v) recordedClock.Observe(v);
        recordedClock.Finish(to);

        var firstChangeEvent = twin.Log.Count;
        var assumptions = new List<string>
        {
            "every vNIC that wants a VF sends at its PF's link rate while its VM runs",
            $"synthetic path without vRSS: {model.SyntheticCoresWithoutVrss.Value} core(s) x {model.SyntheticGbpsPerCore.Value} Gbit/s; VF path {model.VfGoodputFraction.Value:P1} of the link",
            "recorded intents are replayed at their recorded times through the same sagas; what they caused is recomputed",
        };
        var skip = Apply(change, twin, fork, end, from, assumptions);
        var intents = Intents(recorded, skip, twin);

        var divergences = new List<string>();
        var refused = 0;
        foreach (var intent in intents)
        {
            try
            {
                if (intent.Run(twin) is { Succeeded: false } outcome)
                {
                    refused++;
                    if (!intent.RefusedInHistory) divergences.Add($"{intent.At:u} {intent.Description}: refused in the replay ({outcome.Summary})");
                }
            }
            catch (DomainRuleViolated ex)
            {
                divergences.Add($"{intent.At:u} {intent.Description}: impossible in the replay ({ex.Message})");
            }
        }

        var counterfactualClock = new DatapathClock(vmsAtFork, from);
        foreach (var r in twin.Log.Skip(firstChangeEvent))
            if (r.Event is VmEvent v) counterfactualClock.Observe(v);
        counterfactualClock.Finish(to);

        var outcomes = new List<VnicReplayOutcome>();
        foreach (var key in recordedClock.Keys.Union(counterfactualClock.Keys).Order())
        {
            var a = recordedClock.Get(key);
            var b = counterfactualClock.Get(key);
            if (!a.EverWanted && !b.EverWanted) continue;
            var (vm, vnic) = Split(key);
            var link = LinkMbps(twin, end, vm, vnic);
            var perSecond = model.VfGbps(link, 1, link / 1000.0) - model.SyntheticGbps(link, 1, link / 1000.0, vrss: false);
            outcomes.Add(new VnicReplayOutcome(vm, vnic, a.VfSeconds, a.WithoutSeconds, a.Losses, b.VfSeconds, b.WithoutSeconds, b.Losses,
                a.WithoutSeconds * perSecond, b.WithoutSeconds * perSecond, Verdict(a, b)));
        }
        return new ReplayReport(from, to, change.Describe(), intents.Count, refused, divergences,
            [.. outcomes.Where(o => o.Verdict == KeptVerdict).Select(o => $"{o.Vm}/{o.Vnic}")], outcomes,
            outcomes.Sum(o => o.RecordedGbitLost), outcomes.Sum(o => o.CounterfactualGbitLost), assumptions);
    }

    private const string KeptVerdict = "would have kept its VF";

    private static string Verdict(DatapathClock.Account recorded, DatapathClock.Account counterfactual)
    {
        var lostBefore = recorded.Losses > 0 || recorded.WithoutSeconds > 0;
        var lostAfter = counterfactual.Losses > 0 || counterfactual.WithoutSeconds > 0;
        return (lostBefore, lostAfter) switch
        {
            (true, false) => KeptVerdict,
            (false, true) => "worse: would have run without a VF",
            (false, false) => "unchanged: on a VF whenever it ran",
            _ when counterfactual.WithoutSeconds < recorded.WithoutSeconds - 1 => "better: less time without a VF",
            _ when counterfactual.WithoutSeconds > recorded.WithoutSeconds + 1 => "worse: more time without a VF",
            _ => "unchanged: without a VF as long",
        };
    }

    // ---------------- the change ----------------

    /// <summary>Applies the change to the fork; returns which recorded events it makes moot (not replayed).</summary>
    private static Func<object, bool> Apply(ReplayChange change, InMemoryTwin twin, DatacenterState fork, DatacenterState end, DateTimeOffset at,
        List<string> assumptions)
    {
        switch (change)
        {
            case ReplayChange.PfVfCount c:
            {
                var s = twin.Nic(new NicId(c.Nic)) ?? throw Missing("nic", c.Nic, end, at);
                if (c.VfCount >= s.Configured) HaveMoreVfs(twin, s, c.VfCount, at);
                else
                {
                    twin.Run(ChangeOp, at, async p =>
                    {
                        await PfSagas.Configure(p, new NicCommand.SetVfCount(new NicId(c.Nic), c.VfCount, p.Operation, p.Now));
                        return SagaOutcome.Done("", p.Operation);
                    });
                    assumptions.Add($"fewer VFs than configured: the change ran as a VF-count change at {at:u}, by {s.Platform}'s rules");
                }
                assumptions.Add($"recorded VF-count changes of {c.Nic} are not replayed");
                return e => e is NicEvent.SriovEnabled or NicEvent.SriovDisabled or NicEvent.VfCountChanged or NicEvent.VfConfigurationPending
                        or NicEvent.VfConfigurationRejected or NicEvent.VfConfigurationObserved
                    && ((NicEvent)e).Nic.Value == c.Nic;
            }
            case ReplayChange.SwitchIov c:
            {
                var s = twin.Switch(new SwitchId(c.Switch)) ?? throw Missing("switch", c.Switch, end, at);
                if (s.IovEnabled != c.IovEnabled)
                {
                    if (c.IovEnabled) HaveIov(twin, s, at);
                    else twin.Run(ChangeOp, at, p => PfSagas.RecreateSwitch(p, new SwitchId(c.Switch), false));
                }
                assumptions.Add($"recorded IOV changes of switch {c.Switch} are not replayed");
                return e => e is SwitchEvent.SwitchIovChanged or SwitchEvent.SwitchRecreated or SwitchEvent.SwitchIovChangeRejected
                            && ((SwitchEvent)e).Switch.Value == c.Switch;
            }
            case ReplayChange.VfPolicy c:
            {
                var nics = c.Nic is null ? twin.Nics.ToList() : [twin.Nic(new NicId(c.Nic)) ?? throw Missing("nic", c.Nic, end, at)];
                foreach (var n in nics) twin.Execute(new NicCommand.SetScarceVfPolicy(new NicId(n.Id), c.Policy, at), ChangeOp);
                return e => e is NicEvent.ScarceVfPolicyChanged p && (c.Nic is null || p.Nic.Value == c.Nic);
            }
            default:
                return _ => false;
        }
    }

    private static Exception Missing(string kind, string id, DatacenterState end, DateTimeOffset at) =>
        end.Stream(id) is { } later ? new NotExistingAtException(kind, id, at, later.FirstAt) : new EntityNotFoundException(kind, id);

    /// <summary>"The PF had N VFs": its configuration is rewritten with the domain's own Evolve (no adapter restart:
    /// it always had them), then the vNICs that were waiting ask again, in the order the PF's policy serves them.</summary>
    private static void HaveMoreVfs(InMemoryTwin twin, NicSnapshot s, int count, DateTimeOffset at)
    {
        var id = new NicId(s.Id);
        var nic = Domain.Nic.FromSnapshot(s);
        var waiters = s.Policy == ScarceVfPolicy.FirstComeFirstServed
            ? s.Waiting.OrderBy(w => w.Sequence).ToList()
            : s.Waiting.OrderByDescending(w => w.Weight).ThenBy(w => w.Sequence).ToList();
        nic = Domain.Nic.Decider.Evolve(nic, new NicEvent.VfConfigurationObserved(id, Math.Max(s.Ceiling ?? count, count), count > 0, count, null, ChangeOp, at));
        foreach (var w in waiters) nic = Domain.Nic.Decider.Evolve(nic, new NicEvent.VfRequestWithdrawn(id, w.Vnic, ChangeOp, at));
        twin.Load(Domain.Nic.ToSnapshot(nic, s.Version));
        foreach (var w in waiters) AskAgain(twin, w.Vnic, at);
    }

    /// <summary>"The switch had IOV": rewritten with the domain's Evolve, then running vNICs on it that want a VF ask.</summary>
    private static void HaveIov(InMemoryTwin twin, SwitchSnapshot s, DateTimeOffset at)
    {
        var sw = Domain.Switch.Decider.Evolve(Domain.Switch.FromSnapshot(s), new SwitchEvent.SwitchIovChanged(new SwitchId(s.Id), true, ChangeOp, at));
        twin.Load(Domain.Switch.ToSnapshot(sw, s.Version));
        foreach (var vm in twin.Vms.Where(v => v.Status == VmStatus.Running))
            foreach (var v in vm.Vnics.Where(v => v.Spec.Switch.Value == s.Id && v.Spec.WantsVf && v.Datapath.Kind != DatapathKind.Vf))
                AskAgain(twin, new VnicRef(new VmId(vm.Id), v.Spec.Name), at);
    }

    private static void AskAgain(InMemoryTwin twin, VnicRef vnic, DateTimeOffset at)
    {
        if (twin.Vm(vnic.Vm) is not { Status: VmStatus.Running }) return;
        twin.Run(new OperationId($"{ChangeOp}/{vnic}"), at, async p =>
        {
            var asked = await p.Vm(new VmCommand.RequestVf(vnic.Vm, vnic.Name, p.Operation, p.Now));
            return await VmSagas.ContinueVnicStep(p, asked.Snapshot, vnic.Name);
        });
    }

    // ---------------- the recorded intents ----------------

    private sealed record Intent(DateTimeOffset At, long Sequence, string Description, bool RefusedInHistory, Func<InMemoryTwin, SagaOutcome?> Run);

    /// <summary>
    /// What people and systems asked for, from the recorded events: each new entity or configuration fact is one
    /// intent; every other operation (events sharing an operation id) is one saga, recognised by its opening event —
    /// a reboot, a switch recreation, a PF change, a migration, a start, a stop, an IovWeight change, a VF request.
    /// Everything else an operation recorded is an effect, recomputed by the replay.
    /// </summary>
    private static List<Intent> Intents(IReadOnlyList<HistoryEvent> recorded, Func<object, bool> skip, InMemoryTwin twin)
    {
        var intents = new List<Intent>();
        foreach (var e in recorded)
            if (!skip(e.Data) && Provision(e.Data) is { } command)
            {
                var op = new OperationId(e.Operation);
                intents.Add(new Intent(e.At, e.Sequence, $"{e.Kind} of {e.Stream}", false, t => { t.Execute(command, op); return null; }));
            }
        foreach (var group in recorded.GroupBy(e => e.Operation))
        {
            var events = group.ToList();
            var op = new OperationId(group.Key);
            var (first, at) = (events[0], events[0].At);
            var data = events.Select(e => e.Data).ToList();
            Func<ITwinPort, ValueTask<SagaOutcome>>? saga = null;
            string? what = null;
            var refused = data.Any(d => d is VmEvent.VmStartFailed or VmEvent.VmMigrationRejected or VmEvent.VmMigrationAborted);
            if (data.OfType<HostEvent.HostRebooted>().FirstOrDefault() is { } reboot)
            {
                (what, saga) = ($"reboot of {reboot.Host}", p => PfSagas.RebootHost(p, reboot.Host,
                    [.. twin.Vms.Where(v => v.Host == reboot.Host && v.Status is not VmStatus.Off and not VmStatus.Deleted).Select(v => new VmId(v.Id))],
                    [.. twin.Nics.Where(n => n.Host == reboot.Host).Select(n => new NicId(n.Id))]));
            }
            else if (data.OfType<SwitchEvent.SwitchRecreated>().FirstOrDefault() is { } recreated && !skip(recreated))
                (what, saga) = ($"recreation of {recreated.Switch}", p => PfSagas.RecreateSwitch(p, recreated.Switch, recreated.IovEnabled));
            else if (data.OfType<SwitchEvent>().FirstOrDefault(d => d is SwitchEvent.SwitchIovChanged or SwitchEvent.SwitchIovChangeRejected) is { } iov && !skip(iov))
            {
                var on = iov is SwitchEvent.SwitchIovChanged c ? c.IovEnabled : ((SwitchEvent.SwitchIovChangeRejected)iov).RequestedIov;
                (what, saga) = ($"IOV {(on ? "on" : "off")} on {iov.Switch}", p => Command(p, () => p.Switch(new SwitchCommand.SetSwitchIov(iov.Switch, on, p.Operation, p.Now))));
            }
            else if (data.OfType<NicEvent>().Select(d => PfCommand(d, op, at)).FirstOrDefault(c => c is not null) is { } pf
                     && !skip(data.OfType<NicEvent>().First(d => PfCommand(d, op, at) is not null)))
                (what, saga) = ($"{pf.GetType().Name} on {pf.Nic}", p => Command(p, () => PfSagas.Configure(p, pf)));
            else if (data.OfType<VmEvent>().FirstOrDefault(d => d is VmEvent.VmMigrationStarted or VmEvent.VmMigrationRejected) is { } move)
            {
                var to = move is VmEvent.VmMigrationStarted s ? s.To : ((VmEvent.VmMigrationRejected)move).To;
                (what, saga) = ($"migration of {move.Vm} to {to}", p => MigrationSaga.Migrate(p, move.Vm, to));
            }
            else if (data.OfType<VmEvent.VmStartRequested>().FirstOrDefault() is { } start)
                (what, saga) = ($"start of {start.Vm}", p => VmSagas.Start(p, start.Vm));
            else if (data.OfType<VmEvent.VmStopRequested>().FirstOrDefault() is { } stop)
                (what, saga) = ($"stop of {stop.Vm}", p => VmSagas.Stop(p, stop.Vm));
            else if (data.OfType<VmEvent.IovWeightChanged>().FirstOrDefault() is { } weight)
                (what, saga) = ($"IovWeight {weight.To} on {weight.Vm}/{weight.Name}", p => VmSagas.SetIovWeight(p, weight.Vm, weight.Name, weight.To));
            else if (data.OfType<VmEvent.VfRequested>().FirstOrDefault() is { } ask)
                (what, saga) = ($"VF request of {ask.Vm}/{ask.Name}", async p =>
                {
                    var asked = await p.Vm(new VmCommand.RequestVf(ask.Vm, ask.Name, p.Operation, p.Now));
                    return await VmSagas.ContinueVnicStep(p, asked.Snapshot, ask.Name);
                });
            if (saga is null) continue;
            intents.Add(new Intent(at, first.Sequence, what!, refused, t => t.Run(op, at, saga)));
        }
        return [.. intents.OrderBy(i => i.At).ThenBy(i => i.Sequence)];
    }

    private static async ValueTask<SagaOutcome> Command<T>(ITwinPort port, Func<ValueTask<T>> run)
    {
        await run();
        return SagaOutcome.Done("", port.Operation);
    }

    /// <summary>The PF configuration command a recorded PF event answered.</summary>
    private static NicCommand? PfCommand(NicEvent e, OperationId op, DateTimeOffset at) => e switch
    {
        NicEvent.SriovEnabled x => new NicCommand.EnableSriov(x.Nic, x.VfCount, op, at),
        NicEvent.SriovDisabled x => new NicCommand.DisableSriov(x.Nic, op, at),
        NicEvent.VfCountChanged x => new NicCommand.SetVfCount(x.Nic, x.Asked, op, at),
        NicEvent.VfConfigurationPending x => x.Enabled && x.RequestedVfs > 0 ? new NicCommand.SetVfCount(x.Nic, x.RequestedVfs, op, at) : new NicCommand.DisableSriov(x.Nic, op, at),
        NicEvent.VfConfigurationRejected x => x.RequestedVfs > 0 ? new NicCommand.SetVfCount(x.Nic, x.RequestedVfs, op, at) : new NicCommand.DisableSriov(x.Nic, op, at),
        NicEvent.VfConfigurationObserved x => new NicCommand.ObserveVfConfiguration(x.Nic, x.MaxVfs, x.Enabled, x.ConfiguredVfs, x.RequestedVfs, op, at),
        NicEvent.NicFailed x => new NicCommand.FailNic(x.Nic, op, at),
        NicEvent.NicRepaired x => new NicCommand.RepairNic(x.Nic, op, at),
        NicEvent.ScarceVfPolicyChanged x => new NicCommand.SetScarceVfPolicy(x.Nic, x.Policy, at),
        _ => null,
    };

    /// <summary>The command that records a new entity or an outside fact (not a step of a saga).</summary>
    private static object? Provision(object e) => e switch
    {
        HostEvent.HostRegistered x => new HostCommand.RegisterHost(x.Host, x.Platform, x.Os, x.Cores, x.MemoryMiB, x.Cluster, x.InterruptVectorBudget, x.At),
        HostEvent.HostOsChanged x => new HostCommand.ChangeHostOs(x.Host, x.To, x.At),
        HostEvent.HostMaintenanceChanged x => new HostCommand.SetMaintenance(x.Host, x.InMaintenance, x.At),
        HostEvent.HostFailed x => new HostCommand.FailHost(x.Host, x.Op, x.At),
        HostEvent.HostRepaired x => new HostCommand.RepairHost(x.Host, x.Op, x.At),
        ChipsetEvent.ChipsetRegistered x => new ChipsetCommand.RegisterChipset(x.Chipset, x.Host, x.Description, x.Capabilities, x.At),
        ChipsetEvent.ChipsetCapabilitiesChanged x => new ChipsetCommand.ReportCapabilities(x.Chipset, x.To, x.At),
        NicEvent.NicInstalled x => new NicCommand.InstallNic(x.Nic, x.Host, x.Platform, x.Model, x.Vendor, x.PciAddress, x.LinkMbps, x.NumaNode,
            x.MaxVfs, x.PfDriverSupportsSriov, x.VPorts, x.QueuePairs, x.At),
        NicEvent.ResourcePoolDefined x => new NicCommand.DefineResourcePool(x.Nic, x.Name, x.VfIndices, x.At),
        NicEvent.ResourcePoolRemoved x => new NicCommand.RemoveResourcePool(x.Nic, x.Name, x.At),
        SwitchEvent.SwitchCreated x => new SwitchCommand.CreateSwitch(x.Switch, x.Host, x.Platform, x.Name, x.Kind, x.BoundNic, x.IovEnabled, x.Op, x.At),
        SwitchEvent.SwitchDeleted x => new SwitchCommand.DeleteSwitch(x.Switch, x.Op, x.At),
        VmEvent.VmDefined x => new VmCommand.DefineVm(x.Vm, x.Host, x.Platform, x.Guest, x.Vcpus, x.MemoryMiB, x.Vnics, x.At),
        VmEvent.VnicAdded x => new VmCommand.AddVnic(x.Vm, x.Vnic, x.At),
        VmEvent.VnicRemoved x => new VmCommand.RemoveVnic(x.Vm, x.Name, x.At),
        VmEvent.VmDeleted x => new VmCommand.DeleteVm(x.Vm, x.Op, x.At),
        _ => null,
    };

    // ---------------- measuring ----------------

    private static (string Vm, string Vnic) Split(string key) => (key[..key.IndexOf('|')], key[(key.IndexOf('|') + 1)..]);

    private static int LinkMbps(InMemoryTwin twin, DatacenterState end, string vm, string vnic)
    {
        var spec = (twin.Vm(new VmId(vm)) ?? end.Snapshot<VmSnapshot>(vm))?.Vnics.FirstOrDefault(v => v.Spec.Name == vnic)?.Spec;
        var sw = spec is null ? null : twin.Switch(spec.Switch) ?? end.Snapshot<SwitchSnapshot>(spec.Switch.Value);
        var nic = sw?.BoundNic is { } n ? twin.Nic(n) ?? end.Snapshot<NicSnapshot>(n.Value) : null;
        return nic?.LinkMbps ?? 10_000;
    }

    /// <summary>Time each vNIC spends on each datapath, from the VM events in time order (folded with the VM decider).</summary>
    private sealed class DatapathClock
    {
        private readonly Dictionary<string, Vm> _vms = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Account> _accounts = new(StringComparer.Ordinal);

        public sealed class Account(DatapathKind kind, bool wants, DateTimeOffset since)
        {
            public DatapathKind Kind { get; set; } = kind;
            public bool Wants { get; set; } = wants;
            public bool EverWanted { get; set; } = wants;
            public DateTimeOffset Since { get; set; } = since;
            public double VfSeconds { get; set; }
            public double WithoutSeconds { get; set; }
            public int Losses { get; set; }

            public void Until(DateTimeOffset at)
            {
                var seconds = Math.Max(0, (at - Since).TotalSeconds);
                if (Kind == DatapathKind.Vf) VfSeconds += seconds;
                else if (Wants && Kind is DatapathKind.Synthetic or DatapathKind.Disconnected) WithoutSeconds += seconds;
                Since = at;
            }
        }

        public DatapathClock(IEnumerable<VmSnapshot> vms, DateTimeOffset from)
        {
            foreach (var s in vms)
            {
                _vms[s.Id] = Domain.Vm.FromSnapshot(s);
                foreach (var v in s.Vnics) _accounts[$"{s.Id}|{v.Spec.Name}"] = new Account(v.Datapath.Kind, v.Spec.WantsVf, from);
            }
        }

        public IEnumerable<string> Keys => _accounts.Keys;

        public Account Get(string key) => _accounts.GetValueOrDefault(key) ?? new Account(DatapathKind.Off, false, default);

        public void Observe(VmEvent e)
        {
            if (!_vms.TryGetValue(e.Vm.Value, out var vm)) _vms[e.Vm.Value] = vm = Domain.Vm.Decider.Initial();
            Domain.Vm.Decider.Evolve(vm, e);
            foreach (var v in vm.Vnics)
            {
                var key = $"{e.Vm.Value}|{v.Name}";
                if (!_accounts.TryGetValue(key, out var a)) _accounts[key] = a = new Account(v.Datapath.Kind, v.Spec.WantsVf, e.At);
                if (a.Kind == v.Datapath.Kind && a.Wants == v.Spec.WantsVf) continue;
                a.Until(e.At);
                if (a.Kind == DatapathKind.Vf && v.Datapath.Kind is DatapathKind.Synthetic or DatapathKind.Disconnected) a.Losses++;
                (a.Kind, a.Wants) = (v.Datapath.Kind, v.Spec.WantsVf);
                a.EverWanted |= a.Wants;
            }
        }

        public void Finish(DateTimeOffset to)
        {
            foreach (var a in _accounts.Values) a.Until(to);
        }
    }
}
