namespace Twin.Host.Tests;

/// <summary>
/// A small recorded history, built through the HTTP API on a datacenter of its own: a Hyper-V PF with 2 VFs; three
/// VMs start (the third finds the pool exhausted and waits, synthetic), then the first stops and its VF is handed over
/// to the third. The moments are taken between the steps, so each one sees exactly what was recorded before it.
/// </summary>
internal sealed record HandOverHistory(Datacenter Dc, string First, string Second, string Waiter,
    DateTimeOffset BeforeStarts, DateTimeOffset AllStarted, DateTimeOffset End)
{
    public string FirstVnic => $"{First}/net0";
    public string WaiterVnic => $"{Waiter}/net0";

    public static async Task<HandOverHistory> Record(HttpClient http)
    {
        var dc = await Datacenter.Create(http, vfs: 2);
        var first = await dc.Vm(http, start: false);
        var second = await dc.Vm(http, start: false);
        var waiter = await dc.Vm(http, start: false);
        var beforeStarts = await Moment();
        foreach (var vm in new[] { first, second, waiter }) (await http.Post($"api/vms/{vm}/start")).Succeeded();
        await Http.Eventually(async () => await Datapath(http, waiter) == "Synthetic", "the third VM runs synthetic");
        var allStarted = await Moment();
        (await http.Post($"api/vms/{first}/stop")).Succeeded();
        await Http.Eventually(async () => await Datapath(http, waiter) == "Vf", "the waiting VM is told it got the freed VF");
        var end = await Moment();
        return new HandOverHistory(dc, first, second, waiter, beforeStarts, allStarted, end);
    }

    /// <summary>A moment strictly after everything recorded so far and strictly before anything recorded next (the
    /// server stamps events with the same clock: it runs in this process).</summary>
    private static async Task<DateTimeOffset> Moment()
    {
        var now = DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow == now) await Task.Yield();
        return now;
    }

    private static async Task<string?> Datapath(HttpClient http, string vm) =>
        (await http.Get($"api/vms/{vm}")).GetProperty("vnics")[0].GetProperty("datapath").GetProperty("kind").GetString();
}
