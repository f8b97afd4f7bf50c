using System.ComponentModel;
using MediatR;
using Microsoft.AspNetCore.Mvc;
using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Vms;
using Twin.Grains.Investigations;
using Twin.Grains.Simulation;
using Twin.Grains.UseCases;
using Twin.Host.Metrics;
using Twin.Host.Server;
using Twin.Projections.History;
using Twin.Projections.ReadModels;

namespace Twin.Host.Api;

/// <summary>
/// The HTTP API: one endpoint per use case. Queries are GETs on the read models; commands are POST/PUT and answer an
/// <see cref="OperationResult"/> (200 also when the domain refused: the refusal is a recorded fact, <c>succeeded</c>
/// says which). Ids in paths are URL-encoded (a NIC id such as <c>host-07/0000:3b:00.0</c> is
/// <c>host-07%2F0000:3b:00.0</c>). A command may carry an <c>Idempotency-Key</c> header (its operation id: retrying with
/// the same key appends nothing twice) and an <c>X-Twin-Actor</c> header (who asks, stored with every event).
/// </summary>
internal static class TwinApi
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const string ActorHeader = "X-Twin-Actor";

    public static void MapTwinApi(this WebApplication app, ServeSettings settings)
    {
        var api = app.MapGroup("/api").WithTags("twin");

        // ---------------- queries ----------------
        api.MapGet("/status", Status).WithName("GetStatus").WithSummary("The server, its storage and the datacenter in a few numbers");
        api.MapGet("/inventory", Inventory)
            .WithName("GetInventory").WithSummary("Every host, chipset, PF, switch and VM now, or at a past moment with at= (optionally one host's)");
        api.MapGet("/pools", Pools)
            .WithName("GetVfPools").WithSummary("The VF pool of every PF with its four counters, holders and waiters, now or at a past moment with at=");
        api.MapGet("/pools/summary", PoolSummary)
            .WithName("GetPoolSummary").WithSummary("One row per PF: the four counters, free, waiting vNICs, pending changes and refusals, now or at a past moment with at=");
        api.MapGet("/pools/usage", PoolUsage)
            .WithName("GetVfPoolUsage").WithSummary("Every VF pool with its counters, holders, waiters and the unmet demand counted so far, now or at a past moment");
        api.MapGet("/pools/history", PoolHistory)
            .WithName("GetPoolHistory").WithSummary("VF-pool counters over the last hours (1–168), per PF, replayed from the events");
        api.MapGet("/pools/rejections", (IMediator m, long? after, int? limit, CancellationToken ct) =>
                m.Send(new GetVfRejections(after ?? 0, limit is null or (>= 1 and <= 10_000) ? limit ?? 1000
                    : throw new RequestValidationException([$"limit must be 1-10000, not {limit}"])), ct))
            .WithName("GetVfRejections").WithSummary("VF requests the PFs refused, oldest first, after an event sequence (at most limit, 1–10000)");
        api.MapGet("/nics/{nic}", (IMediator m, string nic, CancellationToken ct) => m.Send(new GetNic(Id(nic)), ct))
            .WithName("GetNic").WithSummary("One PF and its VF pool");
        api.MapGet("/vms/{vm}", (IMediator m, string vm, CancellationToken ct) => m.Send(new GetVm(Id(vm)), ct))
            .WithName("GetVm").WithSummary("One VM with each vNIC's datapath and the reason when it is not a VF");
        api.MapGet("/vms/{vm}/timeline", (IMediator m, string vm, CancellationToken ct) => m.Send(new GetVmTimeline(Id(vm)), ct))
            .WithName("GetVmTimeline").WithSummary("One VM's history: each event, datapath and reason");

        // ---------------- history and investigations (times: TwinTime.Forms) ----------------
        api.MapGet("/readiness", Readiness)
            .WithName("GetSriovReadiness").WithSummary("The vNICs that want SR-IOV and cannot have a VF, with every reason, now or at a past moment");
        api.MapGet("/timeline", Timeline)
            .WithName("GetTimeline").WithSummary("The events between two moments for one entity or the whole datacenter, filtered by event or entity kind, oldest first");
        api.MapGet("/diff", Diff)
            .WithName("GetDiff").WithSummary("What changed between two moments: entities, VFs given, freed and reassigned, datapaths, pool counters");
        api.MapGet("/vms/{vm}/why", Why)
            .WithName("ExplainDatapath").WithSummary("Why a VM's vNICs had the datapath they had at a moment: the causal chain from the events");
        api.MapGet("/replay", Replay)
            .WithName("ReplayWithChange").WithSummary("Replays the recorded history between two moments with a change: who would have kept a VF, and the traffic lost either way");

        // ---------------- inventory commands ----------------
        api.MapPost("/hosts", (IMediator m, HttpContext h, RegisterHost body, CancellationToken ct) => Run(m, h, body, ct))
            .WithName("RegisterHost").WithSummary("Registers a host and its chipset (idempotent when the facts are the same)");
        api.MapPost("/hosts/{host}/reboot", (IMediator m, HttpContext h, string host, CancellationToken ct) => Run(m, h, new RebootHost(new HostId(Id(host))), ct))
            .WithName("RebootHost").WithSummary("Reboots a host: its VMs stop, pending PF configurations take effect");
        api.MapPost("/nics", (IMediator m, HttpContext h, InstallNic body, CancellationToken ct) => Run(m, h, body, ct))
            .WithName("InstallNic").WithSummary("Installs a PF on a host");
        api.MapPost("/switches", (IMediator m, HttpContext h, CreateSwitch body, CancellationToken ct) => Run(m, h, body, ct))
            .WithName("CreateSwitch").WithSummary("Creates a virtual switch (Hyper-V: IOV can only be chosen now)");
        api.MapPost("/vms", (IMediator m, HttpContext h, DefineVm body, CancellationToken ct) => Run(m, h, body, ct))
            .WithName("DefineVm").WithSummary("Defines a VM (off) with its vNICs");
        api.MapPost("/topology", ApplyTopology)
            .WithName("ApplyTopology").WithSummary("Makes the twin match a topology (idempotent; a changed one appends the difference)")
            .WithMetadata(new RequestSizeLimitAttribute(settings.MaxTopologyBytes));

        // ---------------- PF commands ----------------
        foreach (var (verb, action, summary) in new[]
                 {
                     ("enable", PfAction.Enable, "Turns SR-IOV on with vfCount VFs"),
                     ("disable", PfAction.Disable, "Turns SR-IOV off: every holder falls back to synthetic"),
                     ("set-vfs", PfAction.SetVfCount, "Changes the VF count (each platform's rules: restart, reboot, or through 0)"),
                     ("fail", PfAction.Fail, "Marks the PF failed: every VF on it is gone"),
                     ("repair", PfAction.Repair, "Marks a failed PF repaired"),
                     ("apply-pending", PfAction.ApplyPending, "Applies a configuration pending a reboot (vSphere)"),
                 })
        {
            var takesCount = action is PfAction.Enable or PfAction.SetVfCount;
            var endpoint = takesCount
                ? api.MapPost($"/nics/{{nic}}/{verb}", (IMediator m, HttpContext h, string nic, VfCountBody body, CancellationToken ct) =>
                    Run(m, h, new ConfigurePf(new NicId(Id(nic)), action, body.VfCount), ct))
                : api.MapPost($"/nics/{{nic}}/{verb}", (IMediator m, HttpContext h, string nic, CancellationToken ct) =>
                    Run(m, h, new ConfigurePf(new NicId(Id(nic)), action), ct));
            endpoint.WithName($"ConfigurePf{action}").WithSummary(summary);
        }
        api.MapPost("/nics/{nic}/pools", (IMediator m, HttpContext h, string nic, ResourcePoolBody body, CancellationToken ct) =>
                Run(m, h, new DefineResourcePool(new NicId(Id(nic)), body.Name, body.VfIndices), ct))
            .WithName("DefineResourcePool").WithSummary("Declares a named resource pool of VFs (pools never share a VF)");
        api.MapPut("/nics/{nic}/policy", (IMediator m, HttpContext h, string nic, PolicyBody body, CancellationToken ct) =>
                Run(m, h, new SetScarceVfPolicy(new NicId(Id(nic)), body.Policy), ct))
            .WithName("SetScarceVfPolicy").WithSummary("Chooses how the PF arbitrates scarce VFs (a modelling assumption)");
        api.MapPost("/nics/{nic}/allocate", (IMediator m, HttpContext h, string nic, AllocateVfBody body, CancellationToken ct) =>
                m.Send(WithContext(h, new AllocateVf(new NicId(Id(nic)), body.Vnic, body.IovWeight, body.QueuePairs)), ct))
            .WithName("AllocateVf").WithSummary("Asks the PF for one VF for a vNIC directly (no VM saga)");
        api.MapPost("/nics/{nic}/release", (IMediator m, HttpContext h, string nic, ReleaseVfBody body, CancellationToken ct) =>
                Run(m, h, new ReleaseVf(new NicId(Id(nic)), body.Vnic, body.Claim), ct))
            .WithName("ReleaseVf").WithSummary("Gives back the VF a vNIC holds on the PF");

        // ---------------- switch commands ----------------
        api.MapPut("/switches/{switch}/iov", (IMediator m, HttpContext h, string @switch, SwitchIovBody body, CancellationToken ct) =>
                Run(m, h, new SetSwitchIov(new SwitchId(Id(@switch)), body.IovEnabled), ct))
            .WithName("SetSwitchIov").WithSummary("Turns IOV on or off (Hyper-V refuses and answers with the recreate plan)");
        api.MapPost("/switches/{switch}/recreate", (IMediator m, HttpContext h, string @switch, SwitchIovBody body, CancellationToken ct) =>
                Run(m, h, new RecreateSwitch(new SwitchId(Id(@switch)), body.IovEnabled), ct))
            .WithName("RecreateSwitch").WithSummary("Deletes and recreates a switch with another IOV mode (its vNICs reconnect)");

        // ---------------- VM commands ----------------
        api.MapPost("/vms/{vm}/start", (IMediator m, HttpContext h, string vm, CancellationToken ct) => Run(m, h, new StartVm(new VmId(Id(vm))), ct))
            .WithName("StartVm").WithSummary("Starts a VM: placement, SR-IOV prerequisites, VFs by the platform's rules");
        api.MapPost("/vms/{vm}/stop", (IMediator m, HttpContext h, string vm, CancellationToken ct) => Run(m, h, new StopVm(new VmId(Id(vm))), ct))
            .WithName("StopVm").WithSummary("Stops a VM, freeing its VFs");
        api.MapPost("/vms/{vm}/migrate", (IMediator m, HttpContext h, string vm, MigrateBody body, CancellationToken ct) =>
                Run(m, h, new MigrateVm(new VmId(Id(vm)), body.Destination), ct))
            .WithName("MigrateVm").WithSummary("Live-migrates a running VM (destination VF claimed first)");
        api.MapPut("/vms/{vm}/vnics/{vnic}/iov-weight", (IMediator m, HttpContext h, string vm, string vnic, IovWeightBody body, CancellationToken ct) =>
                Run(m, h, new SetIovWeight(new VmId(Id(vm)), Id(vnic), body.IovWeight), ct))
            .WithName("SetIovWeight").WithSummary("Enables (1–100) or disables (0) SR-IOV on a vNIC; on a running VM the VF follows");

        api.MapScenarioApi();

        // ---------------- operations ----------------
        api.MapPost("/reconcile", (IMediator m, HttpContext h, CancellationToken ct) => m.Send(WithContext(h, new Reconcile()), ct))
            .WithName("Reconcile").WithSummary("Finds VFs held by vNICs that cannot use them and frees each exactly once");
        api.MapPost("/resume", (IMediator m, HttpContext h, CancellationToken ct) => m.Send(WithContext(h, new ResumeOpenSagas()), ct))
            .WithName("ResumeOpenSagas").WithSummary("Finishes or compensates every open saga now (after an outage), instead of waiting for its reminder");

        // ---------------- simulation ----------------
        api.MapPost("/simulations/sweep", (IMediator m, HttpContext h, SweepSpec body, CancellationToken ct) => m.Send(WithContext(h, new RunSweep(body)), ct))
            .WithName("RunSweep").WithSummary("Simulates many replications and variants across the cluster's silos; P50/P95 bands per variant");

        api.MapRehearsalApi(settings);
    }

    /// <summary>A path id as the client meant it (clients URL-encode the slashes of NIC and switch ids).</summary>
    internal static string Id(string raw) => Uri.UnescapeDataString(raw);

    private static async Task<OperationResult> Run<TRequest>(IMediator m, HttpContext http, TRequest request, CancellationToken ct)
        where TRequest : TwinRequest, IRequest<OperationResult> => await m.Send(WithContext(http, request), ct);

    private static TRequest WithContext<TRequest>(HttpContext http, TRequest request) where TRequest : TwinRequest
    {
        var key = http.Request.Headers[IdempotencyHeader].ToString();
        var actor = http.Request.Headers[ActorHeader].ToString();
        TwinRequest r = request;
        if (key.Length > 0) r = r with { Operation = key };
        if (actor.Length > 0) r = r with { Actor = actor };
        return (TRequest)r;
    }

    private static async Task<Inventory> Inventory(IMediator m, TimeProvider clock, CancellationToken ct,
        [Description(HostParameter)] string? host = null, [Description(AtParameter)] string? at = null)
    {
        var moment = Moments.Of(clock).Only("at", at);
        return moment is { } t ? (await m.Send(new GetInventoryAt(t, host), ct)).Inventory : await m.Send(new GetInventory(host), ct);
    }

    private static async Task<IReadOnlyList<NicSnapshot>> Pools(IMediator m, TimeProvider clock, CancellationToken ct,
        [Description(HostParameter)] string? host = null, [Description(AtParameter)] string? at = null)
    {
        var moment = Moments.Of(clock).Only("at", at);
        return moment is { } t ? (await m.Send(new GetInventoryAt(t, host), ct)).Inventory.Nics : await m.Send(new GetVfPools(host), ct);
    }

    private static async Task<IReadOnlyList<PoolSummary>> PoolSummary(IMediator m, RejectionTally tally, TimeProvider clock, CancellationToken ct,
        [Description(HostParameter)] string? host = null, [Description(AtParameter)] string? at = null)
    {
        var moment = Moments.Of(clock).Only("at", at);
        return moment is { } t ? await PoolSummaries.At(m, t, host, ct) : await PoolSummaries.Get(m, tally, host, ct);
    }

    private static async Task<IReadOnlyList<VfPoolUsage>> PoolUsage(IMediator m, TimeProvider clock, CancellationToken ct,
        [Description(HostParameter)] string? host = null, [Description(AtParameter)] string? at = null) =>
        await m.Send(new GetVfPoolUsage(Moments.Of(clock).Only("at", at), host), ct);

    private static async Task<IReadOnlyList<VnicReadiness>> Readiness(IMediator m, TimeProvider clock, CancellationToken ct,
        [Description(HostParameter)] string? host = null, [Description(AtParameter)] string? at = null,
        [Description("true: every vNIC that wants SR-IOV, also those on a VF or with nothing in the way (default false: only the blocked ones)")] bool? all = null) =>
        await m.Send(new GetSriovReadiness(Moments.Of(clock).Only("at", at), host, OnlyBlocked: all != true), ct);

    private static async Task<Timeline> Timeline(IMediator m, TimeProvider clock, CancellationToken ct,
        [Description("From this moment (inclusive; default: the start of history). " + TimeForms)] string? from = null,
        [Description("Until this moment (inclusive; default: now). " + TimeForms)] string? to = null,
        [Description("One entity's events (its stream and what others recorded about it: a VM's VFs), by id")] string? entity = null,
        [Description("Only these kinds (repeat, or separate with commas): event types (VfAllocated) or entity kinds (nic, vm), case-insensitive")] string[]? kind = null,
        [Description("At most this many events, 1-100000 (default 1000); truncated says when more matched")] int? limit = null)
    {
        var times = Moments.Of(clock);
        var (f, t) = (times.Optional("from", from), times.Optional("to", to));
        times.ThrowIfInvalid();
        var kinds = kind?.SelectMany(k => k.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        return await m.Send(new GetTimeline(f, t, string.IsNullOrWhiteSpace(entity) ? null : entity, kinds is { Count: > 0 } ? kinds : null, limit ?? 1000), ct);
    }

    private static async Task<DatacenterDiff> Diff(IMediator m, TimeProvider clock, CancellationToken ct,
        [Description("The first moment (it may be before anything existed). " + TimeForms)] string? from = null,
        [Description("The second moment (default: now). " + TimeForms)] string? to = null,
        [Description(HostParameter)] string? host = null)
    {
        var times = Moments.Of(clock);
        var (f, t) = (times.Required("from", from), times.Optional("to", to) ?? times.Now);
        times.ThrowIfInvalid();
        return await m.Send(new GetDiff(f, t, host), ct);
    }

    private static async Task<DatapathExplanation> Why(IMediator m, TimeProvider clock, string vm, CancellationToken ct,
        [Description("Only this vNIC (its name, e.g. net0)")] string? vnic = null,
        [Description("The moment to explain (default: the end of the VM's history). " + TimeForms)] string? at = null) =>
        await m.Send(new ExplainDatapath(Id(vm), string.IsNullOrWhiteSpace(vnic) ? null : vnic, Moments.Of(clock).Only("at", at)), ct);

    private static async Task<ReplayReport> Replay(IMediator m, TimeProvider clock, CancellationToken ct,
        [Description("Fork the twin at this moment. " + TimeForms)] string? from = null,
        [Description("Replay until this moment (default: now). " + TimeForms)] string? to = null,
        [Description("The change: 'vfs NIC COUNT', 'iov SWITCH on|off', 'policy POLICY [NIC]' or 'none'")] string? change = null)
    {
        var times = Moments.Of(clock);
        var (f, t) = (times.Required("from", from), times.Optional("to", to) ?? times.Now);
        if (string.IsNullOrWhiteSpace(change)) times.Add("change is required: 'vfs NIC COUNT', 'iov SWITCH on|off', 'policy POLICY [NIC]' or 'none'");
        times.ThrowIfInvalid();
        return await m.Send(new ReplayWithChange(f, t, change!), ct);
    }

    private const string TimeForms = "A time: " + TwinTime.Forms + ".";
    private const string AtParameter = "A past moment (default: now, from the current read models). " + TimeForms;
    private const string HostParameter = "Only this host's part";

    private static async Task<PoolHistory> PoolHistory(IMediator m, TimeProvider clock, double? hours, string? host, CancellationToken ct)
    {
        var h = hours ?? 6;
        if (h is <= 0 or > 168) throw new RequestValidationException([$"hours must be between 0 and 168, not {h}"]);
        return await m.Send(new GetPoolHistory(clock.GetUtcNow().AddHours(-h), host), ct);
    }

    private static async Task<ImportReport> ApplyTopology(IMediator m, HttpContext http, Topology body, string? source, CancellationToken ct) =>
        await m.Send(WithContext(http, new ApplyTopology(body, string.IsNullOrWhiteSpace(source) ? "api" : source)), ct);

    private static async Task<ServerStatus> Status(IMediator m, IGrainFactory grains, TwinServerInfo server, TimeProvider clock, CancellationToken ct)
    {
        var inventory = await m.Send(new GetInventory(), ct);
        var silos = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var now = clock.GetUtcNow();
        return new ServerStatus(TwinServerInfo.Version, server.StartedAt, Math.Round((now - server.StartedAt).TotalSeconds, 1), server.Storage, server.Silo,
            [.. silos.Keys.Select(s => s.ToParsableString()).Order(StringComparer.Ordinal)],
            inventory.Hosts.Count, inventory.Nics.Count, inventory.Switches.Count, inventory.Vms.Count,
            inventory.Vms.Count(v => v.Status == VmStatus.Running),
            inventory.Nics.Sum(n => n.Configured), inventory.Nics.Sum(n => n.Allocated), inventory.Nics.Sum(n => n.Free),
            inventory.Nics.Sum(n => n.Waiting.Count));
    }
}
