using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

// Issue 14: what comes in runs is taken as a run: the blocks of one inbound batch that follow each other, and the
// pieces the torrent verified since it last told us, each in one step of PeerWireState.
public sealed partial class PeerConnectionActor
{
    /// <summary>The peer's messages of one batch in order; the blocks that come one after another are vetted together
    /// (issue 14: one pipeline step per run, not per block).</summary>
    private void HandleAll(IReadOnlyList<PeerMessage> messages)
    {
        List<PieceBlock>? run = null;
        foreach (var m in messages)
        {
            if (m is PieceBlock block)
            {
                (run ??= []).Add(block);
                continue;
            }

            if (run is { Count: > 0 })
            {
                OnBlocks(run);
                run.Clear();
            }

            Handle(m);
        }

        if (run is { Count: > 0 })
        {
            OnBlocks(run);
        }
    }

    /// <summary>Blocks vetted by the pipeline join the batch's blocks for the torrent (told at the batch's end, or at a
    /// close); the rest is the reaction's.</summary>
    private void OnBlocks(IReadOnlyList<PieceBlock> blocks)
    {
        var (next, reaction, accepted) = _state.BlocksArrived(blocks, _cfg.ReceivedBlocks.MaxUnrequested);
        if (accepted.Count > 0)
        {
            (_arrived ??= []).AddRange(accepted);
        }

        Apply((next, reaction));
    }

    /// <summary>Pieces the torrent verified since it last told us: one state step for all of them.</summary>
    private void OnWeHave(IReadOnlyList<int> pieces)
    {
        List<int>? announce = null;
        var peerHad = 0;
        foreach (var piece in pieces)
        {
            if (!_ours.Add(piece))
            {
                continue;
            }

            if (_theirs[piece])
            {
                peerHad++;
            }
            else
            {
                (announce ??= new List<int>(pieces.Count)).Add(piece);
            }
        }

        if (announce is not null || peerHad > 0)
        {
            Apply(_state.WeGot(announce ?? [], peerHad, BothSeeds));
        }
    }
}
