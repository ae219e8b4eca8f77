using Akka.Actor;
using Swarm.Actors.Pieces;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Peers;

/// <summary>Carries out what <see cref="PeerWireState"/> decided: messages to the peer, blocks given back, asks and
/// notes to the torrent; the blocks of one inbound batch go to the torrent together (issue 14).</summary>
public sealed partial class PeerConnectionActor
{
    private void Apply((PeerWireState Next, PeerWireReaction Reaction) step)
    {
        _state = step.Next;
        var r = step.Reaction;
        if (r.ToPeer.Count > 0)
        {
            // One keep-alive stamp for all of them: an assignment sends dozens of requests at once.
            _state = _state.Sent(_clock.GetUtcNow());
            for (var i = 0; i < r.ToPeer.Count; i++)
            {
                _channel!.Send(r.ToPeer[i]);
            }
        }

        Release(r.Released);
        if (r.Ask > 0)
        {
            TellParent(new NeedBlocks(_args.Peer, r.Ask));
        }

        if (r.Notify is BlockArrived block)
        {
            (_arrived ??= []).Add(block);
        }
        else if (r.Notify is PeerHave have)
        {
            (_haves ??= []).Add(have.Piece);
        }
        else if (r.Notify is not null)
        {
            TellParent(r.Notify);
        }

        if (r.Close is not null)
        {
            Close(r.Close);
        }
    }

    /// <summary>The pieces the peer announced so far go first: whatever follows may depend on them (an ask for blocks
    /// is answered from what the peer has).</summary>
    private void TellParent(object message)
    {
        TellHaves();
        Context.Parent.Tell(message);
    }

    /// <summary>Issue 14 (piece count): a peer downloading a torrent of 262,144 pieces announces each one; a message to
    /// the torrent per HAVE cost the seeder as much as serving the 4 KiB piece. The announcements of one batch go in one
    /// message, in their order.</summary>
    private void TellHaves()
    {
        if (_haves is { Count: > 0 } pieces)
        {
            Context.Parent.Tell(new PeerHaves(_args.Peer, pieces));
            _haves = null;
        }
    }

    /// <summary>The blocks vetted in this batch go to the torrent in one message (one mailbox hop per batch), after the
    /// batch's announcements.</summary>
    private void TellArrived()
    {
        TellHaves();
        if (_arrived is { Count: > 0 } blocks)
        {
            Context.Parent.Tell(blocks.Count == 1 ? blocks[0] : new BlocksArrived(_args.Peer, blocks));
            _arrived = null;
        }
    }

    private void Release(IReadOnlyList<BlockRef> blocks)
    {
        if (blocks.Count > 0)
        {
            TellParent(new ReleaseBlocks(_args.Peer, blocks));
        }
    }

    private void Send(PeerMessage message)
    {
        _state = _state.Sent(_clock.GetUtcNow());
        _channel!.Send(message);
    }
}
