using Twin.Host.Api;

namespace Twin.Host.Tests.Browser;

/// <summary>The forecast and rehearsal pages in a real headless Chromium against the real server, after a scenario was
/// saved and run and a change plan rehearsed through the API: what a person sees, with screenshots kept under
/// TestResults/.</summary>
[Collection(ServerCollection.Name)]
public sealed class ForecastAndRehearsalPagesTests(TwinServerFixture fx)
{
    /// <summary>Six long-lived SR-IOV VMs in the variant (on a 4-VF PF two fall back to synthetic); nothing arrives in
    /// the baseline: the scenario the persistence tests save.</summary>
    private static string Scenario(string name, string cluster) => WhatIf.ScenarioPersistenceTests.Plan(name, cluster);

    [Fact]
    public async Task The_forecast_page_shows_the_last_run_side_by_side_with_its_charts()
    {
        var cluster = Http.NewId("forecast");
        await Datacenter.Create(fx.Http, vfs: 4, cluster: cluster);
        var name = Http.NewId("growth");
        await fx.Http.Put($"api/scenarios/{name}", new ScenarioBody(Scenario(name, cluster)));
        await fx.Http.Post($"api/scenarios/{name}/run");

        await using var browser = await HeadlessBrowser.LaunchAsync();
        await browser.NavigateAsync(new Uri(fx.BaseAddress, $"forecast.html?name={Uri.EscapeDataString(name)}"));
        var table = "document.querySelector('#variant-table')";
        await browser.WaitForAsync($"{table}.querySelector('td[data-col=\"web\"]')", "the side-by-side table has the variant");
        await browser.WaitForAsync("Chart.getChart('utilisation-chart') && Chart.getChart('throughput-chart')", "the charts are drawn");
        string Cell(string row, string variant) => $"{table}.querySelector('tr[data-row=\"{row}\"] td[data-col=\"{variant}\"]').innerText.trim()";
        async Task<string> Text(string expression) => (await browser.EvaluateAsync(expression))!.GetValue<string>();

        Assert.Equal(["baseline", "web"], (await browser.EvaluateAsync($"[...{table}.querySelectorAll('thead th')].slice(1).map(th => th.textContent.trim())"))!
            .AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("lasts the 30 days", await Text(Cell("exhaustion", "baseline")));
        var web = await Text(Cell("exhaustion", "web"));
        Assert.StartsWith("day ", web);
        Assert.Contains("(3 of 3 replications", web);
        Assert.Equal("0 / 0", await Text(Cell("fell-back", "baseline")));
        Assert.Equal("2 / 2", await Text(Cell("fell-back", "web")));
        Assert.Contains("/0000:3b:00.0", await Text(Cell("constrained", "web")));
        Assert.StartsWith("cohort web: 2 VMs/h", await Text(Cell("changes", "web")));
        Assert.Equal("—", await Text(Cell("changes", "baseline")));

        // the utilisation chart has a P50 line and a P95 band per variant; throughput with and without SR-IOV per variant
        Assert.Equal(["baseline P50", "baseline P95", "web P50", "web P95"],
            (await browser.EvaluateAsync("Chart.getChart('utilisation-chart').data.datasets.map(d => d.label)"))!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.True((await browser.EvaluateAsync("Chart.getChart('utilisation-chart').data.datasets[2].data.length > 10"))!.GetValue<bool>(), "the utilisation series has points");
        Assert.Equal(3, (await browser.EvaluateAsync("Chart.getChart('throughput-chart').data.datasets.length"))!.GetValue<int>());

        var verdicts = await Text("document.getElementById('verdicts').innerText");
        Assert.Contains("baseline: lasts the 30 days", verdicts);
        Assert.Contains("web: ", verdicts);
        var row = $"document.querySelector('#scenario-table tr[data-scenario=\"{name}\"]')";
        Assert.Equal("current", await Text($"{row}.querySelector('td[data-col=\"stale\"]').innerText.trim()"));
        Assert.Equal("1", await Text($"{row}.querySelector('td[data-col=\"revision\"]').innerText.trim()"));
        Assert.EndsWith($"/api/scenarios/{name}/report.html", await Text("document.getElementById('report-link').href"));
        await DashboardTests.Keep(browser, "dashboard-forecast.png");

        // the link the page offers is the run's HTML report
        var html = await fx.Http.GetStringAsync($"api/scenarios/{name}/report.html", Http.Ct);
        Assert.Contains($"What-if: {name}", html);
        Assert.Empty(browser.PageErrors);
    }

    [Fact]
    public async Task The_rehearsal_page_lists_a_no_go_rehearsal_and_shows_the_failing_step_its_reason_and_the_horizon()
    {
        var dc = await Datacenter.Create(fx.Http, platform: "Kvm", vfs: 4);
        await dc.Vm(fx.Http);
        var op = Http.NewId("rehearsal");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/rehearsals")
        {
            Content = Http.Content($$"""
                { "name": "grow {{dc.Nic}}", "description": "eight VFs instead of four", "horizon": { "days": 2, "replications": 2 },
                  "steps": [ { "action": "set-vfs", "nic": "{{dc.Nic}}", "vfs": 8 } ] }
                """),
        };
        request.Headers.Add(TwinApi.IdempotencyHeader, op);
        request.Headers.Add(TwinApi.ActorHeader, "alice");
        var report = await (await fx.Http.SendAsync(request, Http.Ct)).Json();
        Assert.Equal("NO-GO", report.GetProperty("verdict").GetString());

        await using var browser = await HeadlessBrowser.LaunchAsync();
        await browser.NavigateAsync(new Uri(fx.BaseAddress, "rehearsals.html"));
        var row = $"document.querySelector('#rehearsal-table tr[data-op=\"{op}\"]')";
        await browser.WaitForAsync(row, "the list has the rehearsal");
        async Task<string> Text(string expression) => (await browser.EvaluateAsync(expression))!.GetValue<string>();
        string Cell(string r, string column) => $"{r}.querySelector('td[data-col=\"{column}\"]')";
        Assert.Equal("NO-GO", await Text($"{Cell(row, "verdict")}.innerText.trim()"));
        Assert.Contains("no-go", await Text($"{Cell(row, "verdict")}.className"));
        Assert.Equal("0 / 1", await Text($"{Cell(row, "steps")}.innerText.trim()"));
        Assert.Equal("alice", await Text($"{Cell(row, "actor")}.innerText.trim()"));
        Assert.Equal($"grow {dc.Nic}", await Text($"{Cell(row, "plan")}.innerText.trim()"));
        await DashboardTests.Keep(browser, "dashboard-rehearsals.png");

        // a person follows the link to the rehearsal
        await browser.EvaluateAsync($"{Cell(row, "plan")}.querySelector('a').click()");
        await browser.WaitForAsync("location.search.includes('op=') && document.querySelector('#step-table tr[data-step=\"1\"]')", "the rehearsal's steps are shown");
        await browser.WaitForAsync("Chart.getChart('horizon-chart')", "the horizon chart is drawn");
        var step = "document.querySelector('#step-table tr[data-step=\"1\"]')";
        Assert.Equal("FAILS", await Text($"{Cell(step, "result")}.innerText.trim()"));
        Assert.Equal("MustPassThroughZero", await Text($"{Cell(step, "reason")}.innerText.trim()"));
        Assert.Contains(dc.Nic, await Text("document.getElementById('no-go-list').innerText"));
        Assert.False((await browser.EvaluateAsync("document.getElementById('no-go').hidden"))!.GetValue<bool>());
        Assert.Contains("DrainRequired", await Text("document.getElementById('effect-table').innerText"));
        Assert.Equal("NO-GO", await Text("document.querySelector('[data-card=\"verdict\"]').innerText.trim()"));
        Assert.Equal(["without the change", "with the change"],
            (await browser.EvaluateAsync("Chart.getChart('horizon-chart').data.datasets.map(d => d.label)"))!.AsArray().Select(n => n!.GetValue<string>()));
        var figures = report.GetProperty("horizon").GetProperty("figures").GetArrayLength();
        Assert.True(figures > 0);
        Assert.Equal(figures, (await browser.EvaluateAsync("Chart.getChart('horizon-chart').data.labels.length"))!.GetValue<int>());
        Assert.Equal(figures, (await browser.EvaluateAsync("document.querySelectorAll('#figure-table tr[data-figure]').length"))!.GetValue<int>());
        Assert.Contains("eight VFs instead of four", await Text("document.getElementById('detail-meta').innerText"));
        await DashboardTests.Keep(browser, "dashboard-rehearsal.png");

        // every page links both new pages
        Assert.Equal(["index.html", "pools.html", "vm.html", "forecast.html", "rehearsals.html"],
            (await browser.EvaluateAsync("[...document.querySelectorAll('header nav a')].map(a => a.getAttribute('href'))"))!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Empty(browser.PageErrors);
    }
}
