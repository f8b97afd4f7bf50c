using MediatR;
using Microsoft.AspNetCore.Mvc;
using Twin.Grains.UseCases;
using Twin.Host.Server;
using Twin.Simulation.Rehearsal;

namespace Twin.Host.Api;

/// <summary>
/// Change rehearsal over HTTP. <c>POST /api/rehearsals</c> takes a change plan (the JSON shape of the plan files, see
/// docs/rehearsal.md) and answers the rehearsal: verdict, steps, side effects, predicted events, the horizon, and the
/// stream versions it expects. <c>POST /api/rehearsals/apply</c> takes the plan, the rehearsal's <c>operation</c> and
/// <c>expected</c> versions, and applies it to the live twin, or refuses with the drift. The rehearsal's operation id
/// comes from the <c>Idempotency-Key</c> header, or is made up. Every rehearsal is kept (a document, not an event) with
/// its last apply: <c>GET /api/rehearsals</c> lists them, most recent first, <c>GET /api/rehearsals/{operation}</c> shows one.
/// </summary>
internal static class RehearsalApi
{
    public static void MapRehearsalApi(this RouteGroupBuilder api, ServeSettings settings)
    {
        // a plan may carry a trace's VMs for its horizon: as large as a topology
        api.MapPost("/rehearsals", (IMediator m, HttpContext h, ChangePlan body, CancellationToken ct) => m.Send(WithHeaders(h, new RehearsePlan(body)), ct))
            .WithName("RehearsePlan").WithSummary("Rehearses a change plan on a fork of the live twin (nothing is written): per-step verdicts, side effects, predicted events, the horizon with and without the change, GO/NO-GO")
            .WithMetadata(new RequestSizeLimitAttribute(settings.MaxTopologyBytes));
        api.MapPost("/rehearsals/apply", (IMediator m, HttpContext h, ApplyPlan body, CancellationToken ct) => m.Send(WithHeaders(h, body), ct))
            .WithName("ApplyPlan").WithSummary("Applies a rehearsed plan under the rehearsal's operation id, refused with the drift when a stream it reads or writes moved since the rehearsal")
            .WithMetadata(new RequestSizeLimitAttribute(settings.MaxTopologyBytes));
        api.MapGet("/rehearsals", (IMediator m, int? limit, CancellationToken ct) => m.Send(new ListRehearsals(limit ?? ListRehearsals.DefaultLimit), ct))
            .WithName("ListRehearsals").WithSummary($"Kept rehearsals, most recent first (at most limit, 1–{ListRehearsals.MaxLimit}, default {ListRehearsals.DefaultLimit}): plan, verdict, steps and failed steps, actor, the last apply's status");
        api.MapGet("/rehearsals/{operation}", (IMediator m, string operation, CancellationToken ct) => m.Send(new GetRehearsal(TwinApi.Id(operation)), ct))
            .WithName("GetRehearsal").WithSummary("A kept rehearsal by its operation id: the report as rehearsed and the result of its last apply (404 when unknown)");
    }

    private static TRequest WithHeaders<TRequest>(HttpContext http, TRequest request) where TRequest : TwinRequest
    {
        var key = http.Request.Headers[TwinApi.IdempotencyHeader].ToString();
        var actor = http.Request.Headers[TwinApi.ActorHeader].ToString();
        TwinRequest r = request;
        // an apply's operation is the rehearsal's, in its body; the header only names a rehearsal's
        if (key.Length > 0 && string.IsNullOrEmpty(r.Operation)) r = r with { Operation = key };
        if (actor.Length > 0) r = r with { Actor = actor };
        return (TRequest)r;
    }
}
