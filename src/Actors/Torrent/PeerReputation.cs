using System.Collections.Immutable;

namespace Swarm.Actors.Torrent;

/// <summary>How the pieces each peer (by endpoint) took part in fared, and who is banned from the torrent. Without
/// per-block hashes (v1) a shared bad piece cannot name its culprit, so a peer is banned when it alone sent
/// hash-failures-before-ban bad pieces, or took part in that many and never in a good one.</summary>
public sealed record PeerReputation(int BanThreshold)
{
    private ImmutableDictionary<string, PeerTrackRecord> Records { get; init; } = ImmutableDictionary.Create<string, PeerTrackRecord>(StringComparer.Ordinal);

    /// <summary>Banned endpoints and peer ids (hex): refused when dialled, accepted or found again.</summary>
    private ImmutableHashSet<string> Banned { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Pieces of this torrent that failed their hash check, whoever sent them.</summary>
    public int HashFailures { get; private init; }

    /// <summary>Peers banned so far (each once, however many names it is banned by).</summary>
    public int BannedPeers { get; private init; }

    public PeerTrackRecord RecordOf(string endPoint) => Records.GetValueOrDefault(endPoint, PeerTrackRecord.None);

    public bool IsBanned(string endPointOrPeerId) => Banned.Contains(endPointOrPeerId);

    /// <summary>A piece was hashed. <paramref name="contributors"/> are the connected peers that sent its blocks;
    /// the answer names those to ban now, in the same order.</summary>
    public (PeerReputation Reputation, IReadOnlyList<BanVerdict> Bans) PieceHashed(bool valid, IReadOnlyList<PieceContributor> contributors)
    {
        var records = Records;
        var bans = new List<BanVerdict>();
        foreach (var c in contributors)
        {
            var r = records.GetValueOrDefault(c.EndPoint, PeerTrackRecord.None);
            r = valid
                ? r with { Passed = r.Passed + 1 }
                : r with { Failed = r.Failed + 1, FailedAlone = r.FailedAlone + (contributors.Count == 1 ? 1 : 0) };
            records = records.SetItem(c.EndPoint, r);
            if (!valid && (r.FailedAlone >= BanThreshold || (r.Failed >= BanThreshold && r.Passed == 0)))
            {
                bans.Add(new BanVerdict(c.Peer, $"banned after {r.Failed} pieces that failed the hash check"));
            }
        }

        return (this with { Records = records, HashFailures = HashFailures + (valid ? 0 : 1) }, bans);
    }

    /// <summary>Issue 14 (piece count): <paramref name="pieces"/> valid pieces that <paramref name="contributor"/> alone
    /// sent, credited at once: the same as that many valid <see cref="PieceHashed"/> naming only it (a group of small
    /// pieces reports dozens of one peer's pieces together, and each credit copies the record table).</summary>
    public PeerReputation PiecesPassed(PieceContributor contributor, int pieces)
    {
        if (pieces <= 0)
        {
            return this;
        }

        var r = Records.GetValueOrDefault(contributor.EndPoint, PeerTrackRecord.None);
        return this with { Records = Records.SetItem(contributor.EndPoint, r with { Passed = r.Passed + pieces }) };
    }

    /// <summary>Bans the endpoint and, once its handshake named it, the peer id (which outlives a change of port).</summary>
    public PeerReputation Ban(string endPoint, string? peerId) =>
        IsBanned(endPoint) && (peerId is null || IsBanned(peerId))
            ? this
            : this with { Banned = peerId is null ? Banned.Add(endPoint) : Banned.Add(endPoint).Add(peerId), BannedPeers = BannedPeers + 1 };
}

public sealed record PeerTrackRecord(int Passed, int Failed, int FailedAlone)
{
    public static PeerTrackRecord None { get; } = new(0, 0, 0);
}

/// <param name="Peer">The connection's key in the torrent.</param>
/// <param name="PeerId">The peer id (hex) its handshake gave, banned with the endpoint.</param>
public readonly record struct PieceContributor(int Peer, string EndPoint, string? PeerId = null);

public sealed record BanVerdict(int Peer, string Reason);
