using System.Data.Common;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Swarm.Node.Hosting;

/// <summary>Resolves the journal store from swarm.journal, checks that it is reachable before any actor starts
/// (so an unreachable database is one clear line, not a stream of actor failures), and writes the
/// Akka.Persistence.Sql settings that point at it.</summary>
public sealed record JournalStore(string Provider, string ConnectionString, string Description)
{
    public bool IsSqlite => Provider.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase);

    /// <summary>Start-up (issue 14): the SQLite tables are made by <see cref="SqliteJournalSchema"/> during the
    /// reachability check, and the plugin's own (slow) table creation is off. False when the settings make the plugin
    /// create other tables than those, and on PostgreSQL: the plugin then creates its tables as before.</summary>
    public bool CreatesSchema { get; init; }

    /// <summary>Start-up (issue 14): the journal writes its rows in plain SQL and makes the plugin's store (linq2db) only
    /// when something needs it (<c>SwarmSqlWriteJournal</c>); a one-shot node then warms none of it.</summary>
    public bool WritesPlainRows(Config config) => CreatesSchema && config.GetBoolean("akka.persistence.journal.sql.plain-sqlite-writes", false);

    public static JournalStore Resolve(Config config, string dataDir)
    {
        var provider = config.GetString("swarm.journal.provider", "SQLite.MS");
        var cs = Environment.GetEnvironmentVariable("SWARM_JOURNAL_CONNECTION_STRING") is { Length: > 0 } env
            ? env
            : config.GetString("swarm.journal.connection-string", string.Empty);
        if (provider.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrEmpty(cs))
            {
                cs = $"Data Source={Path.Combine(dataDir, "swarm.db")}";
            }

            return new JournalStore(provider, cs, $"SQLite {new SqliteConnectionStringBuilder(cs).DataSource}") { CreatesSchema = SqliteJournalSchema.Matches(config) };
        }

        if (provider.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrEmpty(cs))
            {
                throw new ArgumentException("swarm.journal.provider is PostgreSQL but no connection string is set (swarm.journal.connection-string or SWARM_JOURNAL_CONNECTION_STRING)");
            }

            return new JournalStore(provider, cs, PostgreSqlDescription(cs));
        }

        throw new ArgumentException($"swarm.journal.provider '{provider}' is not supported (SQLite.MS or PostgreSQL.15)");
    }

    /// <summary>Opens one connection; SQLite is switched to WAL (stored in the file, so once is enough).</summary>
    public async Task CheckReachableAsync(CancellationToken ct)
    {
        try
        {
            await using var connection = IsSqlite ? new SqliteConnection(ConnectionString) : PostgreSqlConnection(ConnectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
            if (IsSqlite)
            {
                await using var cmd = connection.CreateCommand();
                cmd.CommandText = "PRAGMA journal_mode=WAL;";
                await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
                if (CreatesSchema)
                {
                    await SqliteJournalSchema.EnsureAsync((SqliteConnection)connection, ct).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException or OperationCanceledException or TimeoutException)
        {
            throw new IOException($"journal store unreachable ({Description}): {e.Message}", e);
        }
    }

    // Start-up (issue 14): Npgsql's types are named only in these methods, so that a node on SQLite never loads Npgsql
    // (a ReadyToRun method loads the types it names before it first runs).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static DbConnection PostgreSqlConnection(string connectionString) => new NpgsqlConnection(connectionString);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string PostgreSqlDescription(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"PostgreSQL {b.Host}:{b.Port}/{b.Database}";
    }

    /// <summary>Start-up (issue 14): linq2db keeps one provider per database kind; built beside the host (on another core
    /// than the host's, see SwarmNode) it is ready when the journal and snapshot store open their first connections.
    /// Not part of <see cref="CheckReachableAsync"/>: the actor system waits for that check (it waited ≈ 70 ms for this).</summary>
    public void WarmProvider()
    {
        try
        {
            _ = LinqToDB.Data.DataConnection.GetDataProvider(Provider, ConnectionString);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort: the plugin builds its provider itself and reports what is wrong.
        }
    }

    public Config ToConfig()
    {
        var q = SwarmConfiguration.Quote(ConnectionString);
        var p = SwarmConfiguration.Quote(Provider);
        var store = ConfigurationFactory.ParseString($"""
            akka.persistence.journal.sql.connection-string = {q}
            akka.persistence.journal.sql.provider-name = {p}
            akka.persistence.snapshot-store.sql.connection-string = {q}
            akka.persistence.snapshot-store.sql.provider-name = {p}
            """);
        return CreatesSchema ? SqliteJournalSchema.PluginCreatesNothing().WithFallback(store) : store;
    }
}
