using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Pieces;
using Swarm.Actors.Storage;
using Swarm.Protocol;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Peers;

/// <summary>Everything a connection actor needs; <see cref="Accepted"/> is set for incoming connections,
/// whose handshake the listener already read.</summary>
public sealed record PeerConnectionArgs(
    int Peer,
    IPEndPoint EndPoint,
    TorrentMetainfo Metainfo,
    TorrentStorage Storage,
    PieceSet OurPieces,
    NodeContext Node,
    TransferLimits Limits,
    Socket? Accepted = null,
    Handshake? AcceptedHandshake = null);

/// <summary>Owns one peer connection: its protocol state (choke/interest on both sides, the peer's pieces,
/// our outstanding requests and its requests to us) and the socket tasks. Any protocol violation throws,
/// and the torrent's supervisor stops this actor only.</summary>
public sealed class PeerConnectionActor : UntypedActor, IWithTimers
{
    private readonly PeerConnectionArgs _args;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<(int Piece, int Begin), (int Length, DateTime Sent)> _outstanding = [];
    private readonly PieceSet _ours;
    private readonly Configuration.SwarmSettings _cfg;
    private PieceSet _theirs;
    private PeerWireChannel? _channel;
    private Handshake? _remote;
    private bool _fast;
    private bool _amChoking = true;
    private bool _amInterested;
    private bool _peerChoking = true;
    private bool _peerInterested;
    private bool _awaitingBlocks;
    private int _interestingCount;
    private int _depth;
    private int _peerQueueLimit = int.MaxValue;

    /// <summary>Our BEP 10 id for ut_metadata (what peers put on their metadata messages to us), and theirs.</summary>
    private byte _peerMetadataId;
    private long _lastDownloaded;
    private long _lastUploaded;
    private double _downRate;
    private double _upRate;
    private DateTime _lastReceived = DateTime.UtcNow;
    private DateTime _lastSent = DateTime.UtcNow;
    private bool _halfOpen;
    private bool _counted;

    public PeerConnectionActor(PeerConnectionArgs args)
    {
        _args = args;
        _ours = args.OurPieces; // a copy made for this actor by the torrent
        _theirs = new PieceSet(args.Metainfo.PieceCount);
        _cfg = args.Node.Settings;
        _depth = _cfg.Pipeline.InitialDepth;
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string Who => $"torrent {_args.Metainfo.InfoHash.Hex[..8]} peer {_args.EndPoint}";

    public static Props Props(PeerConnectionArgs args) => Akka.Actor.Props.Create(() => new PeerConnectionActor(args));

    protected override void PreStart()
    {
        _counted = true; // the torrent reserved a node-wide connection slot for us
        if (_args.Accepted is not null)
        {
            Self.Tell(new Established(_args.Accepted, _args.AcceptedHandshake!));
        }
        else
        {
            _halfOpen = true;
            ConnectAsync().PipeTo(Self);
        }
    }

    protected override void PostStop()
    {
        if (_halfOpen)
        {
            _args.Node.Connections.EndConnect();
        }

        if (_counted)
        {
            _args.Node.Connections.Close();
        }

        if (_channel is not null)
        {
            // Final byte counts: a transfer shorter than one stats interval would otherwise never be counted.
            Context.Parent.Tell(new PeerStats(_args.Peer, _channel.Downloaded, _channel.Uploaded, 0, 0, _amInterested, _peerChoking, 0));
            _ = _channel.DisposeAsync().AsTask();
        }
        else
        {
            _args.Accepted?.Dispose();
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Established e:
                OnEstablished(e);
                break;
            case EstablishFailed f:
                _log.Debug("{0}: connect failed: {1}", Who, f.Reason);
                Context.Parent.Tell(new PeerClosing(_args.Peer, f.Reason));
                Context.Stop(Self);
                break;
            case Inbound batch:
                try
                {
                    foreach (var m in batch.Messages)
                    {
                        Handle(m);
                    }
                }
                finally
                {
                    _channel?.BatchHandled();
                }

                _lastReceived = DateTime.UtcNow;
                RequestMore();
                break;
            case AssignBlocks a:
                _awaitingBlocks = false;
                SendRequests(a.Blocks);
                break;
            case CancelBlocks c:
                foreach (var b in c.Blocks)
                {
                    if (_outstanding.Remove((b.Piece, b.Begin)))
                    {
                        Send(new Cancel(b.Piece, b.Begin, b.Length));
                    }
                }

                RequestMore();
                break;
            case BlocksAvailable:
                _awaitingBlocks = false;
                RequestMore();
                break;
            case SetChoke s:
                SetChoking(s.Choke);
                break;
            case WeHave h:
                if (_ours.Add(h.Piece))
                {
                    if (_theirs[h.Piece])
                    {
                        _interestingCount--;
                    }
                    else
                    {
                        Send(new Have(h.Piece));
                    }

                    UpdateInterest();
                }

                break;
            case Tick:
                OnTick();
                break;
            case ReaderStopped r:
                Close(r.Error is null ? "peer closed the connection" : Describe(r.Error));
                break;
            case WriterStopped w:
                Close(w.Error is null ? "write side closed" : Describe(w.Error));
                break;
            case Disconnect d:
                Close(d.Reason);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private static string Describe(Exception e) => e is PeerProtocolException ? $"protocol violation: {e.Message}" : e.Message;

    private async Task<object> ConnectAsync()
    {
        var socket = new Socket(_args.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(_cfg.Peer.ConnectTimeout + _cfg.Peer.HandshakeTimeout);
        try
        {
            await socket.ConnectAsync(_args.EndPoint, cts.Token).ConfigureAwait(false);
            await socket.SendAsync(OurHandshake().ToArray(), cts.Token).ConfigureAwait(false);
            var buffer = new byte[Handshake.Length];
            var got = 0;
            while (got < buffer.Length)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(got), cts.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException("connection closed during the handshake");
                }

                got += n;
            }

            var remote = Handshake.Parse(buffer);
            if (!remote.InfoHash.Equals(_args.Metainfo.InfoHash))
            {
                throw new PeerProtocolException("peer answered for another torrent");
            }

            return new Established(socket, remote);
        }
        catch (Exception e)
        {
            socket.Dispose();
            return new EstablishFailed(e is OperationCanceledException ? "timed out" : e.Message);
        }
    }

    private Handshake OurHandshake() => new(_args.Metainfo.InfoHash, _args.Node.PeerId, SupportsExtensions: true, SupportsFast: true);

    private void OnEstablished(Established e)
    {
        if (_halfOpen)
        {
            _halfOpen = false;
            _args.Node.Connections.EndConnect();
        }

        _remote = e.Remote;
        if (e.Remote.PeerId.AsSpan().SequenceEqual(_args.Node.PeerId))
        {
            e.Socket.Dispose();
            Context.Parent.Tell(new PeerClosing(_args.Peer, "connected to ourselves", Permanent: true));
            Context.Stop(Self);
            return;
        }

        _fast = e.Remote.SupportsFast;
        _channel = new PeerWireChannel(
            e.Socket,
            Self,
            _args.Storage,
            _cfg.Peer.InboundBatchesInFlight,
            [_args.Limits.Download, _args.Node.Limits.Download],
            [_args.Limits.Upload, _args.Node.Limits.Upload]);
        if (_args.Accepted is not null)
        {
            _channel.SendRaw(OurHandshake().ToArray());
        }

        if (e.Remote.SupportsExtensions)
        {
            // Metadata is served for magnet links (BEP 9), except for private torrents (BEP 27: their metadata stays
            // with the peers of their own trackers, who have the .torrent).
            var servesMetadata = !_args.Metainfo.IsPrivate;
            var ext = ExtensionHandshake.Ours(servesMetadata, _args.Node.ListenPort, servesMetadata ? _args.Metainfo.InfoBytes.Length : null, _cfg.Peer.MaxIncomingRequests);
            Send(new Extended(0, ext.Encode()));
        }

        if (_fast && _ours.Count == 0)
        {
            Send(HaveNone.Instance);
        }
        else if (_fast && _ours.IsComplete)
        {
            Send(HaveAll.Instance);
        }
        else if (_ours.Count > 0)
        {
            Send(new Bitfield(_ours.ToBytes()));
        }

        var limits = new PeerWireLimits(_cfg.Peer.MaxBlockLength, _args.Metainfo.PieceCount, _cfg.Peer.MaxExtendedLength);
        _channel.Start(limits, _cfg.Peer.InboundBatchSize);
        Timers.StartPeriodicTimer("tick", Tick.Instance, _args.Node.Settings.StatsInterval);
        var client = Handshake.ClientName(e.Remote.PeerId);
        _log.Info("{0}: connected ({1}, {2})", Who, client, _args.Accepted is null ? "outgoing" : "incoming");
        Context.Parent.Tell(new PeerConnected(_args.Peer, _args.EndPoint, Convert.ToHexStringLower(e.Remote.PeerId), client, _args.Accepted is not null));
    }

    private void Handle(PeerMessage m)
    {
        switch (m)
        {
            case KeepAlive:
                break;
            case Choke:
                _peerChoking = true;
                if (!_fast)
                {
                    // Without BEP 6, a choke silently discards every pending request.
                    ReleaseAllOutstanding();
                }

                break;
            case Unchoke:
                _peerChoking = false;
                break;
            case Interested:
                SetPeerInterested(true);
                break;
            case NotInterested:
                SetPeerInterested(false);
                break;
            case Have h:
                if (_theirs.Add(h.Piece))
                {
                    if (!_ours[h.Piece])
                    {
                        _interestingCount++;
                    }

                    Context.Parent.Tell(new PeerHave(_args.Peer, h.Piece));
                    UpdateInterest();
                }

                break;
            case Bitfield b:
                SetPieces(PieceSet.FromBytes(b.Bits, _args.Metainfo.PieceCount));
                break;
            case HaveAll:
                RequireFast(m);
                SetPieces(PieceSet.Full(_args.Metainfo.PieceCount));
                break;
            case HaveNone:
                RequireFast(m);
                SetPieces(new PieceSet(_args.Metainfo.PieceCount));
                break;
            case Request r:
                OnRequest(r);
                break;
            case Cancel c:
                _channel!.CancelUpload(c.Piece, c.Begin, c.Length);
                break;
            case PieceBlock p:
                OnBlock(p);
                break;
            case RejectRequest r:
                RequireFast(m);
                if (_outstanding.Remove((r.Piece, r.Begin)))
                {
                    Context.Parent.Tell(new ReleaseBlocks(_args.Peer, [new BlockRef(r.Piece, r.Begin, r.Length)]));
                }

                break;
            case Extended { ExtendedId: 0 } x:
                var hs = ExtensionHandshake.Decode(x.Payload);
                if (hs.RequestQueue is { } reqq)
                {
                    _peerQueueLimit = reqq;
                }

                _peerMetadataId = hs.Extensions.TryGetValue(MetadataMessage.ExtensionName, out var metadataId) ? (byte)metadataId : (byte)0;
                break;
            case Extended { ExtendedId: ExtensionHandshake.OurMetadataId } x when !_args.Metainfo.IsPrivate:
                OnMetadataMessage(MetadataMessage.Decode(x.Payload, _args.Metainfo.InfoBytes.Length));
                break;
            case SuggestPiece or AllowedFast or DhtPort or Extended:
                break; // understood; nothing we act on yet
        }
    }

    /// <summary>A peer that came with a magnet link asks for a piece of our info dictionary.</summary>
    private void OnMetadataMessage(MetadataMessage m)
    {
        if (m.Type != MetadataMessageType.Request || _peerMetadataId == 0)
        {
            return; // we never ask peers of a torrent we already have for metadata
        }

        var info = _args.Metainfo.InfoBytes;
        var reply = m.Piece < MetadataMessage.PieceCount(info.Length) ? MetadataMessage.DataOf(info, m.Piece) : MetadataMessage.Reject(m.Piece);
        Send(new Extended(_peerMetadataId, reply.Encode()));
    }

    private void RequireFast(PeerMessage m)
    {
        if (!_fast)
        {
            throw new PeerProtocolException($"{m.GetType().Name} sent without the fast extension");
        }
    }

    /// <summary>BEP 3 wants the bitfield first, but aria2 sends HaveNone and later whole bitfields as it progresses:
    /// a later one simply replaces what we know of the peer.</summary>
    private void SetPieces(PieceSet pieces)
    {
        _theirs = pieces;
        _interestingCount = 0;
        foreach (var i in pieces.Indices())
        {
            if (!_ours[i])
            {
                _interestingCount++;
            }
        }

        Context.Parent.Tell(new PeerPieces(_args.Peer, pieces.Clone()));
        UpdateInterest();
    }

    private void UpdateInterest()
    {
        var want = _interestingCount > 0;
        if (want != _amInterested)
        {
            _amInterested = want;
            Send(want ? Interested.Instance : NotInterested.Instance);
        }

        if (_ours.IsComplete && _theirs.IsComplete)
        {
            Close("both sides are seeds");
        }
    }

    private void SetPeerInterested(bool interested)
    {
        if (_peerInterested != interested)
        {
            _peerInterested = interested;
            Context.Parent.Tell(new PeerInterest(_args.Peer, interested));
        }
    }

    private void SetChoking(bool choke)
    {
        if (choke == _amChoking || _channel is null)
        {
            return;
        }

        _amChoking = choke;
        Send(choke ? Choke.Instance : Unchoke.Instance);
        if (choke)
        {
            foreach (var (piece, begin, length) in _channel.ClearUploads())
            {
                if (_fast)
                {
                    Send(new RejectRequest(piece, begin, length));
                }
            }
        }
    }

    private void OnRequest(Request r)
    {
        var valid = r.Piece < _args.Metainfo.PieceCount && _ours[r.Piece]
            && (long)r.Begin + r.Length <= _args.Metainfo.PieceSize(r.Piece);
        if (!valid && _ours[r.Piece])
        {
            throw new PeerProtocolException($"request for piece {r.Piece} at {r.Begin}+{r.Length} runs past the piece");
        }

        if (_amChoking || !valid || _channel!.PendingUploads >= _cfg.Peer.MaxIncomingRequests || !_channel.QueueUpload(r.Piece, r.Begin, r.Length))
        {
            if (_fast)
            {
                Send(new RejectRequest(r.Piece, r.Begin, r.Length));
            }
        }
    }

    private void OnBlock(PieceBlock p)
    {
        if (_outstanding.Remove((p.Piece, p.Begin), out var req) && req.Length != p.Data.Length)
        {
            throw new PeerProtocolException($"block {p.Piece}:{p.Begin} is {p.Data.Length} bytes, {req.Length} were requested");
        }

        // Blocks that arrive after a choke or cancel still count: the torrent drops them if no longer needed.
        Context.Parent.Tell(new BlockArrived(_args.Peer, p.Piece, p.Begin, p.Data));
    }

    private void RequestMore()
    {
        if (_channel is null || _peerChoking || !_amInterested || _awaitingBlocks)
        {
            return;
        }

        var room = Math.Min(_depth, _peerQueueLimit) - _outstanding.Count;
        // Ask in chunks, not block by block: one round trip to the torrent per quarter of the pipeline.
        if (room >= Math.Max(1, Math.Min(_depth, _peerQueueLimit) / 4))
        {
            _awaitingBlocks = true;
            Context.Parent.Tell(new NeedBlocks(_args.Peer, room));
        }
    }

    private void SendRequests(IReadOnlyList<BlockRef> blocks)
    {
        var now = DateTime.UtcNow;
        foreach (var b in blocks)
        {
            if (_peerChoking)
            {
                Context.Parent.Tell(new ReleaseBlocks(_args.Peer, [b]));
                continue;
            }

            _outstanding[(b.Piece, b.Begin)] = (b.Length, now);
            Send(new Request(b.Piece, b.Begin, b.Length));
        }
    }

    private void ReleaseAllOutstanding()
    {
        if (_outstanding.Count == 0)
        {
            return;
        }

        var blocks = _outstanding.Select(kv => new BlockRef(kv.Key.Piece, kv.Key.Begin, kv.Value.Length)).ToList();
        _outstanding.Clear();
        Context.Parent.Tell(new ReleaseBlocks(_args.Peer, blocks));
    }

    private void OnTick()
    {
        if (_channel is null)
        {
            return;
        }

        var now = DateTime.UtcNow;
        var seconds = _args.Node.Settings.StatsInterval.TotalSeconds;
        var down = _channel.Downloaded;
        var up = _channel.Uploaded;
        _downRate = (_downRate * 0.5) + ((down - _lastDownloaded) / seconds * 0.5);
        _upRate = (_upRate * 0.5) + ((up - _lastUploaded) / seconds * 0.5);
        _lastDownloaded = down;
        _lastUploaded = up;

        // Keep enough requests in flight to cover `seconds-of-data` at the measured rate.
        var wanted = (int)(_downRate * _cfg.Pipeline.SecondsOfData / _cfg.Peer.BlockLength);
        _depth = Math.Clamp(Math.Max(wanted, _depth / 2), _cfg.Pipeline.MinDepth, _cfg.Pipeline.MaxDepth);

        var expired = _outstanding.Where(kv => now - kv.Value.Sent > _cfg.Pipeline.RequestTimeout).ToList();
        if (expired.Count > 0)
        {
            foreach (var kv in expired)
            {
                _outstanding.Remove(kv.Key);
            }

            _log.Info("{0}: {1} requests timed out, giving them to other peers", Who, expired.Count);
            Context.Parent.Tell(new ReleaseBlocks(_args.Peer, expired.Select(kv => new BlockRef(kv.Key.Piece, kv.Key.Begin, kv.Value.Length)).ToList()));
        }

        if (now - _lastReceived > _cfg.Peer.IdleTimeout)
        {
            Close("idle for too long");
            return;
        }

        if (now - _lastSent > _cfg.Peer.IdleTimeout / 2)
        {
            Send(KeepAlive.Instance);
        }

        _awaitingBlocks = false; // a lost assignment must not stall the pipeline forever
        RequestMore();
        Context.Parent.Tell(new PeerStats(_args.Peer, down, up, _downRate, _upRate, _amInterested, _peerChoking, _outstanding.Count));
    }

    private void Send(PeerMessage message)
    {
        _lastSent = DateTime.UtcNow;
        _channel?.Send(message);
    }

    private void Close(string reason)
    {
        _log.Info("{0}: disconnected: {1}", Who, reason);
        ReleaseAllOutstanding();
        Context.Parent.Tell(new PeerClosing(_args.Peer, reason));
        Context.Stop(Self);
    }
}
