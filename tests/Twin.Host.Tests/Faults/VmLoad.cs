using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Twin.Host.Tests.Faults;

/// <summary>One command the load sent, and how it ended: acknowledged (200, whatever the twin decided), refused by a
/// rule (409), or never acknowledged although retried with the same operation id.</summary>
internal sealed record LoadOp(string Operation, string Vm, string Kind, TimeSpan At, string Outcome, int Attempts, bool? Succeeded);

/// <summary>
/// A steady load of VM starts and stops through the API of every silo, as a careful client sends it: each VM belongs
/// to one worker (so its commands are sequential and the worker knows its state), each command carries an operation
/// id (Idempotency-Key), and a command without an answer — connection refused or reset, 503, timeout — is sent again
/// with the same id, to the next silo, until it is acknowledged or the attempts run out. Silos are tried round robin.
/// </summary>
internal sealed class VmLoad(IReadOnlyList<SiloProcess> silos, IReadOnlyList<string> vms, int workers)
{
    private const int MaxAttempts = 40;
    private readonly ConcurrentQueue<LoadOp> _ops = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _unavailable, _connectionFailures, _timeouts;

    public IReadOnlyCollection<LoadOp> Ops => _ops;

    /// <summary>Every non-200 body the silos answered (searched for secrets).</summary>
    public IReadOnlyCollection<string> Problems => _problems;

    public int Unavailable => _unavailable;

    public int ConnectionFailures => _connectionFailures;

    public int Timeouts => _timeouts;

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Acknowledged commands between two moments of the run.</summary>
    public int AckedBetween(TimeSpan from, TimeSpan to) => _ops.Count(o => o.Outcome == "acked" && o.At >= from && o.At < to);

    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => Worker(w, stop), CancellationToken.None)));

    private async Task Worker(int w, CancellationToken stop)
    {
        var mine = vms.Where((_, i) => i % workers == w).ToList();
        var running = mine.ToDictionary(v => v, _ => false);
        var next = w;
        while (!stop.IsCancellationRequested)
        {
            foreach (var vm in mine)
            {
                if (stop.IsCancellationRequested) break;
                var kind = running[vm] ? "stop" : "start";
                var op = $"load-{Guid.NewGuid():N}";
                var (outcome, attempts, succeeded) = await Send(vm, kind, op, () => silos[next++ % silos.Count]);
                _ops.Enqueue(new LoadOp(op, vm, kind, _clock.Elapsed, outcome, attempts, succeeded));
                if (outcome == "acked") running[vm] = kind == "start" && succeeded == true;
                else running[vm] = await IsRunning(vm, () => silos[next++ % silos.Count]) ?? running[vm];
            }
        }
    }

    private async Task<(string Outcome, int Attempts, bool? Succeeded)> Send(string vm, string kind, string op, Func<SiloProcess> pick)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var silo = pick();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/vms/{vm}/{kind}");
            request.Headers.Add("Idempotency-Key", op);
            request.Headers.Add("X-Twin-Actor", "fault-test/load");
            try
            {
                using var response = await silo.Api.SendAsync(request, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.OK)
                    return ("acked", attempt, JsonDocument.Parse(body).RootElement.GetProperty("succeeded").GetBoolean());
                _problems.Enqueue(body);
                if (response.StatusCode == HttpStatusCode.Conflict) return ("refused", attempt, null);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                    throw new InvalidOperationException($"{kind} {vm} on silo {silo.Number}: {(int)response.StatusCode} {body}");
                Interlocked.Increment(ref _unavailable);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref _connectionFailures); // a killed silo: refused or reset
            }
            catch (TaskCanceledException)
            {
                Interlocked.Increment(ref _timeouts);
            }
            await Task.Delay(Math.Min(1000, 100 * attempt));
        }
        return ("unknown", MaxAttempts, null);
    }

    private static async Task<bool?> IsRunning(string vm, Func<SiloProcess> pick)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                using var response = await pick().Api.GetAsync($"api/vms/{vm}", CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync(CancellationToken.None)).RootElement.GetProperty("status").GetString();
                    return status == "Running";
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // try the next silo
            }
            await Task.Delay(250);
        }
        return null;
    }
}
