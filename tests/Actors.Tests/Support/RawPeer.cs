using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Swarm.Actors.Peers.Encryption;
using Swarm.Protocol;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Tests.Support;

/// <summary>A hand-driven peer on a real socket, speaking through the Protocol codecs, for tests that need a
/// peer that misbehaves on purpose.</summary>
public sealed class RawPeer : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly PeerWireLimits _limits;
    private ReadOnlySequence<byte> _pending = ReadOnlySequence<byte>.Empty;
    private byte[] _buffer = [];

    private RawPeer(Socket socket, int pieceCount, Stream? stream = null)
    {
        Socket = socket;
        _stream = stream ?? new NetworkStream(socket, ownsSocket: true);
        _limits = new PeerWireLimits(16 * 1024, pieceCount, 1 << 20);
    }

    public Socket Socket { get; }

    public Handshake? Remote { get; private set; }

    public static async Task<RawPeer> ConnectAsync(IPEndPoint to, InfoHash hash, int pieceCount, bool fast = true, bool extensions = false)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(to);
        var peer = new RawPeer(socket, pieceCount);
        await peer.HandshakeAsync(hash, fast, extensions);
        return peer;
    }

    /// <summary>A listening socket on a free loopback port, for tests that play a seeder the node dials.</summary>
    public static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        return listener;
    }

    public static async Task<RawPeer> AcceptAsync(Socket listener, InfoHash hash, int pieceCount, bool fast = true, bool extensions = false)
    {
        var socket = await listener.AcceptAsync();
        // Like a real client, it takes an encrypted (MSE) dial as well as a plain one: the node prefers MSE (issue 16).
        var stream = await MseHandshake.AcceptAsync(new NetworkStream(socket, ownsSocket: true), EncryptionPolicy.Prefer, _ => Task.FromResult<IReadOnlyCollection<InfoHash>>([hash]), CancellationToken.None);
        var peer = new RawPeer(socket, pieceCount, stream);
        await peer.HandshakeAsync(hash, fast, extensions);
        return peer;
    }

    private async Task HandshakeAsync(InfoHash hash, bool fast, bool extensions = false)
    {
        await _stream.WriteAsync(new Handshake(hash, Handshake.NewPeerId("-XX0001-"), SupportsExtensions: extensions, SupportsFast: fast).ToArray());
        var buffer = new byte[Handshake.Length];
        await _stream.ReadExactlyAsync(buffer);
        Remote = Handshake.Parse(buffer);
    }

    public Task SendAsync(PeerMessage message) => SendRawAsync(PeerMessageWriter.ToArray(message));

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Next message, or null when the other side closed the connection.</summary>
    public async Task<PeerMessage?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            if (PeerMessageReader.TryRead(ref _pending, _limits, out var message))
            {
                _buffer = _pending.ToArray();
                _pending = new ReadOnlySequence<byte>(_buffer);
                if (message is not null)
                {
                    return message;
                }

                continue;
            }

            var chunk = new byte[64 * 1024];
            int n;
            try
            {
                n = await _stream.ReadAsync(chunk, cts.Token);
            }
            catch (IOException)
            {
                return null;
            }

            if (n == 0)
            {
                return null;
            }

            _buffer = [.. _pending.ToArray(), .. chunk.AsSpan(0, n)];
            _pending = new ReadOnlySequence<byte>(_buffer);
        }
    }

    /// <summary>Reads until a message of type <typeparamref name="T"/> arrives (null if the connection closes first).</summary>
    public async Task<T?> ReceiveAsync<T>(TimeSpan timeout)
        where T : PeerMessage
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var m = await ReceiveAsync(deadline - DateTime.UtcNow);
            if (m is null)
            {
                return null;
            }

            if (m is T t)
            {
                return t;
            }
        }

        throw new TimeoutException($"no {typeof(T).Name} within {timeout}");
    }

    /// <summary>True when the other side closes the connection within the timeout (messages before that are skipped).</summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            while (DateTime.UtcNow < deadline)
            {
                if (await ReceiveAsync(deadline - DateTime.UtcNow) is null)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return false;
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
