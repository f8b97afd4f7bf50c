using System.Net;
using System.Text.Json;
using Twin.Host.Api;

namespace Twin.Host.Tests.Rehearsal;

/// <summary>Rehearsals kept as documents: listed and shown by the API, an apply noted on its rehearsal, unknown ones
/// 404, and keeping them still appends no event. Also the HTML report of a scenario's last run.</summary>
[Collection(ServerCollection.Name)]
public sealed class RehearsalRecordTests(TwinServerFixture fx)
{
    private async Task<JsonElement> Rehearse(string op, string actor, string plan)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/rehearsals") { Content = Http.Content(plan) };
        request.Headers.Add(TwinApi.IdempotencyHeader, op);
        request.Headers.Add(TwinApi.ActorHeader, actor);
        return await (await fx.Http.SendAsync(request, Http.Ct)).Json();
    }

    private async Task<int> Events(string entity) =>
        (await fx.Http.Get($"api/timeline?entity={Http.Seg(entity)}")).GetProperty("entries").GetArrayLength();

    [Fact]
    public async Task A_rehearsal_is_kept_and_listed_and_appends_no_event_and_its_apply_is_noted_on_it()
    {
        var dc = await Datacenter.Create(fx.Http, vfs: 2);
        var vm = await dc.Vm(fx.Http, start: false);
        var (nicVersion, nicEvents, vmEvents) = ((await fx.Http.Get($"api/nics/{Http.Seg(dc.Nic)}")).GetProperty("version").GetInt64(), await Events(dc.Nic), await Events(vm));
        var op = Http.NewId("kept");
        var plan = $$"""{ "name": "start {{vm}}", "horizon": { "enabled": false }, "steps": [ { "action": "start-vm", "vm": "{{vm}}" } ] }""";
        var report = await Rehearse(op, "bob", plan);
        Assert.Equal("GO", report.GetProperty("verdict").GetString());

        // nothing was appended: the streams the plan reads and writes are where they were, no event carries its operation
        Assert.Equal(nicVersion, (await fx.Http.Get($"api/nics/{Http.Seg(dc.Nic)}")).GetProperty("version").GetInt64());
        Assert.Equal((nicEvents, vmEvents), (await Events(dc.Nic), await Events(vm)));
        Assert.Equal("Off", (await fx.Http.Get($"api/vms/{vm}")).GetProperty("status").GetString());

        var kept = await fx.Http.Get($"api/rehearsals/{op}");
        Assert.Equal((op, $"start {vm}", "GO", true, "bob"), (kept.GetProperty("id").GetString(), kept.GetProperty("plan").GetString(),
            kept.GetProperty("verdict").GetString(), kept.GetProperty("go").GetBoolean(), kept.GetProperty("actor").GetString()));
        Assert.Equal((1, 0), (kept.GetProperty("steps").GetInt32(), kept.GetProperty("stepsFailed").GetInt32()));
        Assert.Equal(report.GetProperty("expected").ToString(), kept.GetProperty("report").GetProperty("expected").ToString());
        Assert.Equal(JsonValueKind.Null, kept.GetProperty("apply").ValueKind);

        var later = Http.NewId("kept");
        await Rehearse(later, "carol", plan);
        var listed = (await fx.Http.Get("api/rehearsals?limit=1000")).EnumerateArray().ToList();
        var times = listed.Select(l => l.GetProperty("rehearsedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        var ops = listed.Select(l => l.GetProperty("operation").GetString()).ToList();
        Assert.True(ops.IndexOf(later) >= 0 && ops.IndexOf(later) < ops.IndexOf(op), "the later rehearsal is listed before the earlier one");
        Assert.Single((await fx.Http.Get("api/rehearsals?limit=1")).EnumerateArray());

        // applying the first rehearsal is noted on it
        var applied = await fx.Http.Post("api/rehearsals/apply", $$"""{ "plan": {{plan}}, "expected": {{report.GetProperty("expected")}}, "operation": "{{op}}" }""");
        Assert.Equal("applied", applied.GetProperty("status").GetString());
        var noted = await fx.Http.Get($"api/rehearsals/{op}");
        Assert.Equal("applied", noted.GetProperty("apply").GetProperty("result").GetProperty("status").GetString());
        Assert.Equal("applied", (await fx.Http.Get("api/rehearsals?limit=1000")).EnumerateArray()
            .Single(l => l.GetProperty("operation").GetString() == op).GetProperty("applyStatus").GetString());
    }

    [Fact]
    public async Task An_unknown_rehearsal_is_404_and_a_bad_limit_400_and_the_endpoints_are_in_the_openapi_document()
    {
        var missing = await fx.Http.Get($"api/rehearsals/{Http.NewId("ghost")}", 404);
        Assert.Equal("rehearsal", missing.GetProperty("kind").GetString());
        var bad = await fx.Http.Get("api/rehearsals?limit=0", 400);
        Assert.Contains("limit must be 1-1000, not 0", bad.GetProperty("detail").GetString());

        var paths = (await fx.Http.Get("openapi/v1.json")).GetProperty("paths");
        Assert.True(paths.GetProperty("/api/rehearsals").TryGetProperty("get", out var list));
        Assert.Equal("ListRehearsals", list.GetProperty("operationId").GetString());
        Assert.Equal("GetRehearsal", paths.GetProperty("/api/rehearsals/{operation}").GetProperty("get").GetProperty("operationId").GetString());
        Assert.Equal("GetScenarioReportHtml", paths.GetProperty("/api/scenarios/{name}/report.html").GetProperty("get").GetProperty("operationId").GetString());
    }

    [Fact]
    public async Task The_html_report_of_a_scenario_is_404_until_it_has_run()
    {
        var unknown = await fx.Http.Get($"api/scenarios/{Http.NewId("ghost")}/report.html", 404);
        Assert.Equal("scenario", unknown.GetProperty("kind").GetString());

        var cluster = Http.NewId("html");
        await Datacenter.Create(fx.Http, vfs: 2, cluster: cluster);
        var name = Http.NewId("html");
        await fx.Http.Put($"api/scenarios/{name}", new ScenarioBody($$"""
            name: {{name}}
            base: {live: true, clusters: [{{cluster}}]}
            start: 2026-01-05
            horizon: 2d
            seed: 1
            replications: 2
            workload: none
            """));
        var never = await fx.Http.Get($"api/scenarios/{name}/report.html", 404);
        Assert.Equal("run of scenario", never.GetProperty("kind").GetString());

        await fx.Http.Post($"api/scenarios/{name}/run");
        using var response = await fx.Http.GetAsync($"api/scenarios/{name}/report.html", Http.Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(Http.Ct);
        Assert.Contains($"<title>What-if: {name}</title>", html);
        Assert.Contains("twin-whatif-data", html);
    }
}
