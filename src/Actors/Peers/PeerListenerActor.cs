using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Actors.Peers.Encryption;
using Swarm.Actors.Torrent;
using Swarm.Protocol;
using static Swarm.Actors.Peers.PeerListenerMessages;

namespace Swarm.Actors.Peers;

/// <summary>Accepts incoming peer connections on the node's bound socket, reads each handshake with
/// <see cref="HandshakeExchange"/> (within <c>peer.handshake-timeout</c>, off the actor) and hands the connection to the
/// torrents actor, which routes it by info-hash. Connections still in the handshake are capped node-wide and per
/// remote address (<see cref="HandshakeAdmission"/>): one over a cap is closed as soon as it is accepted, before any
/// read, and the ones already waiting are left alone.</summary>
public sealed class PeerListenerActor : HandlerActor, IWithTimers
{
    private readonly Socket _listener;
    private readonly IActorRef _torrents;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cts = new();
    private readonly HandshakeAdmission _admission;
    private readonly EncryptionPolicy _encryption;
    private readonly TimeSpan _handshakeTimeout;

    public PeerListenerActor(Socket listener, IPEndPoint endpoint, IActorRef torrents, PeerSettings settings, PeerHardeningSettings hardening, TimeProvider clock)
    {
        _admission = new HandshakeAdmission(hardening.MaxIncomingHandshakes, hardening.MaxIncomingHandshakesPerAddress, settings.HandshakeTimeout, clock);
        // A restarted listener finds the socket its predecessor closed and binds the same endpoint again.
        _listener = listener.SafeHandle.IsClosed ? Rebind(endpoint, settings.ListenBacklog) : listener;
        _torrents = torrents;
        _encryption = settings.Encryption;
        _handshakeTimeout = settings.HandshakeTimeout;
        Receive<AcceptFailed>(f => throw new IOException($"peer listener stopped: {f.Error}"));
        Receive<ExpireHandshakes>(_ => _admission.Expire());
        Receive<IncomingLink>(l => Admit(l.Link));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="clock">Times the handshake deadlines: the node's clock (<see cref="NodeContext.Clock"/>).</param>
    /// <param name="hardening">The caps on incoming connections still in the handshake.</param>
    public static Props Props(Socket listener, IActorRef torrents, PeerSettings settings, PeerHardeningSettings hardening, TimeProvider? clock = null)
    {
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        var time = clock ?? TimeProvider.System;
        return Akka.Actor.Props.Create(() => new PeerListenerActor(listener, endpoint, torrents, settings, hardening, time));
    }

    private static Socket Rebind(IPEndPoint endpoint, int backlog)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(endpoint);
        socket.Listen(backlog);
        return socket;
    }

    protected override void PreStart()
    {
        var self = Self;
        _ = Task.Run(() => AcceptLoop(self));
        Timers.StartPeriodicTimer("expire", ExpireHandshakes.Instance, _admission.SweepInterval);
    }

    protected override void PostStop()
    {
        _cts.Cancel();
        _listener.Dispose();
    }

    private async Task AcceptLoop(IActorRef self)
    {
        while (!_cts.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                self.Tell(new AcceptFailed(e.Message));
                return;
            }

            PeerLink link;
            try
            {
                link = PeerLink.OverTcp(socket);
            }
            catch (SocketException)
            {
                socket.Dispose(); // gone before we could look at it
                continue;
            }

            Admit(link);
        }
    }

    /// <summary>Every incoming connection, whatever carries it, passes here: over a cap it is aborted at once,
    /// otherwise its handshake is read off the actor.</summary>
    private void Admit(PeerLink link)
    {
        var admitted = _admission.TryAdmit(link.Remote.Address, out var refusal) ?? Refuse(link, refusal);
        if (admitted is not null)
        {
            _ = ReadHandshake(link, admitted);
        }
    }

    /// <summary>Closes a connection over a cap at once. An abort (a TCP reset) frees it without a TIME_WAIT, so a
    /// flood of connections costs us nothing after it.</summary>
    private Admission? Refuse(PeerLink link, string? reason)
    {
        _log.Debug("incoming connection from {0} closed: {1}", link.Remote, reason);
        link.Abort();
        return null;
    }

    private async Task ReadHandshake(PeerLink link, Admission admitted)
    {
        try
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token, admitted.Deadline);
            // Plain or MSE (issue 16): the first bytes tell; an encrypted link replaces the raw one.
            link = await LinkEncryption.SecureIncomingAsync(link, _encryption, ServedTorrentsAsync, either.Token).ConfigureAwait(false);
            var handshake = await HandshakeExchange.ReceiveAsync(link.Stream, either.Token).ConfigureAwait(false);
            _torrents.Tell(new TorrentMessages.IncomingPeer(link, handshake));
        }
        catch (Exception e)
        {
            _log.Debug("incoming connection from {0} dropped: {1}", link.Remote, e.Message);
            admitted.Dispose(); // before the close, so a peer that sees it and reconnects finds its place free
            link.Dispose();
        }
        finally
        {
            admitted.Dispose();
        }
    }

    /// <summary>The catalog's running torrents, for an incoming MSE handshake to find the one it names.</summary>
    private async Task<IReadOnlyCollection<InfoHash>> ServedTorrentsAsync(CancellationToken ct) =>
        (await _torrents.Ask<EncryptionMessages.ServedTorrents>(EncryptionMessages.ListServedTorrents.Instance, _handshakeTimeout, ct).ConfigureAwait(false)).InfoHashes;
}
