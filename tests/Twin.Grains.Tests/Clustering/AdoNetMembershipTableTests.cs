using System.Net;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService;
using Twin.Grains.Clustering;
using Twin.Grains.Hosting;
using Twin.Projections.Storage;

namespace Twin.Grains.Tests.Clustering;

/// <summary>Orleans' ADO.NET membership table on the schema Twin creates from the embedded Orleans scripts, on a real
/// PostgreSQL: the scripts match the 10.4.2 provider (every query it issues works), every change of a row moves the
/// table version, a stale table tag or row tag loses, of racing writers exactly one wins, heartbeats change neither
/// tag, and dead silos are cleaned up.</summary>
public sealed class AdoNetMembershipTableTests : IAsyncLifetime
{
    private EmbeddedPostgres _pg = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _pg = await EmbeddedPostgres.StartThrowawayAsync(ct: TestContext.Current.CancellationToken);
        using var store = DocumentStore.For(o => TwinGrainsHosting.ConfigureStore(o, _pg.ConnectionString));
        await TwinGrainsHosting.ApplySchemaAsync(store, _pg.ConnectionString, TestContext.Current.CancellationToken);
        // a second time changes nothing: the schema step is idempotent
        await TwinGrainsHosting.ApplySchemaAsync(store, _pg.ConnectionString, TestContext.Current.CancellationToken);
        OrleansSchema.RegisterProvider();
    }

    [Fact]
    public async Task The_orleans_tables_are_created_once_in_twins_schema()
    {
        await using var connection = new NpgsqlConnection(_pg.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var tables = new NpgsqlCommand(
            "select string_agg(tablename::text, ',' order by tablename) from pg_tables where schemaname = 'twin' and tablename like 'orleans%'", connection);
        Assert.Equal("orleansmembershiptable,orleansmembershipversiontable,orleansquery,orleansreminderstable", await tables.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        await using var queries = new NpgsqlCommand("select count(*) from twin.orleansquery", connection);
        // the 10 queries of the clustering script and the 7 of the reminders script, inserted once although the schema
        // step ran twice
        Assert.Equal(17L, await queries.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await OrleansSchema.ApplyAsync(connection, "twin", TestContext.Current.CancellationToken));
    }

    public async ValueTask DisposeAsync() => await _pg.DisposeAsync();

    // through the interface the silo uses
    private IMembershipTable Table(string cluster = "c1") =>
        new AdoNetClusteringTable(new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = cluster, ServiceId = "twin" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = OrleansSchema.Invariant, ConnectionString = OrleansSchema.ConnectionString(_pg.ConnectionString, "twin") }),
            NullLogger<AdoNetClusteringTable>.Instance);

    private static MembershipEntry Entry(int port, SiloStatus status = SiloStatus.Joining) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 42),
        Status = status,
        ProxyPort = port + 1000,
        HostName = "host",
        SiloName = $"silo-{port}",
        StartTime = DateTime.UtcNow,
        IAmAliveTime = DateTime.UtcNow,
        SuspectTimes = [],
    };

    [Fact]
    public async Task Rows_move_the_version_and_stale_tags_lose()
    {
        var table = Table();
        await table.InitializeMembershipTableAsync(true, Ct);
        await table.InitializeMembershipTableAsync(true, Ct); // a second silo initialising keeps the version
        var empty = await table.ReadAllAsync(Ct);
        Assert.Equal(0, empty.Version.Version);
        Assert.Empty(empty.Members);

        var a = Entry(11111);
        Assert.True(await table.InsertRowAsync(a, empty.Version.Next(), Ct));
        Assert.False(await table.InsertRowAsync(Entry(11112), empty.Version.Next(), Ct)); // stale table tag
        var one = await table.ReadAllAsync(Ct);
        Assert.Equal(1, one.Version.Version);
        Assert.False(await table.InsertRowAsync(a, one.Version.Next(), Ct)); // the same silo twice
        var (read, rowTag) = one.Members.Single();
        Assert.Equal(a.SiloAddress, read.SiloAddress);
        Assert.Equal("silo-11111", read.SiloName);
        Assert.Equal(11111 + 1000, read.ProxyPort);

        read.Status = SiloStatus.Active;
        read.AddOrUpdateSuspector(Entry(11112).SiloAddress, DateTime.UtcNow, 3);
        Assert.True(await table.UpdateRowAsync(read, rowTag, one.Version.Next(), Ct));
        Assert.False(await table.UpdateRowAsync(read, rowTag, one.Version.Next(), Ct)); // stale table tag
        var two = await table.ReadAllAsync(Ct);
        Assert.False(await table.UpdateRowAsync(read, rowTag, two.Version.Next(), Ct)); // stale row tag
        var (active, _) = two.Members.Single();
        Assert.Equal(SiloStatus.Active, active.Status);
        Assert.Equal(Entry(11112).SiloAddress, Assert.Single(active.SuspectTimes!).Item1);

        active.IAmAliveTime = DateTime.UtcNow.AddSeconds(5);
        await table.UpdateIAmAliveAsync(active, Ct);
        var three = await table.ReadAllAsync(Ct);
        Assert.Equal(two.Version, three.Version);
        Assert.Equal(two.Members.Single().Item2, three.Members.Single().Item2);
        Assert.Equal(active.IAmAliveTime, three.Members.Single().Item1.IAmAliveTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal(active.SiloAddress, (await table.ReadRowAsync(active.SiloAddress, Ct)).Members.Single().Item1.SiloAddress);
    }

    [Fact]
    public async Task Of_concurrent_writers_with_the_same_view_exactly_one_wins()
    {
        var table = Table("race");
        await table.InitializeMembershipTableAsync(true, Ct);
        var view = await table.ReadAllAsync(Ct);
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => table.InsertRowAsync(Entry(12000 + i), view.Version.Next(), Ct)));
        Assert.Equal(1, results.Count(r => r));
        Assert.Single((await table.ReadAllAsync(Ct)).Members);
    }

    [Fact]
    public async Task Clusters_are_apart_and_dead_silos_are_cleaned_up()
    {
        var one = Table("one");
        var other = Table("other");
        await one.InitializeMembershipTableAsync(true, Ct);
        await other.InitializeMembershipTableAsync(true, Ct);
        var dead = Entry(13000, SiloStatus.Dead);
        dead.IAmAliveTime = dead.StartTime = DateTime.UtcNow.AddHours(-2);
        Assert.True(await one.InsertRowAsync(dead, (await one.ReadAllAsync(Ct)).Version.Next(), Ct));
        Assert.True(await one.InsertRowAsync(Entry(13001, SiloStatus.Active), (await one.ReadAllAsync(Ct)).Version.Next(), Ct));
        Assert.Empty((await other.ReadAllAsync(Ct)).Members);

        await one.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddHours(-1), Ct);
        Assert.Equal(13001, Assert.Single((await one.ReadAllAsync(Ct)).Members).Item1.SiloAddress.Endpoint.Port);

        await one.DeleteMembershipTableEntriesAsync("one", Ct);
        // the version row went too: a new cluster of that id starts from scratch
        await one.InitializeMembershipTableAsync(true, Ct);
        var fresh = await one.ReadAllAsync(Ct);
        Assert.Empty(fresh.Members);
        Assert.Equal(0, fresh.Version.Version);
    }
}
