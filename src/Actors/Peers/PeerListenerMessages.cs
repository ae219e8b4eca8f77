namespace Swarm.Actors.Peers;

/// <summary>Messages of the peer listener (its accept loop reporting to the actor).</summary>
public static class PeerListenerMessages
{
    /// <summary>The accept loop ended on a socket error; the actor throws it so that its supervisor restarts the
    /// listener, which binds the endpoint again.</summary>
    internal sealed record AcceptFailed(string Error);

    /// <summary>The listener's tick: incoming connections past their handshake deadline (on the node's clock) are closed.</summary>
    internal sealed record ExpireHandshakes
    {
        public static ExpireHandshakes Instance { get; } = new();
    }

    /// <summary>A connection that arrived over another transport than the listening TCP socket (uTP): admitted under
    /// the same caps and handshake deadline as a TCP one.</summary>
    public sealed record IncomingLink(PeerLink Link);
}
