using System.Data.Common;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Swarm.Actors.Persistence;

/// <summary>Reads the history of every torrent journal under one prefix in two queries (latest snapshots, then the rows
/// after them), straight from Akka.Persistence.Sql's tables (issue 14): three plugin queries per torrent, each built by
/// linq2db, were most of a 1,000-torrent recovery. What it returns is what each journal actor's own recovery would
/// replay: the latest snapshot, then the rows after it that are not marked deleted, in sequence order.</summary>
/// <remarks>The table and column names are the plugin's "default" mapping, read from its hocon; another mapping or
/// plugin is not read here (<see cref="For"/> answers null and each journal recovers on its own). A row this reader
/// cannot decode leaves its journal out, never guessed: that journal recovers through the plugin.</remarks>
public sealed class JournalPrefetch
{
    private const string JournalPath = "akka.persistence.journal.sql";
    private const string SnapshotPath = "akka.persistence.snapshot-store.sql";

    private readonly Tables _journal;
    private readonly Tables _snapshots;

    private JournalPrefetch(Tables journal, Tables snapshots)
    {
        _journal = journal;
        _snapshots = snapshots;
    }

    /// <summary>The reader for this actor system's journal, or null when its journal is not Akka.Persistence.Sql on
    /// SQLite or PostgreSQL with the default table mapping.</summary>
    public static JournalPrefetch? For(Config config)
    {
        // The plugin's own defaults (its table mapping) are not in the system's config: it falls back on them itself.
        config = config.WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
        if (config.GetString("akka.persistence.journal.plugin", string.Empty) != JournalPath
            || config.GetString("akka.persistence.snapshot-store.plugin", string.Empty) != SnapshotPath
            || config.GetString($"{JournalPath}.table-mapping", "default") != "default"
            || config.GetString($"{SnapshotPath}.table-mapping", "default") != "default"
            || config.GetBoolean($"{JournalPath}.delete-compatibility-mode", false))
        {
            return null;
        }

        var journal = Tables.Read(config.GetConfig(JournalPath), "journal");
        var snapshots = Tables.Read(config.GetConfig(SnapshotPath), "snapshot");
        return journal is null || snapshots is null ? null : new JournalPrefetch(journal, snapshots);
    }

    /// <summary>The history of each journal whose id starts with <paramref name="prefix"/> and is in
    /// <paramref name="wanted"/>; a wanted journal with no rows at all is returned empty (a torrent that never
    /// journaled).</summary>
    public IReadOnlyDictionary<string, PrefetchedJournal> Read(string prefix, IReadOnlySet<string> wanted, Akka.Serialization.Serialization serialization)
    {
        var found = new Dictionary<string, Builder>(StringComparer.Ordinal);
        Builder Of(string id) => found.TryGetValue(id, out var b) ? b : found[id] = new Builder();

        using (var connection = _snapshots.Open())
        {
            var s = _snapshots.Columns;
            // The latest snapshot of each journal, as the plugin loads it (SnapshotSelectionCriteria.Latest).
            using var cmd = Command(connection, $"""
                SELECT t.{s("persistence-id")}, t.{s("sequence-number")}, t.{s("snapshot")}, t.{s("serializerId")}, t.{s("manifest")}
                FROM {_snapshots.Table} t
                WHERE substr(t.{s("persistence-id")}, 1, @n) = @prefix
                  AND t.{s("sequence-number")} = (SELECT max(m.{s("sequence-number")}) FROM {_snapshots.Table} m WHERE m.{s("persistence-id")} = t.{s("persistence-id")})
                """, prefix);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetString(0);
                if (wanted.Contains(id))
                {
                    Of(id).Snapshot(r.GetInt64(1), serialization, (byte[])r.GetValue(2), r.IsDBNull(3) ? null : Convert.ToInt32(r.GetValue(3)), r.IsDBNull(4) ? string.Empty : r.GetString(4));
                }
            }
        }

        using (var connection = _journal.Open())
        {
            var j = _journal.Columns;
            using var cmd = Command(connection, $"""
                SELECT {j("persistence-id")}, {j("sequence-number")}, {j("deleted")}, {j("message")}, {j("identifier")}, {j("manifest")}
                FROM {_journal.Table}
                WHERE substr({j("persistence-id")}, 1, @n) = @prefix
                ORDER BY {j("persistence-id")}, {j("sequence-number")}
                """, prefix);
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var id = r.GetString(0);
                if (wanted.Contains(id))
                {
                    Of(id).Row(r.GetInt64(1), Convert.ToBoolean(r.GetValue(2)), serialization, r, messageColumn: 3, identifier: r.IsDBNull(4) ? null : Convert.ToInt32(r.GetValue(4)), r.IsDBNull(5) ? string.Empty : r.GetString(5));
                }
            }
        }

        var result = new Dictionary<string, PrefetchedJournal>(StringComparer.Ordinal);
        foreach (var id in wanted)
        {
            if (!found.TryGetValue(id, out var b))
            {
                result[id] = PrefetchedJournal.Empty;
            }
            else if (b.Readable)
            {
                result[id] = b.Build();
            }
        }

        return result;
    }

    private static DbCommand Command(DbConnection connection, string sql, string prefix)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        var n = cmd.CreateParameter();
        n.ParameterName = "n";
        n.Value = prefix.Length;
        var p = cmd.CreateParameter();
        p.ParameterName = "prefix";
        p.Value = prefix;
        cmd.Parameters.Add(n);
        cmd.Parameters.Add(p);
        return cmd;
    }

    /// <summary>One journal's rows as they come: the snapshot first (its query runs first), then the journal rows in order.</summary>
    private sealed class Builder
    {
        private readonly List<IPersistedEvent> _events = [];
        private IPersistedEvent? _snapshot;
        private long _snapshotSequenceNr;
        private long _highest;

        public bool Readable { get; private set; } = true;

        public void Snapshot(long sequenceNr, Akka.Serialization.Serialization serialization, byte[] bytes, int? serializerId, string manifest)
        {
            _snapshotSequenceNr = sequenceNr;
            _highest = Math.Max(_highest, sequenceNr);
            _snapshot = Decode(serialization, bytes, serializerId, manifest);
        }

        public void Row(long sequenceNr, bool deleted, Akka.Serialization.Serialization serialization, DbDataReader reader, int messageColumn, int? identifier, string manifest)
        {
            // The plugin's highest sequence number counts rows marked deleted (kept so that numbering goes on).
            _highest = Math.Max(_highest, sequenceNr);
            if (!deleted && sequenceNr > _snapshotSequenceNr && Readable)
            {
                if (Decode(serialization, (byte[])reader.GetValue(messageColumn), identifier, manifest) is { } e)
                {
                    _events.Add(e);
                }
            }
        }

        public PrefetchedJournal Build() => new(_snapshot is null ? [.. _events] : [_snapshot, .. _events], _highest);

        private IPersistedEvent? Decode(Akka.Serialization.Serialization serialization, byte[] bytes, int? serializerId, string manifest)
        {
            try
            {
                if (serializerId is { } sid && serialization.Deserialize(bytes, sid, manifest) is IPersistedEvent e)
                {
                    return e;
                }
            }
            catch (Exception ex) when (ex is System.Runtime.Serialization.SerializationException or System.Text.Json.JsonException or NotSupportedException or ArgumentException)
            {
            }

            // Written by another serializer (or unreadable): left to the plugin's own recovery, which reports it.
            Readable = false;
            return null;
        }
    }

    /// <summary>A table of the plugin's default mapping: its (quoted) name and column names, and where it lives.</summary>
    private sealed record Tables(string Table, Func<string, string> Columns, string Provider, string ConnectionString)
    {
        public static Tables? Read(Config plugin, string table)
        {
            var provider = plugin.GetString("provider-name", string.Empty);
            var cs = plugin.GetString("connection-string", string.Empty);
            if (string.IsNullOrEmpty(cs) || !(IsSqlite(provider) || provider.StartsWith("PostgreSQL", StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }

            var mapping = plugin.GetConfig("default");
            return new Tables(
                DefaultMappingNames.Table(mapping, table),
                key => DefaultMappingNames.Column(mapping, table, key),
                provider,
                cs);
        }

        public DbConnection Open()
        {
            DbConnection c = IsSqlite(Provider) ? new SqliteConnection(ConnectionString) : PostgreSql(ConnectionString);
            c.Open();
            return c;
        }

        /// <summary>Start-up (issue 14): Npgsql is named only here, so that a node on SQLite never loads it (a ReadyToRun
        /// method loads the types it names before it first runs).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static DbConnection PostgreSql(string connectionString) => new NpgsqlConnection(connectionString);

        private static bool IsSqlite(string provider) => provider.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>A journal's history read ahead of its actor: the latest snapshot (if any) then the events after it, and the
/// highest sequence number the journal holds (0 = it never journaled anything).</summary>
public sealed record PrefetchedJournal(IReadOnlyList<IPersistedEvent> History, long LastSequenceNr)
{
    public static PrefetchedJournal Empty { get; } = new([], 0);

    /// <summary>The state the journal actor's own recovery would build, through the same <see cref="TorrentJournalState.Apply"/>.</summary>
    public TorrentJournalState StateFor(int pieceCount) => History.Aggregate(TorrentJournalState.Empty(pieceCount), (s, e) => s.Apply(e));
}
