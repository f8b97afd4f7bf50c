using System.Text.Json;
using Twin.Host.Api;
using Twin.Host.Cli;

namespace Twin.Host.Tests;

/// <summary>The investigation verbs (inventory and pools at a moment, readiness, timeline, diff, why, replay) against
/// the running server, each on a history of its own (<see cref="HandOverHistory"/>); the server is shared, so only
/// this datacenter's entities are compared.</summary>
[Collection(ServerCollection.Name)]
public sealed class HistoryCliTests(TwinServerFixture fx)
{
    private string Server => fx.BaseAddress.ToString();

    private Task<CliRun> Twin(params string[] args) => CliRunner.Against(Server, args);

    private Task<CliRun> Ok(params string[] args) => CliRunner.OkAgainst(Server, args);

    private async Task<JsonElement> Json(params string[] args) => JsonDocument.Parse((await Ok([.. args, "-o", "json"])).Out).RootElement;

    private static string T(DateTimeOffset moment) => TwinTime.Format(moment);

    [Fact]
    public async Task Inventory_and_pools_at_a_moment_show_the_datacenter_as_it_was_then()
    {
        var h = await HandOverHistory.Record(fx.Http);
        var host = h.Dc.Host;

        string Statuses(JsonElement inventory) => string.Join(" ", new[] { h.First, h.Second, h.Waiter }.Select(id => inventory.GetProperty("vms").EnumerateArray()
            .Single(v => v.GetProperty("id").GetString() == id).GetProperty("status").GetString()));
        string? WaiterDatapath(JsonElement inventory) => inventory.GetProperty("vms").EnumerateArray()
            .Single(v => v.GetProperty("id").GetString() == h.Waiter).GetProperty("vnics")[0].GetProperty("datapath").GetProperty("kind").GetString();

        var before = await Json("inventory", "--host", host, "--at", T(h.BeforeStarts));
        Assert.Equal("Off Off Off", Statuses(before));
        var started = await Json("inventory", "--host", host, "--at", T(h.AllStarted));
        Assert.Equal("Running Running Running", Statuses(started));
        Assert.Equal("Synthetic", WaiterDatapath(started));
        var end = await Json("inventory", "--host", host, "--at", T(h.End));
        Assert.Equal("Off Running Running", Statuses(end));
        Assert.Equal("Vf", WaiterDatapath(end));
        Assert.Equal(end.GetProperty("vms").ToString(), (await Json("inventory", "--host", host)).GetProperty("vms").ToString());

        var table = (await Ok("inventory", "--host", host, "--at", T(h.AllStarted))).Out;
        Assert.StartsWith($"AT {Render.Time(h.AllStarted)}", table);
        Assert.Contains(h.Waiter, table);

        // NIC, ..., ALLOCATED, FREE, WAITING, PENDING, REJECTED, RESERVED
        string Row(CliRun run) => run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.StartsWith(h.Dc.Nic, StringComparison.Ordinal));
        Assert.Equal($"{h.Dc.Nic},{host},a,Intel E810,Installed,128,2,2,0,2,0,-,0,0", Row(await Ok("pools", "--host", host, "--at", T(h.BeforeStarts), "-o", "csv")));
        Assert.Equal($"{h.Dc.Nic},{host},a,Intel E810,Installed,128,2,2,2,0,1,-,1,0", Row(await Ok("pools", "--host", host, "--at", T(h.AllStarted), "-o", "csv")));
        Assert.Equal($"{h.Dc.Nic},{host},a,Intel E810,Installed,128,2,2,2,0,0,-,1,0", Row(await Ok("pools", "--host", host, "--at", T(h.End), "-o", "csv")));
        Assert.StartsWith("AT ", (await Ok("pools", "--host", host, "--at", "now")).Out);

        // the API's pools at a moment keep their shape; the pool-usage view adds the demand counted until then
        var pf = Assert.Single((await fx.Http.Get($"api/pools?host={Http.Seg(host)}&at={Uri.EscapeDataString(T(h.AllStarted))}")).EnumerateArray());
        Assert.Equal((2, 1), (pf.GetProperty("allocated").GetInt32(), pf.GetProperty("waiting").GetArrayLength()));
        var usage = Assert.Single((await fx.Http.Get($"api/pools/usage?host={Http.Seg(host)}&at={Uri.EscapeDataString(T(h.End))}")).EnumerateArray());
        Assert.Equal((1L, 1L, 0), (usage.GetProperty("handOvers").GetInt64(), usage.GetProperty("queuedRejections").GetInt64(), usage.GetProperty("waiting").GetInt32()));
        // now: the async read model catches up
        await Http.Eventually(async () => (await fx.Http.Get($"api/pools/usage?host={Http.Seg(host)}")).EnumerateArray().Any(p => p.GetProperty("handOvers").GetInt64() == 1),
            "the pool-usage read model counts the hand-over");
    }

    [Fact]
    public async Task Readiness_lists_the_vnic_that_waits_for_a_vf_with_its_reason()
    {
        var h = await HandOverHistory.Record(fx.Http);

        var then = Assert.Single((await Json("readiness", "--host", h.Dc.Host, "--at", T(h.AllStarted))).EnumerateArray());
        Assert.Equal((h.Waiter, "net0", "Synthetic"), (then.GetProperty("vm").GetString(), then.GetProperty("vnic").GetString(), then.GetProperty("datapath").GetString()));
        Assert.Equal(["VfPoolExhausted"], then.GetProperty("blockers").EnumerateArray().Select(b => b.GetString()));
        Assert.Contains("VfPoolExhausted", (await Ok("readiness", "--host", h.Dc.Host, "--at", T(h.AllStarted))).Out);

        // after the hand-over the waiter has a VF, and it is the stopped VM that would find the pool exhausted
        var after = Assert.Single((await Json("readiness", "--host", h.Dc.Host, "--at", T(h.End))).EnumerateArray());
        Assert.Equal((h.First, "Off"), (after.GetProperty("vm").GetString(), after.GetProperty("vmStatus").GetString()));
        Assert.Equal(["VfPoolExhausted"], after.GetProperty("blockers").EnumerateArray().Select(b => b.GetString()));
        var all = (await Json("readiness", "--host", h.Dc.Host, "--at", T(h.End), "--all")).EnumerateArray().ToList();
        Assert.Contains(all, v => v.GetProperty("vm").GetString() == h.Waiter && v.GetProperty("onVf").GetBoolean());

        // now: the async read model
        // (the daemon may have folded the PF's hand-over before the first VM's stop: wait for both)
        await Http.Eventually(async () => (await Json("readiness", "--host", h.Dc.Host, "--all")).EnumerateArray()
            .Any(v => v.GetProperty("vm").GetString() == h.Waiter && v.GetProperty("onVf").GetBoolean())
            && (await Json("readiness", "--host", h.Dc.Host)).EnumerateArray().Any(v => v.GetProperty("vm").GetString() == h.First),
            "the readiness read model sees the hand-over and the stop");
        var now = (await Ok("readiness", "--host", h.Dc.Host, "-o", "csv")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("VM,VNIC,HOST,VM_STATUS,IOV_WEIGHT,SWITCH,NIC,DATAPATH,REASON,BLOCKERS", now[0]);
        Assert.Equal($"{h.First},net0,{h.Dc.Host},Off,50,{h.Dc.Switch},{h.Dc.Nic},Off,,VfPoolExhausted", Assert.Single(now[1..]));
    }

    [Fact]
    public async Task Timeline_filters_by_entity_and_kind()
    {
        var h = await HandOverHistory.Record(fx.Http);

        // the VM's timeline holds what its PF recorded about it: the refusal and the hand-over
        var allocated = (await Json("timeline", "--entity", h.Waiter, "--kind", "VfAllocated")).GetProperty("entries").EnumerateArray().ToList();
        var handOver = Assert.Single(allocated);
        Assert.Equal((h.Dc.Nic, "nic"), (handOver.GetProperty("entity").GetString(), handOver.GetProperty("entityKind").GetString()));
        Assert.Contains("handed over", handOver.GetProperty("summary").GetString());
        Assert.True(handOver.GetProperty("at").GetDateTimeOffset() > h.AllStarted);

        var vmOnly = (await Json("timeline", "--entity", h.Waiter, "--kind", "vm")).GetProperty("entries").EnumerateArray().ToList();
        Assert.NotEmpty(vmOnly);
        Assert.All(vmOnly, e => Assert.Equal(h.Waiter, e.GetProperty("entity").GetString()));

        var window = (await Json("timeline", "--entity", h.Dc.Nic, "--from", T(h.AllStarted), "--to", T(h.End), "--kind", "VfReleased,VfAllocated"))
            .GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["VfReleased", "VfAllocated"], window);

        var table = await Ok("timeline", "--entity", h.Dc.Nic, "--kind", "VfAllocationRejected", "--from", T(h.BeforeStarts));
        Assert.StartsWith("AT", table.Out);
        Assert.Contains(h.WaiterVnic, table.Out);

        var truncated = await Ok("timeline", "--entity", h.Waiter, "--limit", "1");
        Assert.Contains("only the first 1 matching events are shown", truncated.Error);
        Assert.Equal(2, truncated.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Diff_lists_the_vf_handed_from_the_stopped_vm_to_the_waiting_one()
    {
        var h = await HandOverHistory.Record(fx.Http);

        var diff = await Json("diff", T(h.AllStarted), T(h.End), "--host", h.Dc.Host);
        var vf = Assert.Single(diff.GetProperty("vfs").EnumerateArray());
        Assert.Equal((h.Dc.Nic, "Reassigned", h.FirstVnic, h.WaiterVnic), (vf.GetProperty("nic").GetString(), vf.GetProperty("change").GetString(),
            vf.GetProperty("fromHolder").GetString(), vf.GetProperty("toHolder").GetString()));
        Assert.Contains(diff.GetProperty("entities").EnumerateArray(), e => e.GetProperty("id").GetString() == h.First && e.GetProperty("to").GetString()!.StartsWith("Off"));

        var csv = (await Ok("diff", T(h.AllStarted), T(h.End), "--host", h.Dc.Host, "-o", "csv")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("section,id,item,change,from,to", csv[0]);
        Assert.Contains($"vf,{h.Dc.Nic},{vf.GetProperty("vfIndex").GetInt32()},Reassigned,{h.FirstVnic},{h.WaiterVnic}", csv);

        var table = (await Ok("diff", T(h.AllStarted), T(h.End), "--host", h.Dc.Host)).Out;
        Assert.StartsWith($"FROM {Render.Time(h.AllStarted)} TO {Render.Time(h.End)}", table);
        Assert.Contains("Reassigned", table);

        // from before anything existed on the host: everything of it is added
        var fromNothing = await Json("diff", T(h.BeforeStarts.AddHours(-1)), "--host", h.Dc.Host);
        Assert.Contains(fromNothing.GetProperty("entities").EnumerateArray(), e => e.GetProperty("id").GetString() == h.Dc.Host);
    }

    [Fact]
    public async Task Why_names_the_holders_the_waiting_vm_was_refused_by_and_the_hand_over_that_gave_it_a_vf()
    {
        var h = await HandOverHistory.Record(fx.Http);

        var waiting = await Json("why", h.Waiter, "--vnic", "net0", "--at", T(h.AllStarted));
        var vnic = Assert.Single(waiting.GetProperty("vnics").EnumerateArray());
        var summary = vnic.GetProperty("summary").GetString()!;
        Assert.Contains($"had 2/2 VFs held (by {h.FirstVnic}", summary);
        Assert.Contains("still waiting", summary);
        Assert.Contains(vnic.GetProperty("chain").EnumerateArray(), s => s.GetProperty("kind").GetString() == "VfAllocationRejected");

        var onVf = (await Ok("why", h.Waiter)).Out;
        Assert.Contains($"freed by {h.FirstVnic}", onVf);
        Assert.Contains("the policy handed the VF to it", onVf);
        Assert.Contains("VfReleased", onVf);

        var csv = (await Ok("why", h.Waiter, "-o", "csv")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("vm,vnic,datapath,since,summary,step_at", csv[0]);
        Assert.Contains(csv, l => l.Contains(",VfReleased,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replay_with_more_vfs_says_the_waiting_vm_would_have_kept_its_vf()
    {
        var h = await HandOverHistory.Record(fx.Http);
        var to = T(h.End.AddSeconds(10));

        var report = await Json("replay", "--from", T(h.BeforeStarts), "--to", to, "--with", $"vfs {h.Dc.Nic} 8");
        Assert.Contains(h.WaiterVnic, report.GetProperty("keptTheirVf").EnumerateArray().Select(v => v.GetString()));
        // other tests' datacenters share the server: only this one's VMs are looked at
        Assert.DoesNotContain(report.GetProperty("divergences").EnumerateArray(), d => d.GetString()!.Contains(h.Dc.Host, StringComparison.Ordinal)
            || new[] { h.First, h.Second, h.Waiter }.Any(vm => d.GetString()!.Contains(vm, StringComparison.Ordinal)));
        var mine = report.GetProperty("vnics").EnumerateArray().Where(v => v.GetProperty("vm").GetString() is { } vm && (vm == h.First || vm == h.Second || vm == h.Waiter)).ToList();
        Assert.Equal(3, mine.Count);
        Assert.Equal("would have kept its VF", mine.Single(v => v.GetProperty("vm").GetString() == h.Waiter).GetProperty("verdict").GetString());

        // the change may be written unquoted
        var table = (await Ok("replay", "--from", T(h.BeforeStarts), "--to", to, "--with", "vfs", h.Dc.Nic, "8")).Out;
        Assert.Contains($"PF {h.Dc.Nic} had 8 VFs", table);
        Assert.Contains(table.Split('\n'), l => l.StartsWith(h.Waiter, StringComparison.Ordinal) && l.Contains("would have kept its VF", StringComparison.Ordinal));

        var same = await Json("replay", "--from", T(h.BeforeStarts), "--to", to, "--with", "none");
        Assert.DoesNotContain(h.WaiterVnic, same.GetProperty("keptTheirVf").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Unknown_ids_moments_before_history_and_malformed_times_get_clear_answers_and_exit_codes()
    {
        var h = await HandOverHistory.Record(fx.Http);
        var ghost = Http.NewId("ghost");

        var unknown = await Twin("why", ghost);
        Assert.Equal(ExitCodes.NotFound, unknown.ExitCode);
        Assert.Contains($"no vm '{ghost}'", unknown.Error);
        Assert.Equal(ExitCodes.NotFound, (await Twin("timeline", "--entity", ghost)).ExitCode);
        var noVnic = await Twin("why", h.Waiter, "--vnic", "eth7");
        Assert.Equal(ExitCodes.NotFound, noVnic.ExitCode);
        Assert.Contains($"{h.Waiter}/eth7", noVnic.Error);

        var longAgo = await Twin("inventory", "--at", "2000-01-01");
        Assert.Equal(ExitCodes.NotFound, longAgo.ExitCode);
        Assert.Contains("nothing existed at 2000-01-01 00:00:00Z: the twin's history starts at ", longAgo.Error);
        Assert.Empty(longAgo.Out);
        Assert.Contains("history starts at", (await Twin("pools", "--at", "2000-01-01T00:00:00+02:00")).Error);
        Assert.Contains("history starts at", (await Twin("diff", "1999-01-01", "2000-01-01")).Error);
        Assert.Contains("history starts at", (await Twin("replay", "--from", "2000-01-01", "--to", "2000-01-02", "--with", "none")).Error);
        var notYet = await Twin("why", h.Waiter, "--at", T(h.BeforeStarts.AddHours(-1)));
        Assert.Equal(ExitCodes.NotFound, notYet.ExitCode);
        Assert.Contains($"vm '{h.Waiter}' did not exist at", notYet.Error);

        var malformed = await Twin("inventory", "--at", "yesterday");
        Assert.Equal(ExitCodes.Usage, malformed.ExitCode);
        Assert.Contains("--at 'yesterday' is not a time", malformed.Error);
        Assert.Contains("-15m", malformed.Error);
        Assert.Equal(ExitCodes.Usage, (await Twin("diff", "2025-13-01")).ExitCode);
        Assert.Equal(ExitCodes.Usage, (await Twin("timeline", "--from", "-15M")).ExitCode);
        var badChange = await Twin("replay", "--from", "-1h", "--with", "more", "vfs", "please");
        Assert.Equal(ExitCodes.Usage, badChange.ExitCode);
        Assert.Contains("is not a change", badChange.Error);
        Assert.Equal(ExitCodes.Usage, (await Twin("timeline", "--from", "-1h", "--to", "-2h")).ExitCode);

        // relative moments: an hour before the test's own history may or may not be before the server's, a minute later is not
        await Ok("inventory", "--host", h.Dc.Host, "--at", "-0s");
        await Ok("timeline", "--from", "-1m", "--entity", h.Waiter);

        var process = await CliRunner.Process("why", ghost, "--at", "-15m", "--server", Server);
        Assert.Equal(ExitCodes.NotFound, process.ExitCode);
        Assert.Contains(ghost, process.Error);
    }

    [Fact]
    public async Task The_api_answers_problems_for_unknown_ids_moments_before_history_and_malformed_times()
    {
        var ghost = Http.NewId("ghost");
        var unknown = await fx.Http.Get($"api/vms/{ghost}/why", 404);
        Assert.Equal(("not-found", "vm", ghost), (unknown.GetProperty("code").GetString(), unknown.GetProperty("kind").GetString(), unknown.GetProperty("id").GetString()));

        await HandOverHistory.Record(fx.Http);
        var before = await fx.Http.Get("api/inventory?at=2000-01-01", 422);
        Assert.Equal("before-history", before.GetProperty("code").GetString());
        Assert.True(before.GetProperty("historyStarts").GetDateTimeOffset() > new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Contains("history starts at", before.GetProperty("detail").GetString());

        var malformed = await fx.Http.Get("api/diff?from=soon&to=later", 400);
        Assert.Equal(["from 'soon' is not a time", "to 'later' is not a time"],
            malformed.GetProperty("problems").EnumerateArray().Select(p => p.GetString()![..p.GetString()!.IndexOf(':', StringComparison.Ordinal)]));
        var missing = await fx.Http.Get("api/replay?to=-1m", 400);
        Assert.Equal(2, missing.GetProperty("problems").GetArrayLength());

        // relative moments on the API count back from the server's clock
        var recent = await fx.Http.Get("api/timeline?from=-1h&limit=1");
        Assert.Equal(1, recent.GetProperty("entries").GetArrayLength());
    }
}
