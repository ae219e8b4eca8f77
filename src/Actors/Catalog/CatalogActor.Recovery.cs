using System.Data.Common;
using System.Diagnostics;
using Akka.Event;
using Akka.Persistence;
using Swarm.Actors.Persistence;
using Swarm.Protocol.Metainfo;

namespace Swarm.Actors.Catalog;

/// <summary>Starts the torrents the catalog recovered, each with its journal's history read beforehand in one bulk read
/// (issue 14): a thousand torrents otherwise ran three store queries each before the first could seed.</summary>
public sealed partial class CatalogActor
{
    /// <summary>After a restart of this actor, its old torrents' journals may still be finishing writes: their
    /// histories are read by each journal as it starts, not ahead of it (and the catalog replays its own).</summary>
    private bool _restarted;

    /// <summary>The catalog's own history was read in bulk as it started: no replay through the plugin.</summary>
    private bool _known;

    /// <summary>With its history known, Akka only reads the highest sequence number (snapshot load and replay are skipped),
    /// so that the catalog's next rows follow the ones on disk.</summary>
    public override Recovery Recovery => _known ? Recovery.None : base.Recovery;

    /// <summary>Issue 14: the catalog's own history read with the torrents' bulk reader, before Akka's recovery starts.
    /// Through the plugin it was a snapshot query, a replay query and a stream of a thousand rows, each built by linq2db,
    /// on the path to the first torrent's start. Only the first instance in this actor system reads ahead.</summary>
    private void ReadOwnHistory()
    {
        _restarted = !JournalHandoff.Get(Context.System).FirstStart(PersistenceId);
        if (_restarted || !_node.Settings.Persistence.BulkRecovery || JournalPrefetch.For(Context.System.Settings.Config) is not { } prefetch)
        {
            return;
        }

        try
        {
            if (prefetch.Read(PersistenceId, new HashSet<string>(StringComparer.Ordinal) { PersistenceId }, Context.System.Serialization).TryGetValue(PersistenceId, out var history))
            {
                _state = CatalogState.Replay(history.History);
                _known = true;
                // Recovery.None still asks the journal for the highest sequence number: answered from this read.
                JournalHandoff.Get(Context.System).OfferHighest(PersistenceId, history.LastSequenceNr);
            }
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException or ArgumentException)
        {
            // The plugin's own recovery reads it then, and reports what is wrong.
            _log.Warning("the torrent catalog could not be read in bulk, it replays through the journal: {0}", e.Message);
        }
    }

    private void StartRecovered()
    {
        var ids = _state.Torrents.Values.ToDictionary(e => e.InfoHash, e => CatalogEntries.JournalId(_node.NodeId, e), StringComparer.Ordinal);
        var histories = ReadHistories(ids.Values.ToHashSet(StringComparer.Ordinal));
        foreach (var entry in _state.Torrents.Values)
        {
            var id = ids[entry.InfoHash];
            StartWith(entry, [], id, histories.GetValueOrDefault(id));
        }
    }

    /// <summary>A torrent just added: its journal is named by a fresh generation, so it holds nothing yet and its
    /// journal actor need not ask the store (loading many torrents into a node ran three queries each). It runs with
    /// the metainfo it was added with, which the entry was made from (<see cref="CatalogEntries.From"/>).</summary>
    private void StartNew(TorrentAdded entry, IReadOnlyList<System.Net.IPEndPoint> peers, TorrentMetainfo added)
    {
        StartWith(entry, peers, CatalogEntries.JournalId(_node.NodeId, entry), PrefetchedJournal.Empty, added);
    }

    /// <summary>Starts a torrent whose journal <paramref name="id"/> takes <paramref name="history"/> (when known) as it
    /// starts; a torrent that does not start (unusable metainfo) leaves nothing offered that no one would take.</summary>
    private void StartWith(TorrentAdded entry, IReadOnlyList<System.Net.IPEndPoint> peers, string id, PrefetchedJournal? history, TorrentMetainfo? added = null)
    {
        var handoff = JournalHandoff.Get(Context.System);
        if (history is not null)
        {
            handoff.Offer(id, history);
        }

        Start(entry, peers, added);
        if (!_torrents.ContainsKey(entry.InfoHash))
        {
            handoff.Withdraw(id);
        }
    }

    /// <summary>Every recovered torrent's journal history, or none when the store is not read in bulk (another plugin,
    /// turned off, or the read failed: then each journal reads its own, as a torrent added later does).</summary>
    private IReadOnlyDictionary<string, PrefetchedJournal> ReadHistories(IReadOnlySet<string> ids)
    {
        if (ids.Count == 0 || _restarted || !_node.Settings.Persistence.BulkRecovery || JournalPrefetch.For(Context.System.Settings.Config) is not { } prefetch)
        {
            return new Dictionary<string, PrefetchedJournal>();
        }

        var clock = Stopwatch.StartNew();
        try
        {
            // Synchronous on purpose: nothing else may run before the torrents are started (an add or a command for a
            // recovered torrent would find it missing), and the read is two queries.
            var histories = prefetch.Read($"{_node.NodeId}/{TorrentPrefix}", ids, Context.System.Serialization);
            _log.Debug("read {0} of {1} torrent journal(s) in bulk in {2} ms", histories.Count, ids.Count, clock.ElapsedMilliseconds);
            return histories;
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException)
        {
            _log.Warning("torrent journals could not be read in bulk, each reads its own: {0}", e.Message);
            return new Dictionary<string, PrefetchedJournal>();
        }
    }
}
