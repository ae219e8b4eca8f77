using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Swarm.Actors.Peers;
using static Swarm.Actors.Utp.UtpSocketMessages;

namespace Swarm.Actors.Utp;

/// <summary>Outgoing uTP for <see cref="PeerDialer"/>, and the node's memory of which transport reached which peer
/// (libtorrent's policy: try both, keep what works). TCP goes first because a peer without it refuses at once, while a
/// peer without uTP costs the SYN timeouts; a peer that accepted only uTP is dialled over uTP first from then on.
/// <c>swarm.utp.dial-first = utp</c> reverses the default order (<paramref name="utpFirst"/>).</summary>
public sealed class UtpDialer(IActorRef socket, bool utpFirst = false)
{
    /// <summary>Endpoints remembered at most; beyond, the memory starts over (it only saves a refused attempt).</summary>
    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<IPEndPoint, PeerTransport> _worked = new();

    /// <summary>The transports to try for <paramref name="peer"/>, in order.</summary>
    public IReadOnlyList<PeerTransport> Order(IPEndPoint peer) =>
        (_worked.TryGetValue(peer, out var t) ? t == PeerTransport.Utp : utpFirst) ? [PeerTransport.Utp, PeerTransport.Tcp] : [PeerTransport.Tcp, PeerTransport.Utp];

    /// <summary>A handshake completed over <paramref name="transport"/>.</summary>
    public void Remember(IPEndPoint peer, PeerTransport transport)
    {
        if (_worked.Count >= MaxRemembered)
        {
            _worked.Clear();
        }

        _worked[peer] = transport;
    }

    /// <summary>A uTP connection to <paramref name="peer"/> once it answered our SYN; <see cref="UtpRefusedException"/>
    /// when it reset or never answered. A link that opens after <paramref name="ct"/> fired is closed.</summary>
    public async Task<PeerLink> ConnectAsync(IPEndPoint peer, CancellationToken ct)
    {
        var result = new TaskCompletionSource<PeerLink>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = ct.Register(() => result.TrySetCanceled(ct)).ConfigureAwait(false);
        socket.Tell(new UtpConnect(peer, result));
        return await result.Task.ConfigureAwait(false);
    }
}
