using Akka.Configuration;
using Microsoft.Data.Sqlite;

namespace Swarm.Node.Hosting;

/// <summary>The SQLite tables of the journal and snapshot store, created with plain SQL before the actor system starts,
/// so that the persistence plugin's own table creation (linq2db building its schema model, 0.4–0.65 s of CPU on every
/// start, on the path of the catalog's recovery) can be switched off (issue 14).</summary>
/// <remarks>The statements are the ones Akka.Persistence.Sql 1.5.73 runs with our settings (default table mapping, tags
/// in their own table); `SqliteJournalSchemaTests` compares them with what the plugin itself creates on a fresh
/// database, so a plugin update that adds or changes a table fails there. Like the plugin's, they only create what is
/// missing and never alter a table that exists.</remarks>
public static class SqliteJournalSchema
{
    /// <summary>What <c>CREATE … IF NOT EXISTS</c> each object of the plugin's schema is, in the plugin's order.</summary>
    public static readonly IReadOnlyList<string> Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS [journal]
        (
        	[ordering]        INTEGER        NOT NULL PRIMARY KEY AUTOINCREMENT,
        	[created]         INTEGER        NOT NULL,
        	[deleted]         Bit            NOT NULL,
        	[persistence_id]  NVarChar(255)  NOT NULL,
        	[sequence_number] INTEGER        NOT NULL,
        	[message]         VarBinary      NOT NULL,
        	[manifest]        NVarChar(500)      NULL,
        	[identifier]      INTEGER            NULL,
        	[writer_uuid]     NVarChar(128)      NULL
        )
        """,
        "CREATE UNIQUE INDEX IF NOT EXISTS journal_uq ON journal (persistence_id, sequence_number)",
        "CREATE INDEX IF NOT EXISTS journal_created_idx ON journal (created)",
        "CREATE INDEX IF NOT EXISTS journal_sequence_number_idx ON journal (sequence_number)",
        """
        CREATE TABLE IF NOT EXISTS [tags]
        (
        	[ordering_id]    INTEGER       NOT NULL,
        	[tag]            NVarChar(64)  NOT NULL,
        	[sequence_nr]    INTEGER       NOT NULL,
        	[persistence_id] NVarChar(255) NOT NULL,

        	CONSTRAINT [PK_tags] PRIMARY KEY ([ordering_id], [tag])
        )
        """,
        "CREATE INDEX IF NOT EXISTS tags_persistence_id_sequence_nr_idx ON tags (persistence_id, sequence_nr)",
        "CREATE INDEX IF NOT EXISTS tags_tag_idx ON tags (tag)",
        """
        CREATE TABLE IF NOT EXISTS [snapshot]
        (
        	[persistence_id]  NVarChar(255) NOT NULL,
        	[sequence_number] INTEGER       NOT NULL,
        	[created]         INTEGER       NOT NULL,
        	[snapshot]        VarBinary         NULL,
        	[manifest]        NVarChar(500)     NULL,
        	[serializer_id]   INTEGER           NULL,

        	CONSTRAINT [PK_snapshot] PRIMARY KEY ([persistence_id], [sequence_number])
        )
        """,
        "CREATE INDEX IF NOT EXISTS snapshot_sequence_number_idx ON snapshot (sequence_number)",
        "CREATE INDEX IF NOT EXISTS snapshot_created_idx ON snapshot (created)",
    ];

    /// <summary>True when the plugin, configured as <paramref name="config"/> says, would create exactly
    /// <see cref="Statements"/>: it creates its tables itself (auto-initialize) with the default table names and
    /// columns and a tag table. Any other setting (a table mapping, renamed tables, tags as CSV, the delete
    /// compatibility table) leaves the tables to the plugin.</summary>
    public static bool Matches(Config config)
    {
        const string journal = "akka.persistence.journal.sql";
        const string snapshots = "akka.persistence.snapshot-store.sql";
        return config.GetBoolean($"{journal}.auto-initialize", true)
            && config.GetBoolean($"{snapshots}.auto-initialize", true)
            && config.GetString($"{journal}.table-mapping", "default") == "default"
            && config.GetString($"{snapshots}.table-mapping", "default") == "default"
            && string.Equals(config.GetString($"{journal}.tag-write-mode", "TagTable"), "TagTable", StringComparison.OrdinalIgnoreCase)
            && !config.GetBoolean($"{journal}.delete-compatibility-mode", false)
            && !config.HasPath($"{journal}.default")
            && !config.HasPath($"{snapshots}.default");
    }

    /// <summary>Creates whatever of the schema is missing, in one transaction (a crash halfway leaves nothing half
    /// made).</summary>
    public static async Task EnsureAsync(SqliteConnection connection, CancellationToken ct)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        foreach (var statement in Statements)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The settings that switch the plugin's own table creation off.</summary>
    public static Config PluginCreatesNothing() => ConfigurationFactory.ParseString("""
        akka.persistence.journal.sql.auto-initialize = off
        akka.persistence.snapshot-store.sql.auto-initialize = off
        """);
}
