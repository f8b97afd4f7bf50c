using Marten;

namespace Twin.Grains.Persistence;

/// <summary>One Orleans reminder, stored as a Marten document next to the events (so reminders survive a silo crash
/// and are shared by every silo of a cluster).</summary>
public sealed class ReminderRow
{
    public string Id { get; set; } = "";
    public string GrainId { get; set; } = "";
    public string ReminderName { get; set; } = "";
    public DateTime StartAt { get; set; }
    public long PeriodTicks { get; set; }
    public string ETag { get; set; } = "";

    /// <summary>The grain's uniform hash (uint stored in a long), for the range reads of the reminder ring.</summary>
    public long Hash { get; set; }
}

/// <summary>Orleans' reminder table on Twin's own PostgreSQL, through Marten.</summary>
public sealed class MartenReminderTable(IDocumentStore store) : IReminderTable
{
    private static string Key(GrainId grain, string name) => $"{grain}|{name}";

    public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public async Task<ReminderTableData> ReadRows(GrainId grainId)
    {
        await using var session = store.QuerySession();
        var key = grainId.ToString();
        var rows = await session.Query<ReminderRow>().Where(r => r.GrainId == key).ToListAsync();
        return new ReminderTableData(rows.Select(ToEntry));
    }

    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        await using var session = store.QuerySession();
        long b = begin, e = end;
        // (begin, end] on the ring; when begin >= end the range wraps around
        var rows = begin < end
            ? await session.Query<ReminderRow>().Where(r => r.Hash > b && r.Hash <= e).ToListAsync()
            : await session.Query<ReminderRow>().Where(r => r.Hash > b || r.Hash <= e).ToListAsync();
        return new ReminderTableData(rows.Select(ToEntry));
    }

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        await using var session = store.QuerySession();
        var row = await session.LoadAsync<ReminderRow>(Key(grainId, reminderName));
        return row is null ? null : ToEntry(row);
    }

    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        await using var session = store.LightweightSession();
        var row = new ReminderRow
        {
            Id = Key(entry.GrainId, entry.ReminderName),
            GrainId = entry.GrainId.ToString(),
            ReminderName = entry.ReminderName,
            StartAt = entry.StartAt,
            PeriodTicks = entry.Period.Ticks,
            ETag = Convert.ToHexString(BitConverter.GetBytes(Random.Shared.NextInt64())),
            Hash = entry.GrainId.GetUniformHashCode(),
        };
        session.Store(row);
        await session.SaveChangesAsync();
        return row.ETag;
    }

    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        await using var session = store.LightweightSession();
        var row = await session.LoadAsync<ReminderRow>(Key(grainId, reminderName));
        if (row is null || row.ETag != eTag) return false;
        session.Delete(row);
        await session.SaveChangesAsync();
        return true;
    }

    public async Task TestOnlyClearTable()
    {
        await using var session = store.LightweightSession();
        session.DeleteWhere<ReminderRow>(_ => true);
        await session.SaveChangesAsync();
    }

    private static ReminderEntry ToEntry(ReminderRow r) => new()
    {
        GrainId = Orleans.Runtime.GrainId.Parse(r.GrainId),
        ReminderName = r.ReminderName,
        StartAt = r.StartAt,
        Period = TimeSpan.FromTicks(r.PeriodTicks),
        ETag = r.ETag,
    };
}
