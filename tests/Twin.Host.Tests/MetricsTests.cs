using System.Globalization;
using System.Text.RegularExpressions;

namespace Twin.Host.Tests;

/// <summary><c>/metrics</c> in the Prometheus text format, after real operations.</summary>
[Collection(ServerCollection.Name)]
public sealed partial class MetricsTests(TwinServerFixture fx)
{
    [Fact]
    public async Task Metrics_show_each_pf_s_counters_refusals_requests_and_appended_events()
    {
        var dc = await Datacenter.Create(fx.Http, vfs: 1, cluster: "metrics");
        await dc.Vm(fx.Http);
        await dc.Vm(fx.Http);

        var response = await fx.Http.GetAsync("metrics", Http.Ct);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0.0.4", response.Content.Headers.ContentType?.Parameters.Single(p => p.Name == "version").Value);
        var text = await response.Content.ReadAsStringAsync(Http.Ct);
        var labels = $"nic=\"{dc.Nic}\",host=\"{dc.Host}\",cluster=\"metrics\",model=\"Intel E810\",platform=\"HyperV\"";

        Assert.Equal(128, Value(text, "twin_vf_ceiling", labels));
        Assert.Equal(1, Value(text, "twin_vf_configured", labels));
        Assert.Equal(1, Value(text, "twin_vf_allocatable", labels));
        Assert.Equal(1, Value(text, "twin_vf_allocated", labels));
        Assert.Equal(0, Value(text, "twin_vf_free", labels));
        Assert.Equal(1, Value(text, "twin_vf_waiting_vnics", labels));
        Assert.Equal(1, Value(text, "twin_vf_rejections_total", labels));
        Assert.Contains("# TYPE twin_vf_rejections_total counter", text);
        Assert.True(Value(text, "twin_events_appended_total", "aggregate=\"nic\"") >= 3);
        Assert.True(Value(text, "twin_events_appended_total", "aggregate=\"vm\"") >= 6);
        Assert.True(Value(text, "twin_http_requests_total", "method=\"POST\",route=\"/api/vms/{vm}/start\",status=\"200\"") >= 2);
        Assert.True(Value(text, "twin_http_request_duration_seconds_count", "method=\"POST\",route=\"/api/vms/{vm}/start\"") >= 2);
        Assert.Contains("twin_http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/vms/{vm}/start\",le=\"+Inf\"}", text);
        Assert.All(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(SampleOrComment(), line));
    }

    [Fact]
    public async Task Metrics_forecast_days_to_exhaustion_from_the_last_whatif_run_on_the_live_twin()
    {
        var cluster = Http.NewId("forecast");
        var dc = await Datacenter.Create(fx.Http, vfs: 2, cluster: cluster);
        var name = Http.NewId("metrics-forecast");
        var file = Path.Combine(Path.GetTempPath(), name + ".yaml");
        // four long-lived SR-IOV VMs arriving 2 an hour on a PF of 2 VFs: it runs out on day 0 (within the first hours)
        await File.WriteAllTextAsync(file, $$$"""
            name: {{{name}}}
            base: {live: true, clusters: [{{{cluster}}}]}
            horizon: 10d
            replications: 3
            seed: 5
            workload: none
            cohorts:
              - {name: web, cluster: {{{cluster}}}, arrivalsPerHour: 2, count: 4, lifetimeHours: {mean: 100000}, cores: 1, memoryGiB: 1, network: {sriovShare: 1}}
            """, Http.Ct);
        try
        {
            var server = fx.BaseAddress.ToString();
            foreach (var args in new[] { new[] { "scenario", "save", name, file }, ["scenario", "run", name] })
            {
                var run = await CliRunner.InProcess([.. args, "--server", server]);
                Assert.True(run.ExitCode == 0, run.ToString());
            }
        }
        finally
        {
            File.Delete(file);
        }

        var text = await fx.Http.GetStringAsync("metrics", Http.Ct);
        var labels = $"nic=\"{dc.Nic}\",host=\"{dc.Host}\",cluster=\"{cluster}\",model=\"Intel E810\",platform=\"HyperV\",scenario=\"{name}\"";
        var days = Value(text, "twin_vf_forecast_days_to_exhaustion", labels);
        Assert.InRange(days, 0, 0.5);
        Assert.Equal(10, Value(text, "twin_vf_forecast_horizon_days", $"scenario=\"{name}\""));
        Assert.Contains("# TYPE twin_vf_forecast_days_to_exhaustion gauge", text);
        Assert.All(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Matches(SampleOrComment(), line));
    }

    private static double Value(string text, string name, string labels)
    {
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith($"{name}{{{labels}}} ", StringComparison.Ordinal));
        Assert.True(line is not null, $"no sample {name}{{{labels}}} in:\n{text}");
        return double.Parse(line![(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("""^(# HELP [a-z_]+ .+|# TYPE [a-z_]+ (counter|gauge|histogram|summary|untyped)|[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)+\})? [-+0-9.eEInfNa]+)$""")]
    private static partial Regex SampleOrComment();
}
