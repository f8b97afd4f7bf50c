using System.Net;
using Marten;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Twin.Grains.Clustering;
using Twin.Grains.Hosting;
using Twin.Projections.Storage;

namespace Twin.Grains.Tests.Clustering;

/// <summary>The membership table's contract on a real PostgreSQL: every change of a row moves the table version, a
/// stale table tag or row tag loses, of two racing writers exactly one wins, and heartbeats change neither tag.</summary>
public sealed class PostgresMembershipTableTests : IAsyncLifetime
{
    private EmbeddedPostgres _pg = null!;

    public async ValueTask InitializeAsync()
    {
        _pg = await EmbeddedPostgres.StartThrowawayAsync(ct: TestContext.Current.CancellationToken);
        using var store = DocumentStore.For(o => TwinGrainsHosting.ConfigureStore(o, _pg.ConnectionString));
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        // a second time changes nothing: the schema step is idempotent
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    public async ValueTask DisposeAsync() => await _pg.DisposeAsync();

    private PostgresMembershipTable Table(string cluster = "c1") =>
        new(_pg.ConnectionString, "twin", Options.Create(new ClusterOptions { ClusterId = cluster, ServiceId = "twin" }));

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
        await using var table = Table();
        await table.InitializeMembershipTable(true);
        await table.InitializeMembershipTable(true); // a second silo initialising keeps the version
        var empty = await table.ReadAll();
        Assert.Equal(0, empty.Version.Version);
        Assert.Empty(empty.Members);

        var a = Entry(11111);
        Assert.True(await table.InsertRow(a, empty.Version.Next()));
        Assert.False(await table.InsertRow(Entry(11112), empty.Version.Next())); // stale table tag
        var one = await table.ReadAll();
        Assert.Equal(1, one.Version.Version);
        Assert.False(await table.InsertRow(a, one.Version.Next())); // the same silo twice
        var (read, rowTag) = one.Members.Single();
        Assert.Equal(a.SiloAddress, read.SiloAddress);
        Assert.Equal("silo-11111", read.SiloName);
        Assert.Equal(11111 + 1000, read.ProxyPort);

        read.Status = SiloStatus.Active;
        read.AddOrUpdateSuspector(Entry(11112).SiloAddress, DateTime.UtcNow, 3);
        Assert.True(await table.UpdateRow(read, rowTag, one.Version.Next()));
        Assert.False(await table.UpdateRow(read, rowTag, one.Version.Next())); // stale table tag
        var two = await table.ReadAll();
        Assert.False(await table.UpdateRow(read, rowTag, two.Version.Next())); // stale row tag
        var (active, _) = two.Members.Single();
        Assert.Equal(SiloStatus.Active, active.Status);
        Assert.Equal(Entry(11112).SiloAddress, Assert.Single(active.SuspectTimes!).Item1);

        active.IAmAliveTime = DateTime.UtcNow.AddSeconds(5);
        await table.UpdateIAmAlive(active);
        var three = await table.ReadAll();
        Assert.Equal(two.Version, three.Version);
        Assert.Equal(two.Members.Single().Item2, three.Members.Single().Item2);
        Assert.Equal(active.IAmAliveTime, three.Members.Single().Item1.IAmAliveTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal(active.SiloAddress, (await table.ReadRow(active.SiloAddress)).Members.Single().Item1.SiloAddress);
    }

    [Fact]
    public async Task Of_concurrent_writers_with_the_same_view_exactly_one_wins()
    {
        await using var table = Table("race");
        await table.InitializeMembershipTable(true);
        var view = await table.ReadAll();
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => table.InsertRow(Entry(12000 + i), view.Version.Next())));
        Assert.Equal(1, results.Count(r => r));
        Assert.Single((await table.ReadAll()).Members);
    }

    [Fact]
    public async Task Clusters_are_apart_and_dead_silos_are_cleaned_up()
    {
        await using var one = Table("one");
        await using var other = Table("other");
        await one.InitializeMembershipTable(true);
        await other.InitializeMembershipTable(true);
        var dead = Entry(13000, SiloStatus.Dead);
        dead.IAmAliveTime = dead.StartTime = DateTime.UtcNow.AddHours(-2);
        Assert.True(await one.InsertRow(dead, (await one.ReadAll()).Version.Next()));
        Assert.True(await one.InsertRow(Entry(13001, SiloStatus.Active), (await one.ReadAll()).Version.Next()));
        Assert.Empty((await other.ReadAll()).Members);

        await one.CleanupDefunctSiloEntries(DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Equal(13001, Assert.Single((await one.ReadAll()).Members).Item1.SiloAddress.Endpoint.Port);

        await one.DeleteMembershipTableEntries("one");
        Assert.Empty((await one.ReadAll()).Members);
    }
}
