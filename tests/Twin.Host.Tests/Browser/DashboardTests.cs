namespace Twin.Host.Tests.Browser;

/// <summary>The dashboard in a real headless Chromium against the real server, checking what a person sees after a
/// datacenter was populated through the API. Screenshots are kept under TestResults/ in the test output folder.</summary>
[Collection(ServerCollection.Name)]
public sealed class DashboardTests(TwinServerFixture fx)
{
    [Fact]
    public async Task The_pool_page_shows_each_pf_with_its_counters_and_the_vm_page_its_datapath_and_reason()
    {
        var dc = await Datacenter.Create(fx.Http, vfs: 2, cluster: "browser");
        await dc.Vm(fx.Http);
        await dc.Vm(fx.Http);
        var waiting = await dc.Vm(fx.Http);

        await using var browser = await HeadlessBrowser.LaunchAsync();

        await browser.NavigateAsync(new Uri(fx.BaseAddress, "pools.html"));
        var row = $"document.querySelector('#pool-table tr[data-nic=\"{dc.Nic}\"]')";
        await browser.WaitForAsync(row, $"the pool table lists {dc.Nic}");
        await browser.WaitForAsync("Chart.getChart('history-chart') && Chart.getChart('history-chart').data.datasets.length > 0", "the history chart has series");
        string Cell(string column) => $"{row}.querySelector('td[data-col=\"{column}\"]').innerText.trim()";
        var counters = new Dictionary<string, string>();
        foreach (var column in new[] { "host", "cluster", "ceiling", "configured", "allocatable", "allocated", "free", "waiting", "rejections" })
            counters[column] = (await browser.EvaluateAsync(Cell(column)))!.GetValue<string>();
        Assert.Equal(dc.Host, counters["host"]);
        Assert.Equal("browser", counters["cluster"]);
        Assert.Equal(("128", "2", "2", "2", "0", "1", "1"),
            (counters["ceiling"], counters["configured"], counters["allocatable"], counters["allocated"], counters["free"], counters["waiting"], counters["rejections"]));
        Assert.Contains("100 %", (await browser.EvaluateAsync(Cell("util")))!.GetValue<string>());
        Assert.True((await browser.EvaluateAsync($"Chart.getChart('pf-chart').data.labels.includes('{dc.Nic}')"))!.GetValue<bool>(), "the per-PF chart has the PF");
        await Keep(browser, "dashboard-pools.png");

        await browser.NavigateAsync(new Uri(fx.BaseAddress, $"vm.html?id={Uri.EscapeDataString(waiting)}"));
        await browser.WaitForAsync("document.querySelector('#vnic-table tr[data-vnic=\"net0\"]')", "the VM page lists net0");
        Assert.Equal("synthetic (VfPoolExhausted)", (await browser.EvaluateAsync("document.querySelector('#vnic-table td[data-col=\"datapath\"]').innerText.trim()"))!.GetValue<string>());
        var timeline = (await browser.EvaluateAsync("document.querySelector('#timeline-table').innerText"))!.GetValue<string>();
        Assert.Contains("net0: off → synthetic (VfPoolExhausted)", timeline);
        Assert.Contains("VmStarted", timeline);
        await Keep(browser, "dashboard-vm.png");

        await browser.NavigateAsync(fx.BaseAddress);
        await browser.WaitForAsync($"[...document.querySelectorAll('#vm-table a')].some(a => a.textContent === '{waiting}')", "the inventory links the VM");
        Assert.Equal("server healthy", (await browser.EvaluateAsync("document.getElementById('server-status').textContent"))!.GetValue<string>());
        await Keep(browser, "dashboard-inventory.png");

        Assert.Empty(browser.PageErrors);
    }

    internal static async Task Keep(HeadlessBrowser browser, string name)
    {
        var png = await browser.ScreenshotAsync();
        Assert.True(png.Length > 10_000, $"{name} is suspiciously small ({png.Length} bytes)");
        var folder = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        await File.WriteAllBytesAsync(path, png, Http.Ct);
        TestContext.Current.AddAttachment(name, png, "image/png");
        TestContext.Current.TestOutputHelper?.WriteLine($"screenshot: {path}");
    }
}
