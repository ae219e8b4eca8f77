using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Swarm.Protocol.Trackers;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Actors.TrackerServer;

/// <summary>Where the answer to one UDP announce goes: told by the tracked swarm (or by the registry when it refuses),
/// it is encoded and sent on the tracker's socket right there, by the thread that answers. Like the reference an ask
/// makes, but with no timer, no registration and no hop back to a front-end thread: on a busy machine each hop is a
/// wait for a core. Answered once: by the swarm, or by <see cref="UdpTrackerActor"/>'s sweep as "busy" once it is
/// older than the ask timeout (a swarm that stopped with the announce in its mailbox never answers). The requester's
/// socket address is kept as received and the answer written on the stack: nothing is built per send.</summary>
internal sealed class UdpAnswer(Socket socket, int transactionId, SocketAddress to, DateTimeOffset sent, Action release, ActorPath path, IActorRefProvider provider) : MinimalActorRef, IPendingAnswer
{
    // Room for an answer on the stack: max-numwant peers of 6 bytes fit far below it (the rest goes to the heap).
    private const int StackAnswer = 1536;

    private int _done;

    public override ActorPath Path { get; } = path;

    public override IActorRefProvider Provider { get; } = provider;

    /// <summary>When the announce went to its swarm (the tracker's clock).</summary>
    public DateTimeOffset Sent { get; } = sent;

    public bool IsDone => Volatile.Read(ref _done) != 0;

    /// <summary>Answers "busy" unless answered already.</summary>
    public void Expire() => Send(null);

    protected override void TellInternal(object message, IActorRef sender) => Send(message);

    private void Send(object? message)
    {
        if (Interlocked.Exchange(ref _done, 1) != 0)
        {
            return;
        }

        release();
        try
        {
            if (message is AnnounceAnswer ok)
            {
                var length = UdpTrackerServerCodec.AnnounceResponseLength(ok.Peers.V4.Length);
                var packet = length <= StackAnswer ? stackalloc byte[StackAnswer] : new byte[length];
                length = UdpTrackerServerCodec.WriteAnnounceResponse(packet, transactionId, ok.Interval, ok.Incomplete, ok.Complete, ok.Peers.V4);
                socket.SendTo(packet[..length], SocketFlags.None, to);
            }
            else
            {
                var reason = message is AnnounceRefused refused ? refused.Reason : "tracker busy, try again";
                socket.SendTo(UdpTrackerServerCodec.Error(transactionId, reason), SocketFlags.None, to);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The requester is gone or the tracker is stopping: UDP loses answers anyway, the client asks again.
        }
    }
}
