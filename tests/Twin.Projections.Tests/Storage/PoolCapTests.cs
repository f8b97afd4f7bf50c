using Npgsql;

namespace Twin.Projections.Tests.Storage;

/// <summary>Twin's own pools stay well under PostgreSQL's default max_connections unless the connection string says
/// otherwise: a silo's Marten, its Orleans providers and a CLI on one server must wait for a pooled connection, not be
/// refused with "too many clients".</summary>
public sealed class PoolCapTests
{
    private const string Plain = "Host=127.0.0.1;Port=5432;Database=twin;Username=twin";

    [Fact]
    public void A_connection_string_without_a_pool_size_gets_the_cap()
    {
        var capped = new NpgsqlConnectionStringBuilder(TwinStore.CapPool(Plain, 12));
        Assert.Equal(12, capped.MaxPoolSize);
        Assert.Equal("twin", capped.Database);
        Assert.Equal(5432, capped.Port);
        Assert.True(TwinStore.MartenPoolSize < 100);
    }

    [Fact]
    public void A_pool_size_the_user_set_is_kept_and_a_minimum_never_exceeds_the_cap()
    {
        Assert.Equal(250, new NpgsqlConnectionStringBuilder(TwinStore.CapPool(Plain + ";Maximum Pool Size=250", 12)).MaxPoolSize);
        Assert.Equal(3, new NpgsqlConnectionStringBuilder(TwinStore.CapPool(Plain + ";MaxPoolSize=3", 12)).MaxPoolSize);
        var withMinimum = new NpgsqlConnectionStringBuilder(TwinStore.CapPool(Plain + ";Minimum Pool Size=20", 12));
        Assert.Equal(12, withMinimum.MaxPoolSize);
        Assert.Equal(12, withMinimum.MinPoolSize);
    }
}
