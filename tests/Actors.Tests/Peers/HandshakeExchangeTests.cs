using System.Net;
using System.Net.Sockets;
using Swarm.Actors.Peers;
using Swarm.Actors.Tests.Support;
using Swarm.Protocol;
using Swarm.Protocol.PeerWire;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

/// <summary>The one handshake I/O of the connection, the listener and the metadata fetcher, on real loopback sockets.</summary>
public sealed class HandshakeExchangeTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly InfoHash Hash = new(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray());
    private static readonly InfoHash OtherHash = new(Enumerable.Range(101, 20).Select(i => (byte)i).ToArray());
    private readonly Socket _listener = RawPeer.Listen();

    private IPEndPoint Listening => (IPEndPoint)_listener.LocalEndPoint!;

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Dialling_sends_ours_and_returns_theirs_with_the_socket_open()
    {
        var ours = new Handshake(Hash, Handshake.NewPeerId(), SupportsExtensions: true, SupportsFast: true);
        var theirId = Handshake.NewPeerId("-XX0001-");
        var peer = Task.Run(async () =>
        {
            using var s = await _listener.AcceptAsync();
            var got = await ReadExactly(s, Handshake.Length);
            await s.SendAsync(new Handshake(Hash, theirId, SupportsExtensions: false, SupportsFast: true).ToArray());
            await s.SendAsync(new byte[] { 0, 0, 0, 1, 2 }); // an Interested right behind it
            return got;
        });

        using var cts = new CancellationTokenSource(Wait);
        var (link, remote) = await HandshakeExchange.DialAsync(new PeerDialer(null), Listening, ours, cts.Token);
        using (link)
        {
            var sent = Handshake.Parse(await peer);
            Assert.Equal((ours.InfoHash, Hex(ours.PeerId), true, true), (sent.InfoHash, Hex(sent.PeerId), sent.SupportsExtensions, sent.SupportsFast));
            Assert.Equal((Hash, Hex(theirId), false, true), (remote.InfoHash, Hex(remote.PeerId), remote.SupportsExtensions, remote.SupportsFast));
            Assert.Equal(PeerTransport.Tcp, link.Transport);
            // Nothing past the handshake was consumed: the message behind it is still there for the message reader.
            Assert.Equal(new byte[] { 0, 0, 0, 1, 2 }, await ReadExactly(link.Stream, 5));
        }
    }

    [Fact]
    public async Task A_dial_leaves_from_the_bound_address()
    {
        var source = IPAddress.Parse("127.0.0.2");
        var peer = Task.Run(async () =>
        {
            using var s = await _listener.AcceptAsync();
            await ReadExactly(s, Handshake.Length);
            await s.SendAsync(new Handshake(Hash, Handshake.NewPeerId(), SupportsExtensions: false, SupportsFast: false).ToArray());
            return ((IPEndPoint)s.RemoteEndPoint!).Address;
        });

        using var cts = new CancellationTokenSource(Wait);
        var (link, _) = await HandshakeExchange.DialAsync(new PeerDialer(source), Listening, Ours(), cts.Token);
        link.Dispose();
        Assert.Equal(source, await peer);
    }

    [Fact]
    public async Task Dialling_refuses_a_peer_that_answers_for_another_torrent_and_closes_the_socket()
    {
        var peer = Task.Run(async () =>
        {
            using var s = await _listener.AcceptAsync();
            await ReadExactly(s, Handshake.Length);
            await s.SendAsync(new Handshake(OtherHash, Handshake.NewPeerId(), true, true).ToArray());
            return await ClosedByOtherSide(s);
        });

        using var cts = new CancellationTokenSource(Wait);
        var error = await Assert.ThrowsAsync<PeerProtocolException>(() => HandshakeExchange.DialAsync(new PeerDialer(null), Listening, Ours(), cts.Token));
        Assert.Contains("another torrent", error.Message);
        Assert.True(await peer, "the dialled socket should be closed");
    }

    [Fact]
    public async Task Dialling_refuses_bytes_that_are_not_a_handshake()
    {
        var peer = Task.Run(async () =>
        {
            using var s = await _listener.AcceptAsync();
            await ReadExactly(s, Handshake.Length);
            // An oversized protocol-name length and 300 bytes of noise, as an encrypted (MSE) or foreign client might send.
            var garbage = new byte[300];
            new Random(7).NextBytes(garbage);
            garbage[0] = 0xFF;
            await s.SendAsync(garbage);
            return await ClosedByOtherSide(s);
        });

        using var cts = new CancellationTokenSource(Wait);
        var error = await Assert.ThrowsAsync<PeerProtocolException>(() => HandshakeExchange.DialAsync(new PeerDialer(null), Listening, Ours(), cts.Token));
        Assert.Contains("not a BitTorrent handshake", error.Message);
        Assert.True(await peer);
    }

    [Fact]
    public async Task Dialling_fails_when_the_peer_closes_halfway_through_its_handshake()
    {
        var peer = Task.Run(async () =>
        {
            using var s = await _listener.AcceptAsync();
            await ReadExactly(s, Handshake.Length);
            await s.SendAsync(new Handshake(Hash, Handshake.NewPeerId(), true, true).ToArray().AsMemory(0, 30));
            s.Shutdown(SocketShutdown.Both);
        });

        using var cts = new CancellationTokenSource(Wait);
        var error = await Assert.ThrowsAsync<IOException>(() => HandshakeExchange.DialAsync(new PeerDialer(null), Listening, Ours(), cts.Token));
        Assert.Contains("30 of 68 bytes", error.Message);
        await peer;
    }

    [Fact]
    public async Task Dialling_a_silent_peer_ends_when_the_callers_time_is_up()
    {
        var accepted = _listener.AcceptAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        // The fact, not a stopwatch (the runtime's timer may fire a millisecond or two before a stopwatch reads 300 ms):
        // the dial ends by the caller's token, within the bound, and not by the silent peer.
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => HandshakeExchange.DialAsync(new PeerDialer(null), Listening, Ours(), cts.Token).WaitAsync(Wait));
        Assert.True(cts.IsCancellationRequested, error.Message);
        using var s = await accepted;
        Assert.True(await ClosedByOtherSide(s), "the dialled socket should be closed");
    }

    [Fact]
    public async Task Dialling_a_port_nobody_listens_on_fails()
    {
        using var cts = new CancellationTokenSource(Wait);
        await Assert.ThrowsAsync<SocketException>(() =>
            HandshakeExchange.DialAsync(new PeerDialer(null), new IPEndPoint(IPAddress.Loopback, TestNodes.UnusedPort()), Ours(), cts.Token));
    }

    [Fact]
    public async Task Receiving_reads_exactly_the_handshake_and_leaves_the_rest_in_the_socket()
    {
        var theirs = new Handshake(Hash, Handshake.NewPeerId("-XX0001-"), SupportsExtensions: true, SupportsFast: false);
        using var client = await Connect();
        using var server = await _listener.AcceptAsync();
        // Handshake and a first message in one write, as most clients send them.
        await client.SendAsync((byte[])[.. theirs.ToArray(), 0, 0, 0, 1, 2]);

        using var cts = new CancellationTokenSource(Wait);
        var remote = await HandshakeExchange.ReceiveAsync(new NetworkStream(server), cts.Token);

        Assert.Equal((Hash, Hex(theirs.PeerId), true, false), (remote.InfoHash, Hex(remote.PeerId), remote.SupportsExtensions, remote.SupportsFast));
        Assert.Equal(new byte[] { 0, 0, 0, 1, 2 }, await ReadExactly(server, 5));
    }

    [Fact]
    public async Task Receiving_a_handshake_that_arrives_byte_by_byte()
    {
        var theirs = new Handshake(OtherHash, Handshake.NewPeerId(), true, true).ToArray();
        using var client = await Connect();
        using var server = await _listener.AcceptAsync();
        using var cts = new CancellationTokenSource(Wait);
        var receiving = HandshakeExchange.ReceiveAsync(new NetworkStream(server), cts.Token);
        foreach (var b in theirs)
        {
            await client.SendAsync(new[] { b });
        }

        // The accepting side routes by whatever info-hash it reads; checking it is the router's job.
        Assert.Equal(OtherHash, (await receiving).InfoHash);
    }

    [Fact]
    public async Task Receiving_refuses_garbage()
    {
        using var client = await Connect();
        using var server = await _listener.AcceptAsync();
        await client.SendAsync(new byte[Handshake.Length]);

        using var cts = new CancellationTokenSource(Wait);
        await Assert.ThrowsAsync<PeerProtocolException>(() => HandshakeExchange.ReceiveAsync(new NetworkStream(server), cts.Token));
    }

    [Fact]
    public async Task Receiving_fails_when_the_peer_closes_before_its_handshake_is_whole()
    {
        using var client = await Connect();
        using var server = await _listener.AcceptAsync();
        await client.SendAsync(new Handshake(Hash, Handshake.NewPeerId(), true, true).ToArray().AsMemory(0, 20));
        client.Shutdown(SocketShutdown.Both);

        using var cts = new CancellationTokenSource(Wait);
        var error = await Assert.ThrowsAsync<IOException>(() => HandshakeExchange.ReceiveAsync(new NetworkStream(server), cts.Token));
        Assert.Contains("20 of 68 bytes", error.Message);
    }

    [Fact]
    public async Task Receiving_from_a_peer_that_stalls_ends_when_the_callers_time_is_up()
    {
        using var client = await Connect();
        using var server = await _listener.AcceptAsync();
        await client.SendAsync(new byte[] { 19 });
        using var cts = new CancellationTokenSource();
        var receiving = HandshakeExchange.ReceiveAsync(new NetworkStream(server), cts.Token);
        cts.CancelAfter(TimeSpan.FromMilliseconds(300));

        // The fact, not a stopwatch: the read ends by the caller's token, not by the stalled peer.
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => receiving.WaitAsync(Wait));
        Assert.True(cts.IsCancellationRequested, error.Message);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private static Handshake Ours() => new(Hash, Handshake.NewPeerId(), SupportsExtensions: true, SupportsFast: true);

    private async Task<Socket> Connect()
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(Listening);
        return client;
    }

    private static async Task<byte[]> ReadExactly(Stream stream, int count)
    {
        using var cts = new CancellationTokenSource(Wait);
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, cts.Token);
        return buffer;
    }

    private static async Task<byte[]> ReadExactly(Socket socket, int count)
    {
        using var cts = new CancellationTokenSource(Wait);
        var buffer = new byte[count];
        var got = 0;
        while (got < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, cts.Token);
            if (n == 0)
            {
                throw new IOException($"closed after {got} of {count} bytes");
            }

            got += n;
        }

        return buffer;
    }

    /// <summary>True when the other side closes (or resets) the connection within the wait (bytes before that are skipped).</summary>
    private static async Task<bool> ClosedByOtherSide(Socket socket)
    {
        using var cts = new CancellationTokenSource(Wait);
        var buffer = new byte[256];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
