using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Actors.Pieces;
using Swarm.Actors.Storage;
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

/// <summary>Owns one peer connection: the wire protocol both ways, between the torrent and the socket tasks of its
/// <see cref="PeerWireChannel"/>. Two behaviours: connecting (our dial and handshake run off the actor with
/// <see cref="HandshakeExchange"/>; an accepted connection, whose handshake the listener read, passes through at once)
/// and established, where <see cref="ChokeInterest"/>, <see cref="RequestPipeline"/>, <see cref="RateMeter"/> and
/// <see cref="KeepAliveSchedule"/> decide and this actor acts. Any protocol violation throws, and the torrent's
/// supervisor stops this actor only.</summary>
public sealed class PeerConnectionActor : UntypedActor, IWithTimers
{
    private readonly PeerConnectionArgs _args;
    private readonly SwarmSettings _cfg;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly PieceSet _ours; // a copy made for this actor by the torrent
    private readonly HeldSlot _openSlot;
    private readonly HeldSlot? _connectSlot; // our dial's half-open slot, held until the handshake is done
    private readonly CancellationTokenSource _dialCancel = new();
    private PieceSet _theirs;
    private PeerWireChannel? _channel;
    private bool _fast;
    private byte _theirMetadataId; // the peer's BEP 10 id for ut_metadata (0: none), put on our answers to it
    private ChokeInterest _chokeInterest = ChokeInterest.Initial;
    private RequestPipeline _pipeline;
    private RateMeter _rates = RateMeter.Zero;
    private KeepAliveSchedule _keepAlive;

    public PeerConnectionActor(PeerConnectionArgs args)
    {
        _args = args;
        _cfg = args.Node.Settings;
        _clock = args.Node.Clock;
        _ours = args.OurPieces;
        _theirs = new PieceSet(args.Metainfo.PieceCount);
        // The torrent took these slots for us before spawning us; we give them back.
        _openSlot = args.Node.Connections.HeldOpen();
        _connectSlot = args.Accepted is null ? args.Node.Connections.HeldConnect() : null;
        _pipeline = RequestPipeline.Start(_cfg.Pipeline.InitialDepth);
        _keepAlive = KeepAliveSchedule.StartingAt(_clock.GetUtcNow());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string Who => $"torrent {_args.Metainfo.InfoHash.Hex[..8]} peer {_args.EndPoint}";

    public static Props Props(PeerConnectionArgs args) => Akka.Actor.Props.Create(() => new PeerConnectionActor(args));

    protected override void PreStart()
    {
        if (_args.Accepted is not null)
        {
            // Through the mailbox like a dial's answer, so that both kinds of connection are established the same way.
            Self.Tell(new HandshakeDone(_args.Accepted, _args.AcceptedHandshake!));
        }
        else
        {
            DialAsync().PipeTo(Self);
        }
    }

    protected override void PostStop()
    {
        _dialCancel.Cancel();
        _dialCancel.Dispose();
        _connectSlot?.Release();
        _openSlot.Release();
        if (_channel is not null)
        {
            // Final byte counts: a transfer shorter than one stats interval would otherwise never be counted.
            Context.Parent.Tell(new PeerStats(_args.Peer, _channel.Downloaded, _channel.Uploaded, 0, 0, _chokeInterest.PeerChoking));
            _ = _channel.DisposeAsync().AsTask();
        }
        else
        {
            _args.Accepted?.Dispose();
        }
    }

    /// <summary>The first behaviour: connecting.</summary>
    protected override void OnReceive(object message) => Connecting(message);

    private void Connecting(object message)
    {
        switch (message)
        {
            case HandshakeDone done:
                OnHandshakeDone(done);
                break;
            case HandshakeFailed f:
                _log.Debug("{0}: connect failed: {1}", Who, f.Reason);
                Context.Parent.Tell(new PeerClosing(_args.Peer, f.Reason));
                Context.Stop(Self);
                break;
            case WeHave h:
                _ours.Add(h.Piece); // told to the peer in our bitfield once the wire is up
                break;
            case AssignBlocks a:
                // Nothing can be requested before the peer unchokes us.
                if (a.Blocks.Count > 0)
                {
                    Context.Parent.Tell(new ReleaseBlocks(_args.Peer, a.Blocks));
                }

                break;
            case SetChoke or CancelBlocks or BlocksAvailable:
                break; // nothing on the wire to change yet
            case Disconnect d:
                Close(d.Reason);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Established(object message)
    {
        switch (message)
        {
            case MessagesArrived batch:
                try
                {
                    foreach (var m in batch.Messages)
                    {
                        Handle(m);
                    }
                }
                finally
                {
                    _channel!.BatchHandled();
                }

                _keepAlive = _keepAlive.Received(_clock.GetUtcNow());
                RequestMore();
                break;
            case AssignBlocks a:
                _pipeline = _pipeline.AskAnswered();
                SendRequests(a.Blocks);
                break;
            case CancelBlocks c:
                foreach (var b in c.Blocks)
                {
                    (_pipeline, var wasOutstanding) = _pipeline.Remove(b.Piece, b.Begin);
                    if (wasOutstanding)
                    {
                        Send(new Cancel(b.Piece, b.Begin, b.Length));
                    }
                }

                RequestMore();
                break;
            case BlocksAvailable:
                _pipeline = _pipeline.AskAnswered();
                RequestMore();
                break;
            case SetChoke s:
                SetChoking(s.Choke);
                break;
            case WeHave h:
                OnWeHave(h.Piece);
                break;
            case ConnectionTick:
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

    private async Task<object> DialAsync()
    {
        using var timeout = new CancellationTokenSource(_cfg.Peer.ConnectTimeout + _cfg.Peer.HandshakeTimeout, _clock);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _dialCancel.Token);
        try
        {
            var (socket, remote) = await HandshakeExchange.DialAsync(_args.EndPoint, OurHandshake(), either.Token).ConfigureAwait(false);
            return new HandshakeDone(socket, remote);
        }
        catch (Exception e)
        {
            return new HandshakeFailed(e is OperationCanceledException ? "timed out" : e.Message);
        }
    }

    private Handshake OurHandshake() => new(_args.Metainfo.InfoHash, _args.Node.PeerId, SupportsExtensions: true, SupportsFast: true);

    private void OnHandshakeDone(HandshakeDone done)
    {
        _connectSlot?.Release();
        var remote = done.Remote;
        if (remote.PeerId.AsSpan().SequenceEqual(_args.Node.PeerId))
        {
            done.Socket.Dispose();
            Context.Parent.Tell(new PeerClosing(_args.Peer, "connected to ourselves", Permanent: true));
            Context.Stop(Self);
            return;
        }

        _fast = remote.SupportsFast;
        _channel = new PeerWireChannel(
            done.Socket,
            Self,
            _args.Storage,
            _cfg.Peer.InboundBatchesInFlight,
            [_args.Limits.Download, _args.Node.Limits.Download],
            [_args.Limits.Upload, _args.Node.Limits.Upload]);
        Become(Established);
        if (_args.Accepted is not null)
        {
            _channel.SendRaw(OurHandshake().ToArray());
        }

        if (remote.SupportsExtensions)
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
        Timers.StartPeriodicTimer("tick", ConnectionTick.Instance, _cfg.StatsInterval);
        var client = Handshake.ClientName(remote.PeerId);
        _log.Info("{0}: connected ({1}, {2})", Who, client, _args.Accepted is null ? "outgoing" : "incoming");
        Context.Parent.Tell(new PeerConnected(_args.Peer, Convert.ToHexStringLower(remote.PeerId), client, _args.Accepted is not null));
    }

    private void Handle(PeerMessage m)
    {
        switch (m)
        {
            case KeepAlive:
                break;
            case Choke:
                _chokeInterest = _chokeInterest.WithPeerChoking(true);
                if (!_fast)
                {
                    // Without BEP 6, a choke silently discards every pending request.
                    ReleaseAllOutstanding();
                }

                break;
            case Unchoke:
                _chokeInterest = _chokeInterest.WithPeerChoking(false);
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
                    _chokeInterest = _chokeInterest.PeerGot(weHaveIt: _ours[h.Piece]);
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
                (_pipeline, var wasOutstanding) = _pipeline.Remove(r.Piece, r.Begin);
                if (wasOutstanding)
                {
                    Context.Parent.Tell(new ReleaseBlocks(_args.Peer, [new BlockRef(r.Piece, r.Begin, r.Length)]));
                }

                break;
            case Extended { ExtendedId: 0 } x:
                var hs = ExtensionHandshake.Decode(x.Payload);
                if (hs.RequestQueue is { } reqq)
                {
                    _pipeline = _pipeline.WithPeerQueueLimit(reqq);
                }

                _theirMetadataId = hs.Extensions.TryGetValue(MetadataMessage.ExtensionName, out var metadataId) ? (byte)metadataId : (byte)0;
                break;
            case Extended { ExtendedId: ExtensionHandshake.OurMetadataId } x when !_args.Metainfo.IsPrivate:
                var info = _args.Metainfo.InfoBytes;
                if (MetadataServing.Answer(MetadataMessage.Decode(x.Payload, info.Length), _theirMetadataId, info) is { } answer)
                {
                    Send(answer);
                }

                break;
            case SuggestPiece or AllowedFast or DhtPort or Extended:
                break; // understood; nothing we act on yet
        }
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
        _chokeInterest = _chokeInterest.PeerHasOnly(pieces, _ours);
        Context.Parent.Tell(new PeerPieces(_args.Peer, pieces.Clone()));
        UpdateInterest();
    }

    private void OnWeHave(int piece)
    {
        if (!_ours.Add(piece))
        {
            return;
        }

        var peerHasIt = _theirs[piece];
        if (!peerHasIt)
        {
            Send(new Have(piece)); // a peer that has the piece gains nothing from hearing that we do
        }

        _chokeInterest = _chokeInterest.WeGot(peerHasIt);
        UpdateInterest();
    }

    private void UpdateInterest()
    {
        (_chokeInterest, var say) = _chokeInterest.UpdateInterest();
        if (say is not null)
        {
            Send(say);
        }

        if (_ours.IsComplete && _theirs.IsComplete)
        {
            Close("both sides are seeds");
        }
    }

    private void SetPeerInterested(bool interested)
    {
        (_chokeInterest, var changed) = _chokeInterest.WithPeerInterested(interested);
        if (changed)
        {
            Context.Parent.Tell(new PeerInterest(_args.Peer, interested));
        }
    }

    private void SetChoking(bool choke)
    {
        (_chokeInterest, var changed) = _chokeInterest.WithAmChoking(choke);
        if (!changed)
        {
            return;
        }

        Send(choke ? Choke.Instance : Unchoke.Instance);
        if (choke)
        {
            foreach (var (piece, begin, length) in _channel!.ClearUploads())
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
        var verdict = UploadRequestRule.Judge(r, _ours[r.Piece], _args.Metainfo.PieceSize(r.Piece), _chokeInterest.AmChoking, _channel!.PendingUploads, _cfg.Peer.MaxIncomingRequests);
        if (verdict == UploadVerdict.Violation)
        {
            throw new PeerProtocolException($"request for piece {r.Piece} at {r.Begin}+{r.Length} runs past the piece");
        }

        if ((verdict == UploadVerdict.Refuse || !_channel.QueueUpload(r.Piece, r.Begin, r.Length)) && _fast)
        {
            Send(new RejectRequest(r.Piece, r.Begin, r.Length));
        }
    }

    private void OnBlock(PieceBlock p)
    {
        (_pipeline, var requested) = _pipeline.Arrived(p.Piece, p.Begin);
        if (requested is { } length && length != p.Data.Length)
        {
            throw new PeerProtocolException($"block {p.Piece}:{p.Begin} is {p.Data.Length} bytes, {length} were requested");
        }

        Context.Parent.Tell(new BlockArrived(_args.Peer, p.Piece, p.Begin, p.Data));
    }

    private void RequestMore()
    {
        (_pipeline, var ask) = _pipeline.AskForBlocks(_chokeInterest.CanRequest);
        if (ask > 0)
        {
            Context.Parent.Tell(new NeedBlocks(_args.Peer, ask));
        }
    }

    private void SendRequests(IReadOnlyList<BlockRef> blocks)
    {
        var now = _clock.GetUtcNow();
        foreach (var b in blocks)
        {
            if (_chokeInterest.PeerChoking)
            {
                Context.Parent.Tell(new ReleaseBlocks(_args.Peer, [b]));
                continue;
            }

            _pipeline = _pipeline.Sent(b, now);
            Send(new Request(b.Piece, b.Begin, b.Length));
        }
    }

    private void ReleaseAllOutstanding()
    {
        (_pipeline, var released) = _pipeline.ReleaseAll();
        if (released.Count > 0)
        {
            Context.Parent.Tell(new ReleaseBlocks(_args.Peer, released));
        }
    }

    private void OnTick()
    {
        var now = _clock.GetUtcNow();
        var (down, up) = (_channel!.Downloaded, _channel.Uploaded);
        _rates = _rates.Sample(down, up, _cfg.StatsInterval);
        _pipeline = _pipeline.Adapt(_rates.DownloadRate, _cfg.Pipeline, _cfg.Peer.BlockLength);
        (_pipeline, var expired) = _pipeline.Expire(now, _cfg.Pipeline.RequestTimeout);
        if (expired.Count > 0)
        {
            _log.Info("{0}: {1} requests timed out, giving them to other peers", Who, expired.Count);
            Context.Parent.Tell(new ReleaseBlocks(_args.Peer, expired));
        }

        switch (_keepAlive.Check(now, _cfg.Peer.IdleTimeout))
        {
            case KeepAliveDue.PeerIdle:
                Close("idle for too long");
                return;
            case KeepAliveDue.SendKeepAlive:
                Send(KeepAlive.Instance);
                break;
        }

        _pipeline = _pipeline.AskAnswered(); // a lost assignment must not stall the pipeline forever
        RequestMore();
        Context.Parent.Tell(new PeerStats(_args.Peer, down, up, _rates.DownloadRate, _rates.UploadRate, _chokeInterest.PeerChoking));
    }

    private void Send(PeerMessage message)
    {
        _keepAlive = _keepAlive.Sent(_clock.GetUtcNow());
        _channel!.Send(message);
    }

    private void Close(string reason)
    {
        _log.Info("{0}: disconnected: {1}", Who, reason);
        ReleaseAllOutstanding();
        Context.Parent.Tell(new PeerClosing(_args.Peer, reason));
        Context.Stop(Self);
    }
}
