using System.Diagnostics;
using System.Globalization;
using Marten;
using MediatR;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Grains.UseCases;
using Twin.Host.Cli;
using Twin.Host.Import;
using Twin.Host.Server;
using Twin.Projections.Storage;

namespace Twin.Host.Demo;

/// <summary>What <c>twin demo</c> runs on.</summary>
internal sealed record DemoSettings
{
    public const string DefaultDataDirectory = ".twin/demo";

    public string DataDirectory { get; init; } = DefaultDataDirectory;
    public int Vms { get; init; } = 160;
    public double Hours { get; init; } = 24;
    public int VfsPerPf { get; init; } = 4;
    public ulong Seed { get; init; } = 2019;
    public string Urls { get; init; } = "http://127.0.0.1:0";
    /// <summary>Keep the server running after the demo (until Ctrl-C) so that the dashboard and CLI can be tried.</summary>
    public bool Serve { get; init; }
}

/// <summary>
/// <c>twin demo</c>: the main job end to end on an embedded, durable PostgreSQL that it starts itself. It imports a
/// datacenter from real inventory captures, enables SR-IOV (through the same use cases as the API and CLI), runs a
/// workload whose VM sizes and lifetimes come from the Azure 2019 trace through the live twin (Orleans grains, every
/// action an event in Marten), then investigates what happened (pools, why, time travel, counterfactual replay) and
/// forecasts VF exhaustion with the simulator. Everything it prints was computed in this run.
/// </summary>
internal sealed partial class DemoCommand(DemoSettings settings, CliConsole console)
{
    private const string Actor = "twin-demo";
    private const string MarkerFile = "twin-demo.txt";

    private IServiceProvider _services = null!;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public static Task<int> RunAsync(DemoSettings settings, CliConsole console, CancellationToken ct) =>
        new DemoCommand(settings, console).RunAsync(ct);

    private async Task<int> RunAsync(CancellationToken ct)
    {
        var samples = DemoSamples.Find();
        if (samples is null)
        {
            console.Fail("twin: the demo's sample data (samples/datacenter, samples/traces) is neither next to the executable nor above this folder.");
            console.Fail("      Run it from the Twin checkout: ./twin demo");
            return ExitCodes.Failed;
        }
        var folder = Path.GetFullPath(settings.DataDirectory);
        if (!PrepareFolder(folder)) return ExitCodes.Usage;

        console.Line(Bold("Twin demo: an event-sourced twin of an SR-IOV datacenter, end to end"));
        Heading(1, "Start");
        EmbeddedPostgres postgres;
        try
        {
            postgres = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = folder, Durable = true }, ct: ct);
        }
        catch (EmbeddedPostgresException e)
        {
            console.Fail($"twin: cannot start PostgreSQL: {e.Message}");
            return ExitCodes.Failed;
        }
        await using (postgres)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, MarkerFile),
                "This folder holds the data of `twin demo`, which deletes and recreates it on each run.\n", ct);
            Say($"PostgreSQL {postgres.MajorVersion}, embedded and durable (fsync on), data in {postgres.DataDirectory}");
            var info = new TwinServerInfo(postgres.ConnectionString, $"embedded PostgreSQL {postgres.MajorVersion} on 127.0.0.1:{postgres.Port}, data in {folder}",
                "localhost clustering", DateTimeOffset.UtcNow);
            // the demo's folder is recreated on each run, so are its tokens (`twin --server URL` finds them there)
            var write = ApiTokens.Resolve(ApiTokens.WriteVariable, folder, ApiTokens.WriteFile);
            var read = ApiTokens.Resolve(ApiTokens.ReadVariable, folder, ApiTokens.ReadFile);
            var app = TwinServer.Build(new ServeSettings { Urls = settings.Urls, DataDirectory = folder, WriteToken = write.Token, ReadToken = read.Token }, info);
            await using (app)
            {
                await TwinServer.StartAsync(app, ct);
                _services = app.Services;
                var url = TwinServer.Addresses(app).FirstOrDefault() ?? settings.Urls;
                Say($"Orleans silo, Marten event store, HTTP API and dashboard at {url}/  (ready after {_clock.Elapsed.TotalSeconds:0.0} s)");

                int code;
                try
                {
                    code = await StoryAsync(samples, ct);
                }
                catch (Exception e) when (e is RequestValidationException or EntityNotFoundException or Twin.Events.Common.DomainRuleViolated
                                              or Twin.Projections.History.NothingExistedException or Twin.Projections.History.NotExistingAtException
                                              or ImportException or IOException or Twin.Simulation.WhatIf.ScenarioException
                                              or Twin.Host.Rehearsal.PlanFileException)
                {
                    console.Fail($"twin: the demo stopped: {e.Message}");
                    console.Fail($"      what it did so far is in {folder} (browse it with ./twin serve --data {settings.DataDirectory}).");
                    code = ExitCodes.Failed;
                }
                if (code != ExitCodes.Ok)
                {
                    await app.StopAsync(CancellationToken.None);
                    return code;
                }

                if (settings.Serve)
                {
                    console.Line("");
                    console.Line($"The twin keeps running: dashboard {url}/, API {url}/api, e.g. `twin pools --server {url}`. Ctrl-C stops it.");
                    console.Line($"Commands need the write token ({write.Source}; set {ApiTokens.WriteVariable}), the read-only token is {read.Source}.");
                    await app.WaitForShutdownAsync(CancellationToken.None);
                }
                await app.StopAsync(CancellationToken.None);
            }
        }
        console.Line("");
        console.Line($"Done in {_clock.Elapsed.TotalSeconds:0} s. The demo's history stays in {folder}: browse it with");
        console.Line($"  ./twin serve --data {settings.DataDirectory}     then open http://127.0.0.1:5077/ or run e.g. `./twin pools`");
        return ExitCodes.Ok;
    }

    private async Task<int> StoryAsync(string samples, CancellationToken ct)
    {
        // ------------------------------------------------------------ 2. import
        Heading(2, "Import a datacenter from real inventory captures");
        var captures = Path.Combine(samples, "datacenter");
        var imported = InventoryImporter.Import(CaptureFiles.Read([captures]));
        var topology = imported.Topology;
        Say($"{Relative(captures)}: {imported.Files.Count} capture files → {topology.Hosts.Count} hosts, {topology.Nics.Count} PFs, {topology.Switches.Count} switch(es)");
        foreach (var h in topology.Hosts)
        {
            var nics = topology.Nics.Where(n => n.Host == h.Id).ToList();
            var nicText = string.Join(", ", nics.Select(n => $"{n.Model} (SR-IOV {(n.SriovEnabled ? $"on, {n.ConfiguredVfs} VFs" : "off")}{(n.MaxVfs is { } m ? $", up to {m} VFs" : "")})"));
            var switches = topology.Switches.Where(s => s.Host == h.Id).Select(s => $"switch {s.Name} (IOV {(s.IovEnabled ? "on" : "off")})");
            Say($"  {h.Id,-14} {h.Platform,-7} {h.Cores} cores, {h.MemoryMiB / 1024} GiB; {nicText}{string.Concat(switches.Select(s => "; " + s))}");
        }
        var applied = await Send(new ApplyTopology(topology, "samples/datacenter") { Actor = Actor }, ct);
        Say($"applied as operation {applied.Operation}: {applied.EventsAppended} events appended{(applied.Refusals.Count > 0 ? $", {applied.Refusals.Count} refused" : "")}");
        foreach (var r in applied.Refusals) Warn($"refused: {r}");

        // ------------------------------------------------------------ 3. enable SR-IOV
        Heading(3, $"Change: enable SR-IOV ({settings.VfsPerPf} VFs per PF) and give the VMs a path to the VFs");
        var hostSwitch = new Dictionary<HostId, SwitchId>();
        foreach (var nic in topology.Nics)
        {
            await Step($"{nic.Id}: SR-IOV on with {settings.VfsPerPf} VFs", new ConfigurePf(nic.Id, PfAction.Enable, settings.VfsPerPf) { Actor = Actor }, ct);
            var host = topology.Hosts.Single(h => h.Id == nic.Host);
            if (host.Platform == Platform.Kvm)
            {
                var sw = new SwitchId($"{host.Id}/sriov-{nic.PciAddress.Replace(':', '-').Replace('.', '-')}");
                await Step($"{sw}: libvirt hostdev network over the PF's VFs",
                    new CreateSwitch(sw, host.Id, sw.Value[(host.Id.Value.Length + 1)..], SwitchKind.HostdevPool, nic.Id, true) { Actor = Actor }, ct);
                hostSwitch[host.Id] = sw;
            }
        }
        foreach (var sw in topology.Switches.Where(s => !s.IovEnabled && s.BoundNic is not null))
        {
            var tried = await Send(new SetSwitchIov(sw.Id, true) { Actor = Actor }, ct);
            if (!tried.Succeeded) Say($"  {sw.Id}: turn IOV on → refused: {tried.Summary}");
            await Step($"{sw.Id}: recreated with IOV (its vNICs reconnect)", new RecreateSwitch(sw.Id, true) { Actor = Actor }, ct);
            hostSwitch[sw.Host] = sw.Id;
        }

        // ------------------------------------------------------------ 4. workload through the live twin
        Heading(4, "Run VMs through the live twin (Orleans grains, every action an event in PostgreSQL)");
        var vms = DemoWorkload.Generate(Path.Combine(samples, "traces", "azure-v2-2019-distributions"), settings.Vms, settings.Hours, settings.Seed);
        Say($"{vms.Count} VMs arriving over {settings.Hours:0} trace hours (Poisson arrivals, seed {settings.Seed}); cores, memory and lifetimes drawn");
        Say("from the Azure 2019 VM trace's published distributions; each VM has one vNIC that wants a VF. Arrival = define + start,");
        Say("departure = stop, in trace order, as fast as the twin answers. A small SR-IOV-aware scheduler picks the host.");
        var workloadStart = DateTimeOffset.UtcNow;
        var eventsBefore = await EventCount(ct);
        var run = await RunWorkloadAsync(vms, topology, hostSwitch, ct);
        var workloadEnd = DateTimeOffset.UtcNow;
        var eventsAppended = await EventCount(ct) - eventsBefore;
        var seconds = (workloadEnd - workloadStart).TotalSeconds;
        Say($"{run.Starts} starts and {run.Stops} stops in {seconds:0.0} s: {eventsAppended:N0} events appended ({eventsAppended / Math.Max(seconds, 1e-3):N0} events/s, "
            + $"{seconds * 1000 / Math.Max(1, run.Starts + run.Stops):0} ms per start or stop on average)");
        Say($"starts: {run.OnVf} on a VF, {run.Fallbacks} fell back to the synthetic path (Hyper-V), {run.Refused} refused (KVM: no free VF)");
        Say($"peak: {run.PeakAllocated} of {run.VfsConfigured} VFs held at trace hour {run.PeakHour:0.0}; VF pool first full at trace hour {(run.FirstFullHour is { } f ? f.ToString("0.0", CultureInfo.InvariantCulture) : "—")}");
        await PoolsTableAsync(ct);

        // ------------------------------------------------------------ 5. investigate
        Heading(5, "Investigate: why, time travel, counterfactual replay");
        await WhyAsync(run, ct);
        if (run.PeakAt is { } peak)
        {
            var at = await Send(new GetInventoryAt(peak), ct);
            var diff = await Send(new GetDiff(peak, workloadEnd), ct);
            var running = at.Inventory.Vms.Count(v => v.Status == VmStatus.Running);
            Say($"time travel: the datacenter at the peak ({peak:HH:mm:ss.fff} UTC, {at.EventsFolded:N0} events folded): {running} VMs running, "
                + $"{at.Inventory.Nics.Sum(n => n.Allocated)} VFs held");
            Say($"diff peak → end: {diff.Entities.Count} entities changed, {diff.Vfs.Count} VF assignments changed, {diff.Datapaths.Count} datapaths changed");
        }
        var busiest = run.BusiestNic;
        if (busiest is not null)
        {
            var replay = await Send(new ReplayWithChange(workloadStart, workloadEnd, $"vfs {busiest} {settings.VfsPerPf * 2}"), ct);
            Say($"replay: had {busiest} had {settings.VfsPerPf * 2} VFs instead of {settings.VfsPerPf}, replaying the {replay.Intents} recorded intents "
                + $"through the same sagas: {replay.KeptTheirVf.Count} vNIC(s) would have kept a VF; traffic lost to the synthetic path "
                + $"{replay.RecordedGbitLost:N0} → {replay.CounterfactualGbitLost:N0} Gbit (throughput model, every vNIC at link rate, over the {(workloadEnd - workloadStart).TotalSeconds:0} s the workload took)");
            if (replay.Divergences.Count > 0) Say($"  ({replay.Divergences.Count} intent(s) went differently in the replay, e.g. {replay.Divergences[0]})");
        }

        // ------------------------------------------------------------ 6. rehearse a change
        Heading(6, "Rehearse a change on a fork of the twin before it reaches a host");
        await RehearseAsync(ct);

        // ------------------------------------------------------------ 7. forecast
        Heading(7, "Forecast: when do the VF pools run out, and what would more VFs buy?");
        await ForecastAsync(samples, ct);
        return ExitCodes.Ok;
    }

    // ---------------------------------------------------------------- the workload

    private sealed class RunStats
    {
        public int Starts, Stops, OnVf, Fallbacks, Refused, PeakAllocated, VfsConfigured;
        public double PeakHour;
        public double? FirstFullHour;
        public DateTimeOffset? PeakAt;
        public string? BusiestNic;
        public readonly List<string> SyntheticVms = [];
    }

    private async Task<RunStats> RunWorkloadAsync(IReadOnlyList<DemoVm> vms, Twin.Events.Inventory.Topology topology,
        Dictionary<HostId, SwitchId> hostSwitch, CancellationToken ct)
    {
        var stats = new RunStats();
        var hosts = topology.Hosts.Where(h => hostSwitch.ContainsKey(h.Id)).ToList();
        var coresUsed = hosts.ToDictionary(h => h.Id, _ => 0);
        var memoryUsed = hosts.ToDictionary(h => h.Id, _ => 0L);
        var placed = new Dictionary<string, HostId>();
        var rejections = new Dictionary<string, int>(StringComparer.Ordinal);
        var events = DemoWorkload.Events(vms);
        var done = 0;
        foreach (var e in events)
        {
            if (++done % 20 == 0 && console.ErrorIsTerminal) console.Error.Write($"\r   ... {done}/{events.Count} arrivals and departures");
            if (!e.Arrives)
            {
                if (!placed.Remove(e.Vm.Id, out var was)) continue; // it never started
                await Send(new StopVm(new VmId(e.Vm.Id)) { Actor = Actor }, ct);
                coresUsed[was] -= e.Vm.Cores;
                memoryUsed[was] -= (long)(e.Vm.MemoryGiB * 1024);
                stats.Stops++;
            }
            else
            {
                var pools = await Send(new GetVfPools(), ct);
                var memory = (long)Math.Round(e.Vm.MemoryGiB * 1024);
                var host = Schedule(hosts, pools, coresUsed, memoryUsed, e.Vm.Cores, memory);
                if (host is null) continue; // no room at all: the scheduler would not admit it
                var platform = host.Platform;
                var guest = platform == Platform.HyperV ? "Windows Server 2022" : "Ubuntu 22.04";
                var id = new VmId(e.Vm.Id);
                await Send(new DefineVm(id, host.Id, guest, e.Vm.Cores, memory, [new VnicSpec("net0", hostSwitch[host.Id], IovWeight: 50)]) { Actor = Actor }, ct);
                var started = await Send(new StartVm(id) { Actor = Actor }, ct);
                stats.Starts++;
                if (!started.Succeeded)
                {
                    stats.Refused++;
                    continue;
                }
                placed[e.Vm.Id] = host.Id;
                coresUsed[host.Id] += e.Vm.Cores;
                memoryUsed[host.Id] += memory;
                var vm = await Send(new GetVm(e.Vm.Id), ct);
                if (vm.Vnics[0].Datapath.Kind == DatapathKind.Vf) stats.OnVf++;
                else
                {
                    stats.Fallbacks++;
                    stats.SyntheticVms.Add(e.Vm.Id);
                }
            }
            var now = await Send(new GetVfPools(), ct);
            var allocated = now.Sum(n => n.Allocated);
            stats.VfsConfigured = now.Sum(n => n.Configured);
            foreach (var n in now.Where(n => n.Waiting.Count > 0)) rejections[n.Id] = Math.Max(rejections.GetValueOrDefault(n.Id), n.Waiting.Count);
            if (allocated > stats.PeakAllocated)
                (stats.PeakAllocated, stats.PeakHour, stats.PeakAt) = (allocated, e.Hour, DateTimeOffset.UtcNow);
            if (stats.FirstFullHour is null && now.Any(n => n.Configured > 0 && n.Free == 0)) stats.FirstFullHour = e.Hour;
        }
        if (console.ErrorIsTerminal) console.Error.Write("\r" + new string(' ', 60) + "\r");
        stats.BusiestNic = rejections.OrderByDescending(r => r.Value).Select(r => r.Key).FirstOrDefault()
                           ?? (await Send(new GetVfPools(), ct)).OrderByDescending(n => n.Allocated).Select(n => n.Id).FirstOrDefault();
        return stats;
    }

    /// <summary>The host with room for the VM, preferring one whose PF has a free VF (most free first), then a Hyper-V
    /// host (its vNIC falls back to synthetic and waits for a VF), then any host (a KVM start then fails).</summary>
    private static Twin.Events.Inventory.HostSpec? Schedule(List<Twin.Events.Inventory.HostSpec> hosts, IReadOnlyList<NicSnapshot> pools,
        Dictionary<HostId, int> coresUsed, Dictionary<HostId, long> memoryUsed, int cores, long memoryMiB)
    {
        var fits = hosts.Where(h => coresUsed[h.Id] + cores <= h.Cores && memoryUsed[h.Id] + memoryMiB <= h.MemoryMiB).ToList();
        int FreeVfs(HostId h) => pools.Where(p => p.Host == h).Sum(p => p.Free);
        return fits.Where(h => FreeVfs(h.Id) > 0).OrderByDescending(h => FreeVfs(h.Id)).ThenBy(h => coresUsed[h.Id]).FirstOrDefault()
               ?? fits.Where(h => h.Platform == Platform.HyperV).OrderBy(h => coresUsed[h.Id]).FirstOrDefault()
               ?? fits.OrderBy(h => coresUsed[h.Id]).FirstOrDefault();
    }

    // ---------------------------------------------------------------- reports

    private async Task PoolsTableAsync(CancellationToken ct)
    {
        var pools = await Send(new GetVfPools(), ct);
        Say("");
        var width = Math.Max(2, pools.Max(p => p.Id.Length));
        Say($"  {"PF".PadRight(width)}  {"platform",-8} {"VFs",4} {"held",5} {"free",5} {"waiting",8}");
        foreach (var p in pools)
            Say($"  {p.Id.PadRight(width)}  {p.Platform,-8} {p.Configured,4} {p.Allocated,5} {p.Free,5} {p.Waiting.Count,8}");
        Say("");
    }

    private async Task WhyAsync(RunStats run, CancellationToken ct)
    {
        // a VM that is still running without a VF, else one that once fell back
        string? vm = null;
        foreach (var id in run.SyntheticVms)
        {
            var snapshot = await Send(new GetVm(id), ct);
            if (snapshot.Status == VmStatus.Running && snapshot.Vnics[0].Datapath.Kind != DatapathKind.Vf)
            {
                vm = id;
                break;
            }
        }
        vm ??= run.SyntheticVms.FirstOrDefault();
        if (vm is null)
        {
            Say("why: every VM that started got a VF, so there is no fallback to explain");
            return;
        }
        var why = await Send(new ExplainDatapath(vm), ct);
        var vnic = why.Vnics[0];
        Say($"why: {vm}/{vnic.Vnic} is {vnic.Datapath} — {vnic.Summary}");
        foreach (var step in vnic.Chain.TakeLast(4))
            Say($"       {step.At:HH:mm:ss.fff} {step.Entity}: {step.Text} (operation {Short(step.Operation)}{(step.Actor is { } a ? $", {a}" : "")})");
    }

    // ---------------------------------------------------------------- plumbing

    private async Task<T> Send<T>(IRequest<T> request, CancellationToken ct)
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request, ct);
    }

    private async Task Step(string what, IRequest<OperationResult> request, CancellationToken ct)
    {
        var result = await Send(request, ct);
        if (result.Succeeded) Say($"  {what}  {console.Paint(Ansi.Green, "ok")}");
        else Warn($"  {what}: {result.Summary}");
    }

    private async Task<long> EventCount(CancellationToken ct) =>
        (await _services.GetRequiredService<IDocumentStore>().Advanced.FetchEventStoreStatistics(token: ct)).EventCount;

    private bool PrepareFolder(string folder)
    {
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any()) return true;
        if (!File.Exists(Path.Combine(folder, MarkerFile)))
        {
            console.Fail($"twin: {folder} is not empty and was not made by `twin demo`; the demo recreates its folder on each run.");
            console.Fail("      Choose another one with --data DIR.");
            return false;
        }
        Directory.Delete(folder, recursive: true);
        return true;
    }

    private void Heading(int n, string text)
    {
        console.Line("");
        console.Line(Bold($"{n}. {text}") + console.Paint(Ansi.Dim, $"   [{_clock.Elapsed.TotalSeconds:0.0} s]"));
    }

    private void Say(string text) => console.Line(text.Length == 0 ? "" : "   " + text);

    private void Warn(string text) => console.Line("   " + console.Paint(Ansi.Yellow, text));

    private string Bold(string text) => console.Paint(Ansi.Bold, text);

    private static string Short(string operation) => operation.Length > 14 ? operation[..14] + "…" : operation;

    private static string Relative(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
    }
}
