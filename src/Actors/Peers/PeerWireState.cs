using Swarm.Actors.Configuration;
using Swarm.Actors.Pieces;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Peers;

/// <summary>The protocol state of one connection and its rules: each event (a message from the peer or the torrent, a
/// tick) returns the next state and a <see cref="PeerWireReaction"/> for the connection actor to carry out. Composed of
/// <see cref="ChokeInterest"/>, <see cref="RequestPipeline"/>, <see cref="RateMeter"/> and
/// <see cref="KeepAliveSchedule"/>. The piece sets stay with the actor, which owns and updates them and passes the
/// facts in; uploads stay with the socket's write loop. A protocol violation throws
/// <see cref="PeerProtocolException"/>. Immutable.</summary>
/// <param name="Peer">The torrent's number for this connection, on every message to it.</param>
/// <param name="Fast">The peer speaks BEP 6 (known once its handshake is here).</param>
/// <param name="TheirMetadataId">The peer's BEP 10 id for ut_metadata (0: none), put on our answers to it.</param>
public sealed record PeerWireState(
    int Peer,
    bool Fast,
    ChokeInterest Flags,
    RequestPipeline Pipeline,
    RateMeter Rates,
    KeepAliveSchedule KeepAlive,
    byte TheirMetadataId)
{
    private const string BothSeeds = "both sides are seeds";

    /// <param name="now">Silence is counted from here until the peer first speaks.</param>
    /// <param name="givenUpCapacity">Requests given up whose late blocks are still accepted (received-blocks.given-up-remembered).</param>
    public static PeerWireState Start(int peer, int initialDepth, DateTimeOffset now, int givenUpCapacity = RequestPipeline.DefaultGivenUpCapacity) =>
        new(peer, Fast: false, ChokeInterest.Initial, RequestPipeline.Start(initialDepth, givenUpCapacity), RateMeter.Zero, KeepAliveSchedule.StartingAt(now), TheirMetadataId: 0);

    public PeerWireState Sent(DateTimeOffset now) => this with { KeepAlive = KeepAlive.Sent(now) };

    public void RequireFast(PeerMessage message)
    {
        if (!Fast)
        {
            throw new PeerProtocolException($"{message.GetType().Name} sent without the fast extension");
        }
    }

    // The peer's messages

    public (PeerWireState, PeerWireReaction) PeerChoked()
    {
        var next = this with { Flags = Flags.WithPeerChoking(true) };
        if (Fast)
        {
            return (next, PeerWireReaction.None); // BEP 6: it rejects what it will not serve, one by one
        }

        // Without BEP 6, a choke silently discards every pending request.
        var (pipeline, released) = Pipeline.ReleaseAll();
        return (next with { Pipeline = pipeline }, PeerWireReaction.None with { Released = released });
    }

    public PeerWireState PeerUnchoked() => this with { Flags = Flags.WithPeerChoking(false) };

    public (PeerWireState, PeerWireReaction) PeerInterestIs(bool interested)
    {
        var (flags, changed) = Flags.WithPeerInterested(interested);
        return (this with { Flags = flags }, changed ? PeerWireReaction.None with { Notify = new PeerInterest(Peer, interested) } : PeerWireReaction.None);
    }

    /// <summary>The peer announced a piece it did not have before.</summary>
    /// <param name="bothSeeds">With it, both sides have every piece.</param>
    public (PeerWireState, PeerWireReaction) PeerGot(int piece, bool weHaveIt, bool bothSeeds) =>
        (this with { Flags = Flags.PeerGot(weHaveIt) }).UpdateInterest(bothSeeds, new PeerHave(Peer, piece));

    /// <summary>BEP 3 wants the bitfield first, but aria2 sends HaveNone and later whole bitfields as it progresses:
    /// a later one simply replaces what we know of the peer.</summary>
    public (PeerWireState, PeerWireReaction) PeerHasOnly(PieceSet theirs, PieceSet ours) =>
        (this with { Flags = Flags.PeerHasOnly(theirs, ours) }).UpdateInterest(ours.IsComplete && theirs.IsComplete, new PeerPieces(Peer, theirs.Clone()));

    /// <summary>Blocks dropped because we never asked this peer for them, or with another length than asked.</summary>
    public int DroppedBlocks { get; private init; }

    /// <summary>A block arrived. Only a block we asked this peer for (in flight or given up lately), with the length
    /// asked, goes on to the torrent, which drops those it no longer needs; anything else is dropped here, so a peer
    /// cannot write into a piece another peer is filling. Past <paramref name="maxDropped"/> such blocks the peer is
    /// disconnected, and the torrent told why (it bans the peer).</summary>
    public (PeerWireState, PeerWireReaction) BlockArrived(PieceBlock block, int maxDropped)
    {
        var (next, reaction, accepted) = BlocksArrived([block], maxDropped);
        return (next, accepted.Count > 0 ? reaction with { Notify = accepted[0] } : reaction);
    }

    /// <summary>Issue 14: <see cref="BlockArrived"/> for a run of blocks that came in one batch, in one step. The
    /// blocks that go on to the torrent are returned apart from the reaction, in their order.</summary>
    public (PeerWireState Next, PeerWireReaction Reaction, IReadOnlyList<PeerConnectionMessages.BlockArrived> Accepted) BlocksArrived(IReadOnlyList<PieceBlock> blocks, int maxDropped)
    {
        var refs = new BlockRef[blocks.Count];
        for (var i = 0; i < refs.Length; i++)
        {
            refs[i] = new BlockRef(blocks[i].Piece, blocks[i].Begin, blocks[i].Data.Length);
        }

        var (pipeline, verdicts, released) = Pipeline.Arrived(refs);
        var accepted = new List<PeerConnectionMessages.BlockArrived>(blocks.Count);
        var dropped = DroppedBlocks;
        string? why = null;
        for (var i = 0; i < verdicts.Length; i++)
        {
            var block = blocks[i];
            if (verdicts[i] is BlockVerdict.Requested or BlockVerdict.GivenUp)
            {
                accepted.Add(new PeerConnectionMessages.BlockArrived(Peer, block.Piece, block.Begin, block.Data, block.Pooled));
            }
            else if (++dropped > maxDropped && why is null)
            {
                why = $"sent {dropped} blocks we did not request (the last: piece {block.Piece} at {block.Begin}, {block.Data.Length} bytes, {(verdicts[i] == BlockVerdict.WrongLength ? "another length than asked" : "never asked for")})";
            }
        }

        var reaction = PeerWireReaction.None with { Released = released };
        if (why is not null)
        {
            reaction = reaction with { Notify = new PeerMisbehaved(Peer, why), Close = why };
        }

        return (this with { Pipeline = pipeline, DroppedBlocks = dropped }, reaction, accepted);
    }

    public (PeerWireState, PeerWireReaction) Rejected(RejectRequest reject)
    {
        RequireFast(reject);
        var (pipeline, rejected) = Pipeline.Reject(reject.Piece, reject.Begin);
        return (this with { Pipeline = pipeline }, rejected is { } r ? PeerWireReaction.None with { Released = [r] } : PeerWireReaction.None);
    }

    public PeerWireState ExtensionHandshakeIs(ExtensionHandshake handshake) => this with
    {
        Pipeline = handshake.RequestQueue is { } reqq ? Pipeline.WithPeerQueueLimit(reqq) : Pipeline,
        TheirMetadataId = handshake.Extensions.TryGetValue(MetadataMessage.ExtensionName, out var id) ? (byte)id : (byte)0,
    };

    public (PeerWireState, PeerWireReaction) MetadataAsked(MetadataMessage message, byte[] info) =>
        (this, MetadataServing.Answer(message, TheirMetadataId, info) is { } answer ? PeerWireReaction.None with { ToPeer = [answer] } : PeerWireReaction.None);

    /// <summary>A batch of the peer's messages is handled: it is alive, and the pipeline may have room.</summary>
    public (PeerWireState, PeerWireReaction) BatchHandled(DateTimeOffset now) =>
        (this with { KeepAlive = KeepAlive.Received(now) }).AskForBlocks(PeerWireReaction.None);

    // The torrent's messages

    /// <summary>The torrent's answer to our ask. The peer may have choked us meanwhile: then the blocks go back.</summary>
    public (PeerWireState, PeerWireReaction) Assigned(IReadOnlyList<BlockRef> blocks, DateTimeOffset now)
    {
        var pipeline = Pipeline.AskAnswered();
        if (Flags.PeerChoking)
        {
            return (this with { Pipeline = pipeline }, PeerWireReaction.None with { Released = blocks });
        }

        var requests = new List<PeerMessage>(blocks.Count);
        foreach (var b in blocks)
        {
            requests.Add(new Request(b.Piece, b.Begin, b.Length));
        }

        return (this with { Pipeline = pipeline.Sent(blocks, now) }, PeerWireReaction.None with { ToPeer = requests });
    }

    /// <summary>Another peer delivered these blocks first (endgame): cancel those still in flight here.</summary>
    public (PeerWireState, PeerWireReaction) Cancelled(IReadOnlyList<BlockRef> blocks)
    {
        var pipeline = Pipeline;
        var cancels = new List<PeerMessage>();
        foreach (var b in blocks)
        {
            (pipeline, var wasOutstanding) = pipeline.Remove(b.Piece, b.Begin);
            if (wasOutstanding)
            {
                cancels.Add(new Cancel(b.Piece, b.Begin, b.Length));
            }
        }

        return (this with { Pipeline = pipeline }).AskForBlocks(PeerWireReaction.None with { ToPeer = cancels });
    }

    /// <summary>The torrent turned our ask down earlier (disk behind) and can serve again.</summary>
    public (PeerWireState, PeerWireReaction) BlocksAvailable() =>
        (this with { Pipeline = Pipeline.AskAnswered() }).AskForBlocks(PeerWireReaction.None);

    public (PeerWireState, PeerWireReaction) WeGot(int piece, bool peerHasIt, bool bothSeeds) =>
        WeGot(peerHasIt ? [] : [piece], peerHad: peerHasIt ? 1 : 0, bothSeeds);

    /// <summary>Issue 14: pieces we completed, told together (a torrent of 1 KiB pieces completes thousands a second):
    /// each one the peer lacks is announced with a Have (<paramref name="announce"/>; a peer that has the piece gains
    /// nothing from hearing that we do), and our interest is updated once for all of them.</summary>
    /// <param name="peerHad">How many of the pieces the peer has.</param>
    public (PeerWireState, PeerWireReaction) WeGot(IReadOnlyList<int> announce, int peerHad, bool bothSeeds)
    {
        var (state, reaction) = (this with { Flags = Flags.WeGot(peerHad) }).UpdateInterest(bothSeeds, notify: null);
        if (announce.Count == 0)
        {
            return (state, reaction);
        }

        var toPeer = new List<PeerMessage>(announce.Count + reaction.ToPeer.Count);
        foreach (var piece in announce)
        {
            toPeer.Add(new Have(piece));
        }

        toPeer.AddRange(reaction.ToPeer);
        return (state, reaction with { ToPeer = toPeer });
    }

    /// <summary>Returns the choke or unchoke to send, or null when nothing changes.</summary>
    public (PeerWireState, PeerMessage?) Choking(bool choke)
    {
        var (flags, changed) = Flags.WithAmChoking(choke);
        return (this with { Flags = flags }, !changed ? null : choke ? Choke.Instance : Unchoke.Instance);
    }

    /// <summary>Every stats interval: rates from the channel's byte counts, the pipeline's depth, requests unanswered
    /// too long (given up), the peer's silence, our keep-alive, another ask if there is room, and the stats.</summary>
    /// <param name="roundTrip">The connection's round trip (see <see cref="RequestPipeline.Adapt"/>); null: unknown.</param>
    public (PeerWireState, PeerWireReaction) Tick(DateTimeOffset now, long downloaded, long uploaded, SwarmSettings settings, TimeSpan? roundTrip = null)
    {
        var rates = Rates.Sample(downloaded, uploaded, settings.StatsInterval);
        var (pipeline, expired) = Pipeline.Adapt(rates.DownloadRate, settings.Pipeline, settings.Peer.BlockLength, roundTrip).Expire(now, settings.Pipeline.RequestTimeout);
        var next = this with { Rates = rates, Pipeline = pipeline };
        var reaction = PeerWireReaction.None with { Released = expired };
        switch (KeepAlive.Check(now, settings.Peer.IdleTimeout))
        {
            case KeepAliveDue.PeerIdle:
                return (next, reaction with { Close = "idle for too long" });
            case KeepAliveDue.SendKeepAlive:
                reaction = reaction with { ToPeer = [Protocol.PeerWire.KeepAlive.Instance] };
                break;
        }

        // A lost assignment must not stall the pipeline forever.
        (next, reaction) = (next with { Pipeline = next.Pipeline.AskAnswered() }).AskForBlocks(reaction);
        return (next, reaction with { Notify = new PeerStats(Peer, downloaded, uploaded, rates.DownloadRate, rates.UploadRate, Flags.PeerChoking) });
    }

    /// <summary>Everything in flight goes back to the torrent (the connection closes).</summary>
    public (PeerWireState, IReadOnlyList<BlockRef> Released) ReleaseAll()
    {
        var (pipeline, released) = Pipeline.ReleaseAll();
        return (this with { Pipeline = pipeline }, released);
    }

    private (PeerWireState, PeerWireReaction) UpdateInterest(bool bothSeeds, object? notify)
    {
        var (flags, say) = Flags.UpdateInterest();
        return (this with { Flags = flags }, new PeerWireReaction(say is null ? [] : [say], [], 0, notify, bothSeeds ? BothSeeds : null));
    }

    private (PeerWireState, PeerWireReaction) AskForBlocks(PeerWireReaction reaction)
    {
        var (pipeline, ask) = Pipeline.AskForBlocks(Flags.CanRequest);
        return (this with { Pipeline = pipeline }, reaction with { Ask = ask });
    }
}

/// <summary>What the connection actor does after an event, in this order: send <see cref="ToPeer"/>, give
/// <see cref="Released"/> back to the torrent, ask it for <see cref="Ask"/> blocks, tell it <see cref="Notify"/>,
/// and close with the reason <see cref="Close"/>.</summary>
public sealed record PeerWireReaction(IReadOnlyList<PeerMessage> ToPeer, IReadOnlyList<BlockRef> Released, int Ask, object? Notify, string? Close)
{
    public static PeerWireReaction None { get; } = new([], [], 0, null, null);
}
