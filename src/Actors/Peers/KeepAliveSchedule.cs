namespace Swarm.Actors.Peers;

/// <summary>When a connection needs a keep-alive from us, and when the peer has been silent too long to keep: we send
/// one after half of <c>peer.idle-timeout</c> without sending anything, so a peer with the same timeout as ours never
/// drops us, and we drop a peer silent for the whole timeout (BEP 3 suggests two minutes). Immutable.</summary>
public readonly record struct KeepAliveSchedule(DateTimeOffset LastReceived, DateTimeOffset LastSent)
{
    public static KeepAliveSchedule StartingAt(DateTimeOffset now) => new(now, now);

    public KeepAliveSchedule Received(DateTimeOffset now) => this with { LastReceived = now };

    public KeepAliveSchedule Sent(DateTimeOffset now) => this with { LastSent = now };

    public KeepAliveDue Check(DateTimeOffset now, TimeSpan idleTimeout) =>
        now - LastReceived > idleTimeout ? KeepAliveDue.PeerIdle
        : now - LastSent > idleTimeout / 2 ? KeepAliveDue.SendKeepAlive
        : KeepAliveDue.Nothing;
}

public enum KeepAliveDue
{
    Nothing,
    SendKeepAlive,

    /// <summary>The peer sent nothing for the whole idle timeout: close the connection.</summary>
    PeerIdle,
}
