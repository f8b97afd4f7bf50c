using System.Net;

namespace Twin.Host.Tests;

/// <summary>Errors are RFC 9457 problem details a person can act on, with the documented status codes.</summary>
[Collection(ServerCollection.Name)]
public sealed class ProblemTests(TwinServerFixture fx)
{
    private HttpClient Api => fx.Http;

    private static async Task AssertProblem(HttpResponseMessage response, int status, string code)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Json(status);
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task An_invalid_request_is_a_400_listing_every_problem()
    {
        var response = await Api.PostAsync("api/hosts", Http.Content(new { host = "bad", platform = "Kvm", os = "x", cores = 0, memoryMiB = -1, cluster = "a" }), Http.Ct);
        var problem = await response.Json(400);
        Assert.Equal<string>(["cores must be positive, not 0", "memory must be positive, not -1 MiB"],
            problem.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToArray());
        Assert.Equal("validation", problem.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_body_that_does_not_fit_is_a_400_that_names_the_field()
    {
        var unknownEnum = await Api.PostAsync("api/hosts", Http.Content("""{"host":"x","platform":"Xen","os":"x","cores":1,"memoryMiB":1,"cluster":"a"}"""), Http.Ct);
        var problem = await unknownEnum.Json(400);
        Assert.Contains("'Xen' is not a Platform: use one of HyperV, VSphere, Kvm", problem.GetProperty("detail").GetString());

        var missing = await Api.PostAsync("api/hosts", Http.Content("""{"host":"x","os":"x","cores":1,"memoryMiB":1,"cluster":"a"}"""), Http.Ct);
        Assert.Contains("platform", (await missing.Json(400)).GetProperty("detail").GetString());

        var typo = await Api.PostAsync($"api/nics/{Http.Seg("h/0000:00:00.0")}/enable", Http.Content("""{"vfcnt":4}"""), Http.Ct);
        Assert.Contains("vfcnt", (await typo.Json(400)).GetProperty("detail").GetString());

        var notJson = await Api.PostAsync("api/vms", Http.Content("{not json"), Http.Ct);
        await AssertProblem(notJson, 400, "validation");

        var plainText = await Api.PostAsync("api/vms", new StringContent("vm-1", System.Text.Encoding.UTF8, "text/plain"), Http.Ct);
        await AssertProblem(plainText, 415, "unsupported-media-type");

        await AssertProblem(await Api.GetAsync("api/pools/rejections?limit=0", Http.Ct), 400, "validation");
    }

    [Fact]
    public async Task An_unknown_id_is_a_404_naming_it()
    {
        var ghost = Http.NewId("ghost");
        var response = await Api.PostAsync($"api/vms/{ghost}/start", null, Http.Ct);
        var problem = await response.Json(404);
        Assert.Equal(("vm", ghost), (problem.GetProperty("kind").GetString(), problem.GetProperty("id").GetString()));
        Assert.Contains(ghost, problem.GetProperty("detail").GetString());

        await AssertProblem(await Api.GetAsync($"api/nics/{Http.Seg("nowhere/0000:00:00.0")}", Http.Ct), 404, "not-found");
        var unknownRoute = await Api.GetAsync("api/no-such-thing", Http.Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknownRoute.StatusCode);
        Assert.Equal("application/problem+json", unknownRoute.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_impossible_transition_is_a_409_with_the_rule()
    {
        var dc = await Datacenter.Create(Api);
        var vm = await dc.Vm(Api);
        var response = await Api.PostAsync($"api/vms/{vm}/migrate", Http.Content(new { destination = dc.Host }), Http.Ct);
        var problem = await response.Json(409);
        Assert.Equal("domain-rule", problem.GetProperty("code").GetString());
        Assert.Contains($"already on {dc.Host}", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413()
    {
        var huge = new string('x', 80 * 1024);
        var response = await Api.PostAsync("api/hosts", Http.Content($$"""{"host":"{{huge}}","platform":"Kvm","os":"x","cores":1,"memoryMiB":1,"cluster":"a"}"""), Http.Ct);
        await AssertProblem(response, 413, "too-large");
    }
}
