using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;
using Akka.Serialization;
using Akka.Util;
using Microsoft.Data.Sqlite;

namespace Swarm.Actors.Persistence;

/// <summary>Journal rows written to SQLite in plain SQL, exactly as Akka.Persistence.Sql 1.5.73 writes them with its
/// default mapping (issue 14): the plugin's first insert built its linq2db query and mapping (≈ 0.3 s of CPU), on the
/// path of every `get`, whose first write is the catalog's TorrentAdded, and beside its first peers. Reads, deletions
/// and snapshots stay the plugin's, on the same rows; `SqliteJournalRowsTests` compares both writers' rows.</summary>
public sealed class SqliteJournalRows
{
    private readonly ExtendedActorSystem _system;
    private readonly string _connectionString;
    private readonly string _insert;
    private readonly string? _defaultSerializer;
    private readonly string? _writerUuid;

    private SqliteJournalRows(ExtendedActorSystem system, string connectionString, string insert, string? defaultSerializer, string? writerUuid)
    {
        _system = system;
        _connectionString = connectionString;
        _insert = insert;
        _defaultSerializer = defaultSerializer;
        _writerUuid = writerUuid;
    }

    /// <summary>The writer for a journal plugin section, or null when its rows are the plugin's to write: the switch
    /// (<c>plain-sqlite-writes</c>) is off, the store is not SQLite, or the tables are not the default mapping with tags
    /// in their own table (the rows this writes).</summary>
    public static SqliteJournalRows? For(Config journalConfig, ExtendedActorSystem system)
    {
        // The section Akka hands the journal holds only what our hocon sets; the plugin falls back on its own defaults.
        var plugin = journalConfig.WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultJournalConfiguration);
        if (!plugin.GetBoolean("plain-sqlite-writes", false)
            || !plugin.GetString("provider-name", string.Empty).StartsWith("SQLite", StringComparison.OrdinalIgnoreCase)
            || plugin.GetString("connection-string", string.Empty) is not { Length: > 0 } cs
            || plugin.GetString("table-mapping", "default") != "default"
            || !string.Equals(plugin.GetString("tag-write-mode", "TagTable"), "TagTable", StringComparison.OrdinalIgnoreCase)
            || plugin.GetBoolean("delete-compatibility-mode", false))
        {
            return null;
        }

        var mapping = plugin.GetConfig("default");
        var journal = mapping?.GetConfig("journal");
        if (mapping is null || journal is null || journal.IsEmpty || journal.GetConfig("columns") is not { IsEmpty: false } columns)
        {
            return null;
        }

        var useUuid = journal.GetBoolean("use-writer-uuid-column", true);
        string Column(string key) => DefaultMappingNames.Column(mapping, "journal", key);
        var table = DefaultMappingNames.Table(mapping, "journal");
        var names = new List<string> { Column("created"), Column("deleted"), Column("persistence-id"), Column("sequence-number"), Column("message"), Column("manifest"), Column("identifier") };
        var values = new List<string> { "$created", "0", "$pid", "$seq", "$message", "$manifest", "$identifier" };
        if (useUuid)
        {
            names.Add(Column("writer-uuid"));
            values.Add("$uuid");
        }

        var insert = $"INSERT INTO {table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", values)})";
        // As the plugin: one id per journal instance, written with each of its rows.
        return new SqliteJournalRows(system, cs, insert, plugin.GetString("serializer", null), useUuid ? Guid.NewGuid().ToString("N") : null);
    }

    /// <summary>Serializes the payloads as the plugin does (on the journal's thread: the serializer may need its
    /// system's transport information). A write whose payload cannot be serialized is rejected, the others written.</summary>
    public (List<Row> Rows, IImmutableList<Exception>? Rejections) Serialize(IReadOnlyList<AtomicWrite> writes, long now)
    {
        var rows = new List<Row>();
        Exception[]? rejected = null;
        for (var i = 0; i < writes.Count; i++)
        {
            var batch = (IImmutableList<IPersistentRepresentation>)writes[i].Payload;
            try
            {
                var serialized = new List<Row>(batch.Count);
                foreach (var p in batch)
                {
                    serialized.Add(ToRow(p, now));
                }

                rows.AddRange(serialized);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                rejected ??= new Exception[writes.Count];
                rejected[i] = e;
            }
        }

        // Null entries: the writes that succeed (the journal's convention for "no rejection").
        return (rows, rejected?.ToImmutableList());
    }

    private Row ToRow(IPersistentRepresentation p, long now)
    {
        if (p.Payload is Tagged)
        {
            // Nothing of ours tags its events; tags would go to the tag table, which this does not write.
            throw new NotSupportedException($"a tagged event ({p.PersistenceId}) is not written by {nameof(SqliteJournalRows)}");
        }

        var serializer = _system.Serialization.FindSerializerForType(p.Payload.GetType(), _defaultSerializer);
        var manifest = serializer switch
        {
            SerializerWithStringManifest named => named.Manifest(p.Payload),
            { IncludeManifest: true } => p.Payload.GetType().TypeQualifiedName(),
            _ => string.Empty,
        };
        var message = Akka.Serialization.Serialization.WithTransport(_system, (serializer, p.Payload), s => s.serializer.ToBinary(s.Payload));
        return new Row(p.Timestamp == 0 ? now : p.Timestamp, p.PersistenceId, p.SequenceNr, message, manifest, serializer.Identifier);
    }

    /// <summary>Inserts the rows in one transaction (all or none, as the plugin's batch).</summary>
    public void Insert(IReadOnlyList<Row> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }

        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = _insert;
        var created = command.Parameters.Add("$created", SqliteType.Integer);
        var pid = command.Parameters.Add("$pid", SqliteType.Text);
        var seq = command.Parameters.Add("$seq", SqliteType.Integer);
        var message = command.Parameters.Add("$message", SqliteType.Blob);
        var manifest = command.Parameters.Add("$manifest", SqliteType.Text);
        var identifier = command.Parameters.Add("$identifier", SqliteType.Integer);
        if (_writerUuid is not null)
        {
            command.Parameters.AddWithValue("$uuid", _writerUuid);
        }

        foreach (var row in rows)
        {
            created.Value = row.Created;
            pid.Value = row.PersistenceId;
            seq.Value = row.SequenceNr;
            message.Value = row.Message;
            manifest.Value = row.Manifest;
            identifier.Value = row.Identifier;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public sealed record Row(long Created, string PersistenceId, long SequenceNr, byte[] Message, string Manifest, int Identifier);
}
