using System.Net;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Peers;
using Swarm.Actors.Pieces;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Peers.PeerConnectionMessages;
using static Swarm.Actors.Torrent.PieceMessages;
using static Swarm.Actors.Torrent.TorrentMessages;

namespace Swarm.Actors.Torrent;

// Peers: dialling and accepting connections, what peers have and want, hashed pieces judging their contributors, bans
// (the blocks themselves: TorrentActor.Blocks.cs).
public sealed partial class TorrentActor
{
    private void AddCandidates(IEnumerable<IPEndPoint> endpoints, string source)
    {
        var order = _candidates.Learnt;
        _candidates = _candidates.Add(endpoints, _reputation.IsBanned, _node.Settings.Candidates.MaxPerTorrent);
        if (_candidates.Learnt > order)
        {
            _log.Debug("{0}: {1} new peer(s) from {2} ({3} candidates)", Tag, _candidates.Learnt - order, source, _candidates.Count);
        }
    }

    /// <summary>Dials candidates whose backoff ran out, within the torrent's and the node's connection caps.</summary>
    private void ConnectMore(bool seeding)
    {
        foreach (var c in _candidates.DueForDial(Now, seeding))
        {
            if (_peers.Count >= _node.Settings.Peer.MaxConnectionsPerTorrent || !_node.Connections.TryBeginConnect())
            {
                return;
            }

            if (!_node.Connections.TryOpen())
            {
                _node.Connections.EndConnect();
                return;
            }

            _candidates = _candidates.Dialled(c.Key);
            Spawn(c.EndPoint, null, null, c.Key);
        }
    }

    private void Spawn(IPEndPoint endpoint, PeerLink? accepted, Handshake? handshake, string? candidateKey)
    {
        var key = _peers.NextKey();
        var args = new PeerConnectionArgs(key, endpoint, _meta, _storage, _picker!.Have.Clone(), _node, _limits, accepted, handshake);
        var actor = Context.Watch(Context.ActorOf(PeerConnectionActor.Props(args), TorrentChildren.Peer(key)));
        _peers.Add(key, actor, endpoint, candidateKey, _meta.PieceCount);
    }

    private void Accept(IncomingPeer p)
    {
        var refuse = _peers.Count >= _node.Settings.Peer.MaxConnectionsPerTorrent ? "torrent connection limit"
            : _reputation.IsBanned(Convert.ToHexStringLower(p.Handshake.PeerId)) ? "banned peer"
            : !_node.Connections.TryOpen() ? "node connection limit"
            : null;
        if (refuse is not null)
        {
            Refuse(p, refuse);
            return;
        }

        Spawn(p.Link.Remote, p.Link, p.Handshake, null);
    }

    private void Refuse(IncomingPeer p, string reason)
    {
        _log.Debug("{0}: refused incoming {1}: {2}", Tag, p.Link.Remote, reason);
        p.Link.Dispose();
    }

    private void OnPeerConnected(PeerConnected c)
    {
        if (!_peers.TryGet(c.Peer, out var entry))
        {
            return;
        }

        entry.PeerId = c.PeerIdHex;
        entry.Client = c.Client;
        entry.Incoming = c.Incoming;
        entry.Transport = c.Transport;
        entry.Encrypted = c.Encrypted;
        entry.Connected = true;
        if (_reputation.IsBanned(c.PeerIdHex))
        {
            entry.Ref.Tell(new Disconnect("banned"));
        }
        else if (_peers.HasOtherConnectionTo(entry, c.PeerIdHex))
        {
            entry.Ref.Tell(new Disconnect("already connected to this peer"));
        }
        else if (entry.CandidateKey is { } key)
        {
            _candidates = _candidates.Connected(key);
        }
    }

    private void OnPeerPieces(PeerPieces p)
    {
        if (_peers.TryGet(p.Peer, out var entry))
        {
            _picker?.PeerGone(entry.Has);
            entry.Has = p.Pieces;
            _picker?.PeerHasAll(p.Pieces);
            if (entry.CandidateKey is { } key)
            {
                _candidates = _candidates.PiecesSeen(key, p.Pieces.IsComplete);
            }
        }
    }

    private void OnPeerHaves(PeerHaves h)
    {
        if (!_peers.TryGet(h.Peer, out var entry))
        {
            return;
        }

        foreach (var piece in h.Pieces)
        {
            if (entry.Has.Add(piece))
            {
                _picker?.PeerHas(piece);
            }
        }
    }

    private PeerEntry? OnPeerInterest(PeerInterest i)
    {
        if (!_peers.TryGet(i.Peer, out var entry))
        {
            return null;
        }

        entry.Interested = i.Interested;
        return entry;
    }

    /// <summary>Don't make a newly interested peer wait for the next rechoke when a slot is free.</summary>
    private void UnchokeNewcomer(PeerEntry? entry)
    {
        if (entry is { Interested: true, Unchoked: false } && _peers.UnchokedCount < _choker.TotalSlots)
        {
            entry.Unchoked = true;
            entry.Ref.Tell(new SetChoke(false));
        }
    }

    private void DoRechoke(bool rotate, bool seeding)
    {
        var candidates = _peers.Established
            .Select(p => new ChokeCandidate(p.Key, p.Interested, p.Has.IsComplete, p.Stats?.DownloadRate ?? 0, p.Stats?.UploadRate ?? 0))
            .ToList();
        var unchoke = _choker.Rechoke(candidates, seeding, rotate);
        foreach (var p in _peers.Established)
        {
            var open = unchoke.Contains(p.Key);
            if (open != p.Unchoked)
            {
                p.Unchoked = open;
                p.Ref.Tell(new SetChoke(!open));
            }
        }
    }

    private void OnPieceHashed(PieceHashed h)
    {
        if (_pieceActors.Remove(h.Piece, out var actor))
        {
            _pieceByRef.Remove(actor);
        }
        else if (_groups.Grouped)
        {
            GroupPieceHashed(h.Piece, h.Valid); // TorrentActor.SmallPieces.cs
        }

        // Every contributor is judged, connected or not: a peer that sent a bad block and left must not leave the
        // blame (or a "failed alone") to the honest peer that stayed.
        (_reputation, var bans) = _reputation.PieceHashed(h.Valid, h.Contributors);
        if (h.Valid)
        {
            _backlog = _backlog.Queued(_meta.PieceSize(h.Piece));
            return; // verified once storage confirms the write
        }

        _picker?.PieceFailed(h.Piece);
        _log.Warning("{0}: piece {1} failed its hash check (blocks from {2} peer(s))", Tag, h.Piece, h.Contributors.Count);
        foreach (var ban in bans)
        {
            if (BanWebSeed(ban))
            {
                continue; // issue 17
            }

            if (_peers.TryGet(ban.Peer, out var entry))
            {
                if (!entry.Banned)
                {
                    Ban(entry, ban.Reason);
                }
            }
            else if (h.Contributors.FirstOrDefault(c => c.Peer == ban.Peer) is { EndPoint: not null } gone)
            {
                _log.Warning("{0}: banning peer {1} (gone): {2}", Tag, gone.EndPoint, ban.Reason);
                _reputation = _reputation.Ban(gone.EndPoint, gone.PeerId);
                _candidates = _candidates.Remove(gone.EndPoint);
            }
        }
    }

    /// <summary>The connection dropped too many blocks we never asked that peer for, and is closing.</summary>
    private void OnPeerMisbehaved(PeerMisbehaved m)
    {
        if (_peers.TryGet(m.Peer, out var entry) && !entry.Banned)
        {
            Ban(entry, m.Reason);
        }
    }

    private void Ban(PeerEntry entry, string reason)
    {
        var ep = entry.EndPoint.ToString();
        _log.Warning("{0}: banning peer {1} ({2}): {3}", Tag, ep, entry.Client, reason);
        _reputation = _reputation.Ban(ep, entry.PeerId);
        _candidates = _candidates.Remove(ep);
        entry.Banned = true;
        entry.Ref.Tell(new Disconnect(reason));
    }

    private void OnPeerStats(PeerStats s)
    {
        if (_peers.TryGet(s.Peer, out var p))
        {
            p.Stats = s;
        }
        else
        {
            _totals = _totals.LateCounts(s.Peer, s.Downloaded, s.Uploaded);
        }
    }

    private void OnPeerClosing(PeerClosing c)
    {
        if (c.Permanent && _peers.TryGet(c.Peer, out var p) && p.CandidateKey is { } key)
        {
            _candidates = _candidates.Ignore(key);
        }
    }

    /// <summary>Bookkeeping for a child that ended; returns the connection if it was one.</summary>
    private PeerEntry? OnTerminated(Terminated t)
    {
        if (_peers.Remove(t.ActorRef) is { } entry)
        {
            _picker?.ReleaseAll(entry.Key);
            _picker?.PeerGone(entry.Has);
            _totals = _totals.PeerClosed(entry.Key, entry.Stats?.Downloaded ?? 0, entry.Stats?.Uploaded ?? 0, entry.Connected);
            if (entry.CandidateKey is { } key)
            {
                _candidates = _candidates.Closed(key, Now, _node.Settings.Peer.RetryFailedAfter);
            }

            return entry;
        }

        if (WebSeedEnded(t.ActorRef))
        {
            return null; // issue 17
        }

        if (_groupByRef.Remove(t.ActorRef, out var group))
        {
            // A group actor that died: the pieces it was sent and never reported are wanted again.
            _groupActors.Remove(group);
            foreach (var sent in _groups.Close(group))
            {
                _picker?.PieceFailed(sent);
            }
        }
        else if (_pieceByRef.Remove(t.ActorRef, out var piece))
        {
            // A piece actor that died before reporting: its blocks are wanted again.
            _pieceActors.Remove(piece);
            _picker?.PieceFailed(piece);
        }
        else if (t.ActorRef.Equals(_storageActor))
        {
            Fail("storage stopped unexpectedly");
        }

        return null;
    }
}
