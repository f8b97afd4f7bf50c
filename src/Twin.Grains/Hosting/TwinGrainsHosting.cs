using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Twin.Grains.Persistence;
using Twin.Grains.Sagas;
using Twin.Projections;

namespace Twin.Grains.Hosting;

/// <summary>Registers everything a silo needs to host the twin's grains.</summary>
public static class TwinGrainsHosting
{
    /// <summary>Marten (Twin's store configuration) on <paramref name="connectionString"/>, the event-store adapter,
    /// durable reminders in the same database, a clock and (unless a test registered its own) no saga faults.</summary>
    public static ISiloBuilder AddTwinGrains(this ISiloBuilder silo, string connectionString, string schema = TwinStore.DefaultSchema)
    {
        silo.Services.AddMarten(opts =>
        {
            TwinStore.Configure(opts, connectionString, schema);
            opts.Schema.For<ReminderRow>().Index(r => r.GrainId).Index(r => r.Hash);
        }).UseLightweightSessions();
        silo.Services.TryAddSingleton<IEventStore, GroupCommitEventStore>();
        silo.Services.TryAddSingleton<ISagaFaults, NoSagaFaults>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<IReminderTable, MartenReminderTable>();
        silo.AddReminders();
        return silo;
    }
}
