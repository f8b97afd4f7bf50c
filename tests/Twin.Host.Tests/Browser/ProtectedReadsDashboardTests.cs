using Twin.Host.Api;
using Twin.Host.Server;
using Twin.Projections.Storage;

namespace Twin.Host.Tests.Browser;

/// <summary>The dashboard of a server that protects reads (as one listening beyond loopback does), in a real headless
/// Chromium: the page asks once for a token, keeps it for the tab and shows the data; a refused token is asked for
/// again; the link to a what-if's HTML report carries the token too.</summary>
public sealed class ProtectedReadsDashboardTests
{
    [Fact]
    public async Task The_dashboard_asks_once_for_a_token_keeps_it_for_the_tab_and_asks_again_when_it_is_refused()
    {
        await using var postgres = await EmbeddedPostgres.StartThrowawayAsync(ct: Http.Ct);
        await using var app = TwinServer.Build(TwinServerFixture.Settings() with { ProtectReads = true },
            new TwinServerInfo(postgres.ConnectionString, "throwaway PostgreSQL", "localhost clustering", DateTimeOffset.UtcNow));
        await TwinServer.StartAsync(app, Http.Ct);
        try
        {
            var url = new Uri(TwinServer.Addresses(app).Single().TrimEnd('/') + "/");
            using var writer = TwinServerFixture.Client(url);
            var cluster = Http.NewId("protected");
            var dc = await Datacenter.Create(writer, vfs: 4, cluster: cluster);
            var name = Http.NewId("growth");
            await writer.Put($"api/scenarios/{name}", new ScenarioBody(WhatIf.ScenarioPersistenceTests.Plan(name, cluster)));
            await writer.Post($"api/scenarios/{name}/run");
            using (var anonymous = new HttpClient { BaseAddress = url })
                Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/pools", Http.Ct)).StatusCode);

            await using var browser = await HeadlessBrowser.LaunchAsync();
            browser.PromptAnswer = TwinServerFixture.ReadToken;
            await browser.NavigateAsync(new Uri(url, "pools.html"));
            var row = $"document.querySelector('#pool-table tr[data-nic=\"{dc.Nic}\"]')";
            await browser.WaitForAsync(row, $"the pool table lists {dc.Nic} once the token is given");
            // the page's requests all got 401 at first; one prompt served them all
            Assert.Single(browser.Dialogs);
            Assert.Contains("protects reads", browser.Dialogs[0]);
            Assert.Equal(TwinServerFixture.ReadToken, (await browser.EvaluateAsync("sessionStorage.getItem('twin-token')"))!.GetValue<string>());

            // the tab keeps it: another page asks nothing
            await browser.NavigateAsync(url);
            await browser.WaitForAsync("document.querySelectorAll('#host-table tr').length > 1", "the inventory lists the datacenter");
            Assert.Single(browser.Dialogs);

            // the report link of the forecast page sends the token (a followed link would not)
            await browser.NavigateAsync(new Uri(url, $"forecast.html?name={Uri.EscapeDataString(name)}"));
            await browser.WaitForAsync("document.getElementById('report-link').href.endsWith('/report.html')", "the forecast page links the report");
            await browser.EvaluateAsync("document.getElementById('report-link').click(), true");
            await browser.WaitForAsync($"document.title.includes('{name}') || document.body.innerText.includes('What-if: {name}')", "the report opens with the token");
            Assert.Single(browser.Dialogs);

            // a token the server refuses is forgotten and asked for again
            await browser.NavigateAsync(new Uri(url, "pools.html"));
            await browser.WaitForAsync(row, "the pool table again");
            await browser.EvaluateAsync("sessionStorage.setItem('twin-token', 'not-the-token-0123456789'), true");
            await browser.NavigateAsync(new Uri(url, "pools.html"));
            await browser.WaitForAsync(row, "the pool table after the refused token was replaced");
            Assert.Equal(2, browser.Dialogs.Count);
            Assert.Contains("refused that token", browser.Dialogs[1]);
            Assert.Equal(TwinServerFixture.ReadToken, (await browser.EvaluateAsync("sessionStorage.getItem('twin-token')"))!.GetValue<string>());
            await DashboardTests.Keep(browser, "dashboard-protected-pools.png");
            Assert.Empty(browser.PageErrors);
        }
        finally
        {
            await app.StopAsync(Http.Ct);
        }
    }
}
