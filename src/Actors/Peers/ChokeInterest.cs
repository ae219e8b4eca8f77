using Swarm.Actors.Pieces;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

/// <summary>The four BEP 3 flags of one connection (choking and interest, ours and the peer's) and what drives our
/// interest: the number of pieces the peer has that we lack. Both sides start choked and uninterested. Immutable;
/// the piece sets themselves stay with the connection actor, which passes the facts in.</summary>
public readonly record struct ChokeInterest(bool AmChoking, bool AmInterested, bool PeerChoking, bool PeerInterested, int Interesting)
{
    public static ChokeInterest Initial => new(AmChoking: true, AmInterested: false, PeerChoking: true, PeerInterested: false, Interesting: 0);

    /// <summary>Requests are worth sending: the peer serves us and has something we want.</summary>
    public bool CanRequest => !PeerChoking && AmInterested;

    public ChokeInterest WithPeerChoking(bool choking) => this with { PeerChoking = choking };

    /// <summary>Returns whether the peer's interest changed (only a change is worth telling the torrent).</summary>
    public (ChokeInterest Next, bool Changed) WithPeerInterested(bool interested) =>
        interested == PeerInterested ? (this, false) : (this with { PeerInterested = interested }, true);

    /// <summary>Returns whether our choking changed (only a change is sent to the peer).</summary>
    public (ChokeInterest Next, bool Changed) WithAmChoking(bool choke) =>
        choke == AmChoking ? (this, false) : (this with { AmChoking = choke }, true);

    /// <summary>The peer announced a new piece.</summary>
    public ChokeInterest PeerGot(bool weHaveIt) => weHaveIt ? this : this with { Interesting = Interesting + 1 };

    /// <summary>We completed a piece.</summary>
    public ChokeInterest WeGot(bool peerHasIt) => WeGot(peerHasIt ? 1 : 0);

    /// <summary>We completed pieces, <paramref name="peerHad"/> of which the peer has (they no longer interest us).</summary>
    public ChokeInterest WeGot(int peerHad) => peerHad > 0 ? this with { Interesting = Interesting - peerHad } : this;

    /// <summary>The peer's whole piece set is known anew (bitfield, HaveAll, HaveNone).</summary>
    public ChokeInterest PeerHasOnly(PieceSet theirs, PieceSet ours) =>
        this with { Interesting = theirs.Indices().Count(i => !ours[i]) };

    /// <summary>Our interest follows what the peer has: returns the message that says so when it changes.</summary>
    public (ChokeInterest Next, PeerMessage? Send) UpdateInterest()
    {
        var want = Interesting > 0;
        if (want == AmInterested)
        {
            return (this, null);
        }

        return (this with { AmInterested = want }, want ? Interested.Instance : NotInterested.Instance);
    }
}
