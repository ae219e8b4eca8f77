using Akka.Configuration;
using Swarm.Actors.Persistence;
using Swarm.Node.Hosting;
using Xunit;

namespace Swarm.Node.Tests.Hosting;

/// <summary>Footprint (issue 14): a PostgreSQL store's driver is reached through <see cref="PostgreSqlConnections"/>
/// only (so that SQLite processes never load it); with PostgreSQL configured it is still described and connected
/// through Npgsql.</summary>
public sealed class JournalStoreTests
{
    [Fact]
    public void A_postgresql_store_is_described_and_connected_through_npgsql()
    {
        var config = ConfigurationFactory.ParseString("""
            swarm.journal.provider = "PostgreSQL.15"
            swarm.journal.connection-string = "Host=db.example;Port=5433;Database=swarm"
            """).WithFallback(SwarmConfiguration.Load(null, new Dictionary<string, string>()));

        var store = JournalStore.Resolve(config, Path.GetTempPath());

        Assert.False(store.IsSqlite);
        Assert.Equal("PostgreSQL db.example:5433/swarm", store.Description);
        using var connection = PostgreSqlConnections.Create(store.ConnectionString);
        Assert.Equal("Npgsql.NpgsqlConnection", connection.GetType().FullName);
        Assert.Equal("swarm", connection.Database);
    }
}
