using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Actors.Pieces;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Peers;

/// <summary>Owns one peer connection: the wire protocol both ways, between the torrent and the socket tasks of its
/// <see cref="PeerWireChannel"/>. Two behaviours: connecting (our dial and handshake run off the actor with
/// <see cref="HandshakeExchange"/>; an accepted connection, whose handshake the listener read, passes through at once)
/// and established, where <see cref="PeerWireState"/> decides and this actor acts. Any protocol violation throws, and
/// the torrent's supervisor stops this actor only.</summary>
public sealed partial class PeerConnectionActor : UntypedActor, IWithTimers
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
    private PeerLink? _link; // issue 14 (footprint): asked for its round trip at each tick
    private PeerWireState _state;
    private RequestAllowance _metadataRequests; // hardening: ut_metadata requests this peer may still make
    private RequestAllowance _refusedRequests; // hardening: requests we may still refuse before giving up on the peer
    private List<BlockArrived>? _arrived; // issue 14: vetted blocks of the batch in hand, told to the torrent at its end
    private List<int>? _haves; // issue 14: pieces the peer announced in the batch in hand, likewise
    private bool _closed;

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
        _state = PeerWireState.Start(args.Peer, _cfg.Pipeline.InitialDepth, _clock.GetUtcNow(), _cfg.ReceivedBlocks.GivenUpRemembered);
        (_metadataRequests, _refusedRequests) = Allowances(_cfg.PeerHardening, args.Metainfo.InfoBytes.Length, _clock.GetUtcNow());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string Who => $"torrent {_args.Metainfo.InfoHash.Hex[..8]} peer {_args.EndPoint}";

    private bool BothSeeds => _ours.IsComplete && _theirs.IsComplete;

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
            Context.Parent.Tell(new PeerStats(_args.Peer, _channel.Downloaded, _channel.Uploaded, 0, 0, _state.Flags.PeerChoking));
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
                foreach (var piece in h.Pieces)
                {
                    _ours.Add(piece); // told to the peer in our bitfield once the wire is up
                }

                break;
            case PieceLayersKnown or AskHashes:
                OnHashCommand(message, connected: false);
                break;
            case BlocksAssigned a:
                Release(a.Blocks); // nothing can be requested before the peer unchokes us
                break;
            case SetChoke or CancelBlocks or BlocksAvailable or PexSnapshot:
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
                    HandleAll(batch.Messages);
                }
                finally
                {
                    // The batch's accepted requests go to the write loop together (issue 14: one queue item per batch).
                    _channel!.FlushUploads();
                    TellArrived();
                    _channel.BatchHandled();
                }

                Apply(_state.BatchHandled(_clock.GetUtcNow()));
                break;
            case BlocksAssigned a:
                Apply(_state.Assigned(a.Blocks, _clock.GetUtcNow()));
                break;
            case CancelBlocks c:
                Apply(_state.Cancelled(c.Blocks));
                break;
            case BlocksAvailable:
                Apply(_state.BlocksAvailable());
                break;
            case SetChoke s:
                SetChoking(s.Choke);
                break;
            case PexSnapshot p:
                OnPexSnapshot(p);
                break;
            case PieceLayersKnown or AskHashes:
                OnHashCommand(message, connected: true);
                break;
            case WeHave h:
                OnWeHave(h.Pieces);
                break;
            case ConnectionTick:
                var (next, reaction) = _state.Tick(_clock.GetUtcNow(), _channel!.Downloaded, _channel.Uploaded, _cfg, _link?.RoundTrip());
                if (reaction.Released.Count > 0)
                {
                    _log.Info("{0}: {1} requests timed out, giving them to other peers", Who, reaction.Released.Count);
                }

                Apply((next, reaction));
                break;
            case ReaderStopped r:
                Close(r.Error is null ? "peer closed the connection" : Describe(r.Error));
                break;
            case WriterStopped w:
                Close(w.Error is null ? "write side closed" : Describe(w.Error));
                break;
            case SendQueueFull full:
                Close($"not reading: {full.QueuedBytes} bytes queued to it (the send queue's bound, peer-hardening.max-send-queue, or the node's send-budget)");
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
            var (link, remote) = await HandshakeExchange.DialAsync(_args.Node.Dialer, _args.EndPoint, OurHandshake(), either.Token).ConfigureAwait(false);
            return new HandshakeDone(link, remote);
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
            done.Link.Dispose();
            Context.Parent.Tell(new PeerClosing(_args.Peer, "connected to ourselves", Permanent: true));
            Context.Stop(Self);
            return;
        }

        _state = _state with { Fast = remote.SupportsFast };
        _channel = new PeerWireChannel(
            done.Link,
            Self,
            _args.Storage,
            _cfg.Peer.InboundBatchesInFlight,
            [_args.Limits.Download, _args.Node.Limits.Download],
            [_args.Limits.Upload, _args.Node.Limits.Upload],
            _args.Node.SendBudget);
        _link = done.Link;
        Become(Established);
        if (_args.Accepted is not null)
        {
            _channel.SendRaw(OurHandshake().ToArray());
        }

        foreach (var opening in ConnectionOpening.Messages(remote, _ours, _args.Metainfo, _args.Node.ListenPort, _cfg.Peer.MaxIncomingRequests, PexOn))
        {
            Send(opening);
        }

        var limits = new PeerWireLimits(_cfg.Peer.MaxBlockLength, _args.Metainfo.PieceCount, _cfg.Peer.MaxExtendedLength);
        _channel.Start(limits, _cfg.Peer.InboundBatchSize);
        Timers.StartPeriodicTimer("tick", ConnectionTick.Instance, _cfg.StatsInterval);
        var client = Handshake.ClientName(remote.PeerId);
        _log.Info("{0}: connected ({1}, {2}, {3}{4})", Who, client, _args.Accepted is null ? "outgoing" : "incoming", done.Link.TransportName, done.Link.Encrypted ? ", encrypted" : "");
        Context.Parent.Tell(new PeerConnected(_args.Peer, Convert.ToHexStringLower(remote.PeerId), client, _args.Accepted is not null)
        {
            Transport = done.Link.TransportName,
            Encrypted = done.Link.Encrypted,
        });
    }

    private void Handle(PeerMessage m)
    {
        switch (m)
        {
            case Choke:
                Apply(_state.PeerChoked());
                break;
            case Unchoke:
                _state = _state.PeerUnchoked();
                break;
            case Interested or NotInterested:
                Apply(_state.PeerInterestIs(m is Interested));
                break;
            case Have h:
                if (_theirs.Add(h.Piece))
                {
                    Apply(_state.PeerGot(h.Piece, weHaveIt: _ours[h.Piece], BothSeeds));
                }

                break;
            case Bitfield b:
                SetPieces(PieceSet.FromBytes(b.Bits, _args.Metainfo.PieceCount));
                break;
            case HaveAll:
                _state.RequireFast(m);
                SetPieces(PieceSet.Full(_args.Metainfo.PieceCount));
                break;
            case HaveNone:
                _state.RequireFast(m);
                SetPieces(new PieceSet(_args.Metainfo.PieceCount));
                break;
            case Request r:
                OnRequest(r);
                break;
            case Cancel c:
                _channel!.CancelUpload(c.Piece, c.Begin, c.Length);
                break;
            case PieceBlock p:
                OnBlocks([p]);
                break;
            case RejectRequest r:
                Apply(_state.Rejected(r));
                break;
            case Extended { ExtendedId: 0 } x:
                var extensions = ExtensionHandshake.Decode(x.Payload);
                _state = _state.ExtensionHandshakeIs(extensions);
                OnExtensionHandshakeForPex(extensions);
                break;
            case Extended { ExtendedId: ExtensionHandshake.OurPexId } x:
                OnPexMessage(x);
                break;
            case Extended { ExtendedId: ExtensionHandshake.OurMetadataId } x when !_args.Metainfo.IsPrivate:
                OnMetadataMessage(x);
                break;
            case HashRequest or HashesReply or HashReject:
                OnHashMessage(m);
                break;
            case KeepAlive or SuggestPiece or AllowedFast or DhtPort or Extended:
                break; // understood; nothing we act on yet
        }
    }

    private void SetPieces(PieceSet pieces)
    {
        _theirs = pieces;
        Apply(_state.PeerHasOnly(pieces, _ours));
    }

    private void SetChoking(bool choke)
    {
        (_state, var say) = _state.Choking(choke);
        if (say is null)
        {
            return;
        }

        Send(say);
        if (choke)
        {
            // Queued uploads are dropped with the choke; BEP 6 wants each one rejected explicitly.
            foreach (var (piece, begin, length) in _channel!.ClearUploads())
            {
                if (_state.Fast)
                {
                    Send(new RejectRequest(piece, begin, length));
                }
            }
        }
    }

    private void Close(string reason)
    {
        if (_closed)
        {
            return; // a batch may go on after the first reason to close
        }

        _closed = true;
        TellArrived(); // blocks vetted before the reason to close are still the torrent's
        _log.Info("{0}: disconnected: {1}", Who, reason);
        (_state, var released) = _state.ReleaseAll();
        Release(released);
        Context.Parent.Tell(new PeerClosing(_args.Peer, reason));
        Context.Stop(Self);
    }
}
