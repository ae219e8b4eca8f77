using Akka.Actor;
using Akka.Event;
using Swarm.Actors.WebSeeds;
using static Swarm.Actors.Peers.PeerConnectionMessages;
using static Swarm.Actors.WebSeeds.WebSeedMessages;

namespace Swarm.Actors.Torrent;

// Web seeds (issue 17, BEP 19): one WebSeedActor per url-list entry while downloading. They take blocks from the
// picker like peers holding every piece, their blocks enter pieces like a peer's (named by URL, so the reputation
// judges them), and a seed the reputation bans is stopped and never started again for this torrent.
public sealed partial class TorrentActor
{
    private readonly WebSeedRegistry _webSeeds = new();
    private bool _webSeedsDroppedLogged;
    private Pieces.PieceSet? _webSeedHas;

    /// <summary>Registered by every behaviour (from <see cref="Always"/>).</summary>
    private void WebSeedReceives()
    {
        Receive<WebSeedNeedsBlocks>(OnWebSeedNeedsBlocks);
        Receive<WebSeedReport>(r => _webSeeds.Reported(r.Seed, r.Status));
    }

    private void StartWebSeeds()
    {
        var settings = _node.Settings.WebSeeds;
        if (!_webSeedsDroppedLogged)
        {
            _webSeedsDroppedLogged = true;
            foreach (var dropped in _meta.WebSeedsDropped)
            {
                _log.Warning("{0}: {1}", Tag, dropped);
            }
        }

        if (!settings.Enabled || _meta.WebSeeds.Count == 0 || _picker is null || _picker.Have.IsComplete)
        {
            return;
        }

        var http = WebSeedHttp.For(Context.System, settings).Client;
        foreach (var url in _meta.WebSeeds.Where(u => !_reputation.IsBanned(u) && !_webSeeds.IsRunning(u)))
        {
            var key = _peers.NextKey();
            var args = new WebSeedArgs(key, url, _meta, Self, _node, _node.Settings.Peer.BlockLength, http);
            _webSeeds.Add(key, url, Context.Watch(Context.ActorOf(WebSeedActor.Props(args), $"web-seed-{key}")));
        }
    }

    private void StopWebSeeds()
    {
        foreach (var (key, actor) in _webSeeds.RemoveAll())
        {
            Context.Unwatch(actor);
            Context.Stop(actor);
            _picker?.ReleaseAll(key);
        }
    }

    /// <summary>Blocks for a web seed, picked as for a peer that has every piece; none while the disk is behind or
    /// once the torrent is complete (then the seeds stop).</summary>
    private void OnWebSeedNeedsBlocks(WebSeedNeedsBlocks n)
    {
        IReadOnlyList<Pieces.BlockRef> blocks = [];
        if (_picker is { } picker && _webSeeds.TryGetUrl(n.Seed, out _))
        {
            if (picker.Have.IsComplete)
            {
                StopWebSeeds();
            }
            else if (_shown.State == TorrentState.Downloading && !_backlog.Behind)
            {
                blocks = picker.Pick(n.Seed, AllPieces(), n.Count);
            }
        }

        Sender.Tell(new BlocksAssigned(blocks));
    }

    /// <summary>What a web seed has: every piece (made once, never changed).</summary>
    private Pieces.PieceSet AllPieces()
    {
        if (_webSeedHas is null)
        {
            _webSeedHas = new Pieces.PieceSet(_meta.PieceCount);
            for (var i = 0; i < _meta.PieceCount; i++)
            {
                _webSeedHas.Add(i);
            }
        }

        return _webSeedHas;
    }

    /// <summary>A web seed's blocks are judged by its URL (it has no endpoint or peer id).</summary>
    private PieceContributor? WebSeedContributor(int key) =>
        _webSeeds.TryGetUrl(key, out var url) ? new PieceContributor(key, url) : null;

    /// <summary>True when the ban is a web seed's: it is banned by URL and stopped.</summary>
    private bool BanWebSeed(BanVerdict ban)
    {
        if (!_webSeeds.TryGetUrl(ban.Peer, out var url))
        {
            return false;
        }

        _log.Warning("{0}: banning web seed {1}: {2}", Tag, url, ban.Reason);
        _reputation = _reputation.Ban(url, null);
        if (_webSeeds.Ban(ban.Peer, ban.Reason) is { } actor)
        {
            Context.Unwatch(actor);
            Context.Stop(actor);
            _picker?.ReleaseAll(ban.Peer);
        }

        return true;
    }

    /// <summary>True when the ended child was a web seed: what it was asked for is free again.</summary>
    private bool WebSeedEnded(IActorRef actor)
    {
        if (_webSeeds.Ended(actor) is not { } key)
        {
            return false;
        }

        _picker?.ReleaseAll(key);
        return true;
    }

    private IEnumerable<(long Downloaded, long Uploaded)> WebSeedTotals() =>
        _webSeeds.Downloaded.Append(_webSeeds.EndedDownloaded).Select(d => (d, 0L));
}
