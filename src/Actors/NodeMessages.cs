namespace Swarm.Actors;

/// <summary>When a node's bound peer port starts listening.</summary>
public enum PeerPortOpening
{
    /// <summary>Once the catalog has recovered and started its torrents (a long-lived node).</summary>
    AfterRecovery,

    /// <summary>Once a torrent has checked its data and starts its peer work (a one-shot `get` or `seed`, whose only
    /// torrent is added after recovery): its first peers then find it ready to answer.</summary>
    WhenATorrentIsReady,
}

/// <summary>Messages of the root <see cref="NodeActor"/> itself (everything else it routes to the catalog).</summary>
public static class NodeMessages
{
    /// <summary>Answered with <see cref="PeerPortOpened"/> once the peer port listens.</summary>
    public sealed record AwaitPeerPort;

    public sealed record PeerPortOpened;
}
