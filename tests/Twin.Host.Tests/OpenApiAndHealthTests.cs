namespace Twin.Host.Tests;

/// <summary>The OpenAPI document describes every endpoint; the health endpoints tell liveness from readiness.</summary>
[Collection(ServerCollection.Name)]
public sealed class OpenApiAndHealthTests(TwinServerFixture fx)
{
    [Fact]
    public async Task The_openapi_document_lists_every_use_case_endpoint_with_string_ids()
    {
        var doc = await fx.Http.Get("openapi/v1.json");
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var operations = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}"))
            .ToHashSet();
        string[] expected =
        [
            "GET /api/status", "GET /api/inventory", "GET /api/pools", "GET /api/pools/summary", "GET /api/pools/history", "GET /api/pools/rejections",
            "GET /api/nics/{nic}", "GET /api/vms/{vm}", "GET /api/vms/{vm}/timeline",
            "POST /api/hosts", "POST /api/hosts/{host}/reboot", "POST /api/nics", "POST /api/switches", "POST /api/vms", "POST /api/topology",
            "POST /api/nics/{nic}/enable", "POST /api/nics/{nic}/disable", "POST /api/nics/{nic}/set-vfs", "POST /api/nics/{nic}/fail",
            "POST /api/nics/{nic}/repair", "POST /api/nics/{nic}/apply-pending", "POST /api/nics/{nic}/pools", "PUT /api/nics/{nic}/policy",
            "POST /api/nics/{nic}/allocate", "POST /api/nics/{nic}/release",
            "PUT /api/switches/{switch}/iov", "POST /api/switches/{switch}/recreate",
            "POST /api/vms/{vm}/start", "POST /api/vms/{vm}/stop", "POST /api/vms/{vm}/migrate", "PUT /api/vms/{vm}/vnics/{vnic}/iov-weight",
            "POST /api/reconcile",
            "GET /api/pools/usage", "GET /api/readiness", "GET /api/timeline", "GET /api/diff", "GET /api/vms/{vm}/why", "GET /api/replay",
        ];
        Assert.Empty(expected.Except(operations));
        // the moments are strings in the forms twin's CLI takes (ISO-8601 or relative), and say so
        foreach (var (path, name) in new[] { ("/api/inventory", "at"), ("/api/pools", "at"), ("/api/pools/summary", "at"), ("/api/readiness", "at"),
                     ("/api/timeline", "from"), ("/api/diff", "to"), ("/api/vms/{vm}/why", "at"), ("/api/replay", "from") })
        {
            var parameter = doc.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("parameters").EnumerateArray()
                .Single(p => p.GetProperty("name").GetString() == name);
            Assert.Equal("query", parameter.GetProperty("in").GetString());
            Assert.Equal("string", parameter.GetProperty("schema").GetProperty("type").GetString());
            Assert.Contains("-15m", parameter.GetProperty("description").GetString());
        }
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        Assert.Equal("string", schemas.GetProperty("HostId").GetProperty("type").GetString());
        Assert.Contains("Kvm", schemas.GetProperty("Platform").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Health_is_up_and_ready_means_the_silo_is_active_and_postgres_answers()
    {
        Assert.Equal("Healthy", (await fx.Http.Get("health")).GetProperty("status").GetString());
        var ready = await fx.Http.Get("health/ready");
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("silo").GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
    }
}
