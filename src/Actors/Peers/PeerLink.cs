using System.Net;
using System.Net.Sockets;

namespace Swarm.Actors.Peers;

/// <summary>What carries a peer connection: the connection actor and the wire channel never ask.</summary>
public enum PeerTransport
{
    Tcp,
    Utp,
}

/// <summary>One open byte stream to a peer, before and after its handshake, whatever carries it (TCP, uTP) and
/// whether or not it is encrypted (MSE/PE). The dialler, the listener and the connection hand it on; whoever holds it
/// last disposes it. Transports give the two ways of ending that a byte stream lacks: a graceful shutdown that wakes a
/// pending read, and an abort that frees the connection at once (a TCP reset, no TIME_WAIT) for connections we refuse.</summary>
public sealed class PeerLink : IDisposable
{
    private readonly Action? _shutdown;
    private readonly Action? _abort;
    private readonly Func<TimeSpan?>? _roundTrip;

    public PeerLink(Stream stream, IPEndPoint remote, PeerTransport transport, bool encrypted = false, Action? shutdown = null, Action? abort = null, Func<TimeSpan?>? roundTrip = null)
    {
        Stream = stream;
        Remote = remote;
        Transport = transport;
        Encrypted = encrypted;
        _shutdown = shutdown;
        _abort = abort;
        _roundTrip = roundTrip;
    }

    public Stream Stream { get; }

    public IPEndPoint Remote { get; }

    public PeerTransport Transport { get; }

    public bool Encrypted { get; }

    /// <summary>How the console and the RPC name the transport: <c>tcp</c> or <c>utp</c> (encryption is shown from
    /// <see cref="Encrypted"/> beside it).</summary>
    public string TransportName => Transport == PeerTransport.Utp ? "utp" : "tcp";

    /// <summary>A connected TCP socket as a link; the link owns the socket from here on.</summary>
    public static PeerLink OverTcp(Socket socket)
    {
        socket.NoDelay = true;
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        return new PeerLink(
            new NetworkStream(socket, ownsSocket: true),
            remote,
            PeerTransport.Tcp,
            encrypted: false,
            shutdown: () => socket.Shutdown(SocketShutdown.Both),
            abort: () => socket.LingerState = new LingerOption(true, 0),
            roundTrip: () => TcpRoundTrip.Of(socket));
    }

    /// <summary>The same connection read and written through <paramref name="secured"/> (which wraps this link's
    /// stream and owns it), after an encryption handshake.</summary>
    /// <param name="encrypted">False when the handshake chose a plaintext payload (MSE's plaintext method) or only
    /// read the first bytes of a plain handshake.</param>
    public PeerLink Secured(Stream secured, bool encrypted = true) => new(secured, Remote, Transport, encrypted, _shutdown, _abort, _roundTrip);

    /// <summary>The transport's current round-trip time as its kernel measures it (TCP on Linux, see
    /// <see cref="TcpRoundTrip"/>); null when unknown (uTP, another system).</summary>
    public TimeSpan? RoundTrip() => _roundTrip?.Invoke();

    /// <summary>Ends the connection gracefully and wakes whoever is reading it; the link still needs disposing.</summary>
    public void Shutdown() => Quietly(_shutdown);

    /// <summary>Closes the connection at once, without a graceful ending: for connections refused on arrival, so a
    /// flood of them costs nothing after it.</summary>
    public void Abort()
    {
        Quietly(_abort);
        Dispose();
    }

    public void Dispose() => Stream.Dispose();

    private static void Quietly(Action? action)
    {
        try
        {
            action?.Invoke();
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
