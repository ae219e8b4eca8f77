using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Swarm.Actors.Persistence;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Magnet;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.Catalog.CatalogMessages;

namespace Swarm.Actors.Catalog;

/// <summary>The catalog's magnet links: one fetcher child per link until its metadata arrives, then a torrent like any
/// other (<see cref="MagnetResolved"/>).</summary>
public sealed partial class CatalogActor
{
    private void OnAddMagnet(AddMagnet m)
    {
        var hash = m.Magnet.InfoHash.Hex;
        if (_state.Torrents.TryGetValue(hash, out var known))
        {
            OnAdd(new AddTorrent(PieceLayers.Attach(MetainfoParser.ParseInfoDictionary(known.InfoDictionary, m.Magnet.InfoHash), known.PieceLayers), m.SavePath, m.Options), Sender);
            return;
        }

        if (_state.Magnets.TryGetValue(hash, out var pending) && m.Keep && string.Equals(pending.SavePath, m.SavePath, StringComparison.Ordinal))
        {
            Sender.Tell(new MagnetPending(hash, _index.NameOf(hash), pending.SavePath));
            return;
        }

        if (pending is not null || _fetching.ContainsKey(hash))
        {
            Sender.Tell(new AddTorrentRejected($"the metadata of {hash[..8]} is already being fetched{(pending is null ? string.Empty : $", saving to {pending.SavePath}")}"));
            return;
        }

        if (!m.Keep)
        {
            _log.Info("magnet {0}: fetching metadata from peers", hash[..8]);
            Fetch(m.Magnet, m.SavePath, m.Options, Sender, keep: false);
            return;
        }

        var sender = Sender;
        PersistApplied(new MagnetAdded(hash, m.Magnet.ToString(), m.SavePath), e =>
        {
            StartMagnet(e);
            _log.Info("magnet {0} ({1}) added, fetching its metadata; saving to {2}", hash[..8], _index.NameOf(hash), e.SavePath);
            sender.Tell(new MagnetPending(hash, _index.NameOf(hash), e.SavePath));
        });
    }

    /// <summary>Fetches a journaled magnet's metadata until it comes (nobody waits for the answer: the torrent shows up
    /// in the catalog).</summary>
    private void StartMagnet(MagnetAdded entry)
    {
        MagnetLink link;
        try
        {
            link = MagnetLink.Parse(entry.Link);
        }
        catch (FormatException e)
        {
            _log.Error("magnet {0} in the journal is unusable: {1}", entry.InfoHash, e.Message);
            return;
        }

        _index = _index.WithMagnet(entry.InfoHash, link.DisplayName ?? entry.InfoHash);
        Fetch(link, entry.SavePath, new TorrentOptions(), ActorRefs.Nobody, keep: true);
    }

    private void Fetch(MagnetLink link, string savePath, TorrentOptions options, IActorRef requester, bool keep)
    {
        // Numbered: a magnet removed and added again starts while its old actor still stops.
        var actor = Context.ActorOf(
            Magnet.MagnetActor.Props(link, savePath, options, _node, requester, keep),
            $"{MagnetPrefix}{link.InfoHash.Hex}-{++_magnetActors}");
        Context.Watch(actor);
        _fetching[link.InfoHash.Hex] = actor;
    }

    private void StopMagnet(string hash)
    {
        if (_fetching.Remove(hash, out var actor))
        {
            Context.Stop(actor);
        }
    }

    private void RemoveMagnet(string hash, IActorRef replyTo) =>
        PersistApplied(new TorrentRemoved(hash), e =>
        {
            _index = _index.Without(e.InfoHash);
            StopMagnet(e.InfoHash);
            _log.Info("magnet {0} removed before its metadata came", e.InfoHash[..8]);
            replyTo.Tell(new RemoveTorrentReply(e.InfoHash));
        });
}
