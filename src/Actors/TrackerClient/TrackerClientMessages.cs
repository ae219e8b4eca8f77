using System.Net;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerClient;

/// <summary>Messages between a torrent and its tracker client.</summary>
public static class TrackerClientMessages
{
    // torrent -> tracker client

    /// <summary>What the torrent has transferred and still needs, for the next announce.</summary>
    public sealed record TransferProgress(long Uploaded, long Downloaded, long Left);

    /// <summary>Announce now (the download completed, or the first announce's stagger ran out).</summary>
    public sealed record AnnounceNow(AnnounceEvent Event);

    // tracker client -> torrent

    /// <summary>Asked by a tracker client as it starts (and after each restart, when it remembers nothing): it
    /// announces only once the torrent answered with its <see cref="TransferProgress"/>. After that the torrent tells
    /// it when the figures change.</summary>
    public sealed record TransferProgressWanted
    {
        public static TransferProgressWanted Instance { get; } = new();
    }

    /// <summary>Peers a tracker gave us.</summary>
    public sealed record PeersFound(IReadOnlyList<IPEndPoint> Peers);

    /// <summary>After every announce round: the tracker that answered, or why none did, and when the next round is due.</summary>
    public sealed record AnnounceReported(string? Url, string? Error, DateTime NextAnnounce);

    // tracker client internals

    /// <summary>One announce round ended: <paramref name="Tier"/> and <paramref name="Url"/> name the tracker that
    /// answered (-1 and null when none did).</summary>
    internal sealed record AnnounceRoundEnded(int Tier, string? Url, AnnounceEvent Event, AnnounceResponse? Response, string? Error);
}
