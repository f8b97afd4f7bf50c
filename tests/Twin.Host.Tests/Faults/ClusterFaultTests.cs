using System.Diagnostics;

namespace Twin.Host.Tests.Faults;

/// <summary>
/// Real processes on localhost (scripts/cluster.sh's topology): two <c>twin serve</c> silos in one cluster through
/// PostgreSQL under a steady load of VM starts and stops, and a fault in the middle — a silo killed with SIGKILL, or
/// PostgreSQL stopped and started again. Afterwards open sagas are resumed and reconciliation runs, then an
/// independent checker reads the raw event log: every acknowledged command is in it, no VF is leaked or held twice,
/// no PF holds more VFs than it has, every saga is completed or compensated. Neither the token nor the database
/// password appears in anything the silos printed or answered. A simulation sweep fans out across both silos, and
/// gives the same answer when the survivor runs it alone.
/// </summary>
public sealed class ClusterFaultTests
{
    /// <summary>Commands acknowledged before the fault, and again after it, before the load stops: the windows are
    /// counted in work done, not in seconds, so a slow machine holds the load longer instead of testing less.</summary>
    private const int AckedBefore = 400, AckedAfter = 300;

    /// <summary>Waits until the load has acknowledged <paramref name="count"/> commands since <paramref name="since"/>.</summary>
    private static Task Acked(VmLoad load, TimeSpan since, int count, string when) =>
        Http.Eventually(() => Task.FromResult(load.AckedBetween(since, load.Now) >= count), $"{count} commands acknowledged {when}", seconds: 120);

    [Fact]
    public async Task A_silo_killed_mid_load_loses_nothing_acknowledged_and_its_grains_carry_on_on_the_survivor()
    {
        await using var cluster = await LocalCluster.StartAsync(2);
        var (vms, _) = await FaultDatacenter.Create(cluster.Silos[0].Api);
        // a simulation sweep over the live datacenter fans out across both silos
        var spread = await Sweep(cluster.Silos[1]);
        Assert.Equal(2, spread.GetProperty("silos").GetArrayLength());
        Assert.All(spread.GetProperty("silos").EnumerateArray(), s => Assert.True(s.GetProperty("replications").GetInt32() > 0));

        var load = new VmLoad(cluster.Silos, vms, workers: 8);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);

        await Acked(load, TimeSpan.Zero, AckedBefore, "before the kill");
        var killedAt = load.Now;
        var victim = cluster.Silos[1];
        victim.Kill();
        LocalCluster.Log($"SIGKILL silo 2 (pid {victim.Pid}) at {killedAt.TotalSeconds:0.0} s");
        var detection = Stopwatch.StartNew();
        await cluster.WaitForActiveSilosAsync(1, TimeSpan.FromSeconds(60));
        LocalCluster.Log($"survivor sees one active silo after {detection.ElapsedMilliseconds} ms");
        await Acked(load, killedAt + detection.Elapsed, AckedAfter, "on the survivor");
        stop.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(120), Http.Ct);
        var end = load.Now;

        var survivor = cluster.Silos[0];
        var afterKill = load.AckedBetween(killedAt + detection.Elapsed, end);
        Report(load, killedAt, end);
        Assert.True(afterKill > 0, "no command was acknowledged after the silo was declared dead: the load did not go on");

        await Recover(survivor);
        // every VM's grain answers on the survivor (the only silo left): stop them all
        foreach (var vm in vms) (await survivor.Api.Post($"api/vms/{vm}/stop")).Succeeded();
        await Audit(cluster, load, expectHeld: 0);

        // the same sweep again, all on the survivor: each replication depends on its seed only, not on where it ran
        var alone = await Sweep(survivor);
        Assert.Equal(1, alone.GetProperty("silos").GetArrayLength());
        Assert.Equal(spread.GetProperty("variants").GetRawText(), alone.GetProperty("variants").GetRawText());
        NoSecrets(cluster, load);
    }

    /// <summary>A small sweep (8 replications × 2 variants) over the live twin with the VMs all stopped.</summary>
    private static async Task<System.Text.Json.JsonElement> Sweep(SiloProcess silo)
    {
        var report = await silo.Api.Post("api/simulations/sweep", new
        {
            hours = 48, arrivalsPerHour = 4, meanLifetimeHours = 12, sriovShare = 0.8, seed = 7, replications = 8,
            variants = new object[] { new { name = "baseline" }, new { name = "double load", loadFactor = 2.0 } },
        });
        LocalCluster.Log($"sweep on silo {silo.Number}: {report.GetProperty("silos")}, {report.GetProperty("elapsedMilliseconds").GetDouble():0} ms");
        return report;
    }

    [Fact]
    public async Task PostgreSQL_stopped_and_restarted_under_load_answers_503_then_completes_and_loses_nothing_acknowledged()
    {
        await using var cluster = await LocalCluster.StartAsync(2);
        var (vms, _) = await FaultDatacenter.Create(cluster.Silos[0].Api);
        var load = new VmLoad(cluster.Silos, vms, workers: 8);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);

        await Acked(load, TimeSpan.Zero, AckedBefore, "before PostgreSQL stops");
        var downAt = load.Now;
        var unavailableBefore = load.Unavailable;
        await cluster.StopPostgresAsync();
        LocalCluster.Log($"PostgreSQL stopped at {downAt.TotalSeconds:0.0} s");
        // down until the load has met the outage: twenty commands answered 503 meanwhile
        await Http.Eventually(() => Task.FromResult(load.Unavailable - unavailableBefore >= 20), "20 answers 503 while PostgreSQL is down", seconds: 60);
        var unavailableWhileDown = load.Unavailable;
        var upAt = load.Now;
        await cluster.StartPostgresAsync();
        LocalCluster.Log($"PostgreSQL started again at {upAt.TotalSeconds:0.0} s ({unavailableWhileDown} answers 503 so far)");
        await Acked(load, upAt, AckedAfter, "after PostgreSQL came back");
        stop.Cancel();
        await running.WaitAsync(TimeSpan.FromSeconds(120), Http.Ct);
        var end = load.Now;

        Report(load, downAt, end, upAt);
        Assert.True(unavailableWhileDown > 0, "no command was answered 503 while PostgreSQL was down");
        Assert.Contains(load.Problems, p => p.Contains("\"storage-unavailable\"", StringComparison.Ordinal) || p.Contains("\"silo-unavailable\"", StringComparison.Ordinal));
        Assert.True(load.AckedBetween(upAt, end) > 0, "nothing was acknowledged after PostgreSQL came back");

        await cluster.WaitForActiveSilosAsync(2, TimeSpan.FromSeconds(60));
        await Recover(cluster.Silos[0]);
        await Audit(cluster, load, expectHeld: null);
        NoSecrets(cluster, load);
    }

    /// <summary>What recovery runs after a fault: finish or compensate open sagas, then free orphans.</summary>
    private static async Task Recover(SiloProcess silo)
    {
        var resumed = await silo.Api.Post("api/resume");
        LocalCluster.Log($"resume: {resumed}");
        Assert.Equal(0, resumed.GetProperty("stillOpen").GetArrayLength());
        var reconciled = await silo.Api.Post("api/reconcile");
        LocalCluster.Log($"reconcile: {reconciled.GetProperty("findings")}");
    }

    /// <summary>The checker over the raw log (again while the last one-way notices land), then every acknowledged
    /// command found in its VM's stream.</summary>
    private static async Task Audit(LocalCluster cluster, VmLoad load, int? expectHeld)
    {
        EventLogAudit audit;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            audit = await EventLogAudit.ReadAsync(cluster.AuditConnectionString);
            if (audit.Violations.Count == 0 && (expectHeld is null || audit.HeldAtEnd == expectHeld)) break;
            if (clock.Elapsed > TimeSpan.FromSeconds(20)) break;
            await Task.Delay(500, Http.Ct);
        }
        LocalCluster.Log($"audit: {audit}");
        Assert.True(audit.Violations.Count == 0, "the event log breaks an invariant:\n" + string.Join("\n", audit.Violations.Take(30)));
        if (expectHeld is { } held) Assert.Equal(held, audit.HeldAtEnd);
        var acked = load.Ops.Where(o => o.Outcome == "acked").ToList();
        var missing = acked.Where(o => !audit.Recorded(o.Vm, o.Operation)).ToList();
        LocalCluster.Log($"{acked.Count} acknowledged commands checked against the log: {missing.Count} missing");
        Assert.True(missing.Count == 0, "acknowledged but not in the log:\n" + string.Join("\n", missing.Take(20)));
        Assert.DoesNotContain(load.Ops, o => o.Outcome == "unknown");
    }

    private static void NoSecrets(LocalCluster cluster, VmLoad load)
    {
        var logs = cluster.AllLogs();
        Assert.True(logs.Length > 1000, "the silos printed almost nothing: the secret search would prove nothing");
        foreach (var (name, secret) in new[] { ("write token", TwinServerFixture.WriteToken), ("read token", TwinServerFixture.ReadToken), ("PostgreSQL password", cluster.Password) })
        {
            Assert.False(logs.Contains(secret, StringComparison.Ordinal), $"the {name} appears in the silos' logs");
            Assert.DoesNotContain(load.Problems, p => p.Contains(secret, StringComparison.Ordinal));
        }
        LocalCluster.Log($"secrets searched in {logs.Length:N0} characters of silo logs and {load.Problems.Count} problem answers: none found");
    }

    private static void Report(VmLoad load, TimeSpan faultAt, TimeSpan end, TimeSpan? recoveredAt = null)
    {
        var ops = load.Ops.ToList();
        double Rate(TimeSpan a, TimeSpan b) => b > a ? load.AckedBetween(a, b) / (b - a).TotalSeconds : 0;
        LocalCluster.Log($"load: {ops.Count} commands, {ops.Count(o => o.Outcome == "acked")} acknowledged "
                         + $"({ops.Count(o => o.Outcome == "acked" && o.Succeeded == false)} of them refused by the domain), "
                         + $"{ops.Count(o => o.Outcome == "refused")} refused 409, {ops.Count(o => o.Outcome == "unknown")} never acknowledged; "
                         + $"{ops.Count(o => o.Attempts > 1)} needed retries (503: {load.Unavailable}, connection failures: {load.ConnectionFailures}, timeouts: {load.Timeouts})");
        LocalCluster.Log($"acknowledged/s: before the fault {Rate(TimeSpan.Zero, faultAt):0.0}, "
                         + (recoveredAt is { } r ? $"during it {Rate(faultAt, r):0.0}, after it {Rate(r, end):0.0}" : $"after it {Rate(faultAt, end):0.0}"));
    }
}
