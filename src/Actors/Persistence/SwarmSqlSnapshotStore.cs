using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Snapshot;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Db;
using Akka.Persistence.Sql.Snapshot;
using Akka.Streams;

namespace Swarm.Actors.Persistence;

/// <summary>Akka.Persistence.Sql's snapshot store with its data access (linq2db) made at the first load, save or
/// deletion that reaches it (issue 14). Every persistent actor's recovery asks the snapshot store, so Akka makes the
/// store at start-up, and the plugin's constructor built its linq2db mapping and a materializer there: linq2db's mapped
/// image alone was 7 MiB of a one-piece `get`'s 112 MiB peak, beside its JIT-compiled generic code. A recovery that
/// knows its state from the bulk read (<see cref="Recovery.None"/>: the catalog, a torrent's journal) loads no snapshot
/// at all, which <see cref="SnapshotStore"/> answers itself; a `get` of fewer than snapshot-every journal events then
/// never makes the data access.</summary>
/// <remarks>The same queries as the plugin's own store (<see cref="SqlSnapshotStore"/>), through the same
/// <see cref="ByteArraySnapshotDao"/>; its table creation (auto-initialize) runs before the first of them, and again
/// after a failure, as the plugin's store retried it by restarting.</remarks>
public sealed class SwarmSqlSnapshotStore : SnapshotStore
{
    private readonly SnapshotConfig _settings;
    private ByteArraySnapshotDao? _dao;
    private Task? _ready;

    public SwarmSqlSnapshotStore(Akka.Configuration.Config snapshotConfig)
    {
        _settings = new SnapshotConfig(snapshotConfig.WithFallback(SqlPersistence.DefaultSnapshotConfiguration));
    }

    protected override async Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        var dao = await Dao().ConfigureAwait(false);
        var selected = (criteria.MaxSequenceNr, criteria.MaxTimeStamp) switch
        {
            (long.MaxValue, var t) when t == DateTime.MaxValue => await dao.LatestSnapshotAsync(persistenceId, cancellationToken).ConfigureAwait(false),
            (long.MaxValue, var t) => await dao.SnapshotForMaxTimestampAsync(persistenceId, t, cancellationToken).ConfigureAwait(false),
            (var n, var t) when t == DateTime.MaxValue => await dao.SnapshotForMaxSequenceNrAsync(persistenceId, n, cancellationToken).ConfigureAwait(false),
            var (n, t) => await dao.SnapshotForMaxSequenceNrAndMaxTimestampAsync(persistenceId, n, t, cancellationToken).ConfigureAwait(false),
        };
        return selected.HasValue ? selected.Value : null;
    }

    protected override async Task SaveAsync(SnapshotMetadata metadata, object snapshot, CancellationToken cancellationToken) =>
        await (await Dao().ConfigureAwait(false)).SaveAsync(metadata, snapshot, cancellationToken).ConfigureAwait(false);

    protected override async Task DeleteAsync(SnapshotMetadata metadata, CancellationToken cancellationToken) =>
        await (await Dao().ConfigureAwait(false)).DeleteAsync(metadata.PersistenceId, metadata.SequenceNr, metadata.Timestamp, cancellationToken).ConfigureAwait(false);

    protected override async Task DeleteAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        var dao = await Dao().ConfigureAwait(false);
        switch (criteria.MaxSequenceNr, criteria.MaxTimeStamp)
        {
            case (long.MaxValue, var t) when t == DateTime.MaxValue:
                await dao.DeleteAllSnapshotsAsync(persistenceId, cancellationToken).ConfigureAwait(false);
                break;
            case (long.MaxValue, var t):
                await dao.DeleteUpToMaxTimestampAsync(persistenceId, t, cancellationToken).ConfigureAwait(false);
                break;
            case (var n, var t) when t == DateTime.MaxValue:
                await dao.DeleteUpToMaxSequenceNrAsync(persistenceId, n, cancellationToken).ConfigureAwait(false);
                break;
            case var (n, t):
                await dao.DeleteUpToMaxSequenceNrAndMaxTimestampAsync(persistenceId, n, t, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The data access, made on the actor's thread at the first operation (the operations start there); its
    /// tables are created first where the plugin would create them.</summary>
    private async Task<ByteArraySnapshotDao> Dao()
    {
        _dao ??= new ByteArraySnapshotDao(
            new AkkaPersistenceDataConnectionFactory(_settings),
            _settings,
            Context.System.Serialization,
            ActorMaterializer.Create(Context.System),
            Context.GetLogger());
        if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
        {
            _ready = _settings.AutoInitialize ? _dao.InitializeTables() : Task.CompletedTask;
        }

        await _ready.ConfigureAwait(false);
        return _dao;
    }
}
