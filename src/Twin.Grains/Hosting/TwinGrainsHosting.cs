using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Twin.Grains.Persistence;
using Twin.Grains.Sagas;
using Twin.Projections;
using Twin.Projections.History;

namespace Twin.Grains.Hosting;

/// <summary>Registers everything a silo needs to host the twin's grains.</summary>
public static class TwinGrainsHosting
{
    /// <summary>Marten (Twin's store configuration) on <paramref name="connectionString"/>, the event-store adapter,
    /// durable reminders in the same database, a clock and (unless a test registered its own) no saga faults. The silo
    /// runs Marten's async daemon, which keeps the cross-stream read models and the history index
    /// (<see cref="DatacenterProjection"/>): <see cref="DaemonMode.Solo"/> for a single silo, <see cref="DaemonMode.HotCold"/>
    /// when several silos share the database (one of them runs each projection, the others stand by),
    /// <see cref="DaemonMode.Disabled"/> when another process runs it.</summary>
    public static ISiloBuilder AddTwinGrains(this ISiloBuilder silo, string connectionString, string schema = TwinStore.DefaultSchema,
        DaemonMode daemon = DaemonMode.Solo, HistoryOptions? history = null)
    {
        var marten = silo.Services.AddMarten(opts =>
        {
            TwinStore.Configure(opts, connectionString, schema, history);
            opts.Schema.For<ReminderRow>().Index(r => r.GrainId).Index(r => r.Hash);
        }).UseLightweightSessions();
        if (daemon != DaemonMode.Disabled) marten.AddAsyncDaemon(daemon);
        silo.Services.TryAddSingleton<IEventStore, GroupCommitEventStore>();
        silo.Services.TryAddSingleton<ISagaFaults, NoSagaFaults>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<IReminderTable, MartenReminderTable>();
        silo.AddReminders();
        return silo;
    }
}
