using System.Net;
using Akka.Actor;
using Swarm.Actors.Peers;

namespace Swarm.Actors.Utp;

/// <summary>Messages of the node's uTP endpoint (<see cref="UtpSocketActor"/>).</summary>
public static class UtpSocketMessages
{
    /// <summary>Opens a uTP connection to <paramref name="Remote"/>; <paramref name="Result"/> gets the link once the
    /// peer acked our SYN, or a <see cref="UtpRefusedException"/>. A result nobody waits for any more is closed.</summary>
    public sealed record UtpConnect(IPEndPoint Remote, TaskCompletionSource<PeerLink> Result);

    /// <summary>Incoming connections (once the peer spoke after its SYN) go to <paramref name="Listener"/> as
    /// <see cref="PeerListenerMessages.IncomingLink"/>; until this arrives SYNs are refused like a closed port.</summary>
    public sealed record AcceptUtpWith(IActorRef Listener);

    /// <summary>Answered with <see cref="UtpStatus"/>.</summary>
    public sealed record GetUtpStatus;

    /// <param name="Connections">Open uTP connections, both directions.</param>
    /// <param name="HalfOpen">Accepted connections not yet heard from after their SYN.</param>
    public sealed record UtpStatus(int Connections, int HalfOpen, long SynsDropped, long Malformed, long ResetsSent);

    /// <summary>From a stream: bytes to send, <paramref name="Done"/> completes once the connection took them all.</summary>
    internal sealed record StreamWrite(long Id, byte[] Bytes, TaskCompletionSource Done);

    /// <summary>From a stream: its reader made room, more can be handed over.</summary>
    internal sealed record StreamRoom(long Id);

    /// <summary>From a stream or its link: end gracefully (FIN after what is queued).</summary>
    internal sealed record StreamClose(long Id);

    /// <summary>From a link refused on arrival: drop at once with a RESET.</summary>
    internal sealed record StreamAbort(long Id);

    internal sealed record FlushNow
    {
        public static FlushNow Instance { get; } = new();
    }

    internal sealed record UtpTick
    {
        public static UtpTick Instance { get; } = new();
    }
}

/// <summary>A uTP dial the peer refused (RESET) or never answered.</summary>
public sealed class UtpRefusedException(string message) : IOException(message);
