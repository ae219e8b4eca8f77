using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Swarm.Actors.Peers.Encryption;
using Swarm.Actors.Tests.Support;
using Swarm.Protocol;
using Swarm.Protocol.Mse;
using Swarm.Protocol.PeerWire;
using Xunit;

namespace Swarm.Actors.Tests.Peers.Encryption;

/// <summary>The MSE handshake over real loopback sockets: our encrypted initiator against our receiver under each
/// policy, a plain peer against `prefer`, `require` refusing plain, garbage failing one connection, and the bytes a
/// peer sends right behind the handshake reaching a Pipelines reader intact.</summary>
public sealed class MseHandshakeTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly InfoHash Hash = new(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray());
    private static readonly InfoHash OtherHash = new(Enumerable.Range(101, 20).Select(i => (byte)i).ToArray());
    private readonly Socket _listener = RawPeer.Listen();

    private IPEndPoint Listening => (IPEndPoint)_listener.LocalEndPoint!;

    public void Dispose() => _listener.Dispose();

    [Theory]
    // Prefer on both ends: an MSE handshake, then plaintext, as libtorrent selects when both are offered.
    [InlineData(EncryptionPolicy.Prefer, EncryptionPolicy.Prefer, false)]
    [InlineData(EncryptionPolicy.Require, EncryptionPolicy.Prefer, true)]
    [InlineData(EncryptionPolicy.Prefer, EncryptionPolicy.Require, true)]
    [InlineData(EncryptionPolicy.Require, EncryptionPolicy.Require, true)]
    public async Task Our_initiator_and_our_receiver_agree_and_carry_the_stream(EncryptionPolicy dialler, EncryptionPolicy answerer, bool encrypted)
    {
        using var cts = new CancellationTokenSource(Wait);
        var ours = new Handshake(Hash, Handshake.NewPeerId(), true, true).ToArray();
        var payload = new byte[300_000];
        new Random(1).NextBytes(payload);

        var accepting = Task.Run(async () =>
        {
            using var socket = await _listener.AcceptAsync(cts.Token);
            await using var stream = await MseHandshake.AcceptAsync(new NetworkStream(socket), answerer, Torrents(OtherHash, Hash), cts.Token);
            // What came right behind the handshake (IA, then the payload the dialler wrote at once) reaches a
            // Pipelines reader whole, as PeerWireChannel reads it.
            var reader = PipeReader.Create(stream);
            var got = await ReadAll(reader, Handshake.Length + payload.Length, cts.Token);
            await stream.WriteAsync(payload.AsMemory(0, 1000), cts.Token);
            return (stream.Encrypted, got);
        });

        using var dialled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await dialled.ConnectAsync(Listening, cts.Token);
        await using var link = await MseHandshake.InitiateAsync(new NetworkStream(dialled), Hash, new EncryptionFallbacks(dialler).Offer(Listening), ours, cts.Token);
        await link.WriteAsync(payload, cts.Token);
        var (theirEncrypted, received) = await accepting;

        Assert.Equal(encrypted, link.Encrypted);
        Assert.Equal(encrypted, theirEncrypted);
        Assert.Equal([.. ours, .. payload], received);
        var back = new byte[1000];
        await link.ReadExactlyAsync(back, cts.Token);
        Assert.Equal(payload.AsSpan(0, 1000).ToArray(), back);
    }

    [Fact]
    public async Task A_plain_handshake_passes_prefer_with_its_bytes_intact()
    {
        using var cts = new CancellationTokenSource(Wait);
        var accepting = Task.Run(async () =>
        {
            using var socket = await _listener.AcceptAsync(cts.Token);
            await using var stream = await MseHandshake.AcceptAsync(new NetworkStream(socket), EncryptionPolicy.Prefer, NoTorrentsExpected, cts.Token);
            var buffer = new byte[Handshake.Length];
            await stream.ReadExactlyAsync(buffer, cts.Token);
            return (stream.Encrypted, Handshake.Parse(buffer));
        });

        using var dialled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await dialled.ConnectAsync(Listening, cts.Token);
        await dialled.SendAsync(new Handshake(Hash, Handshake.NewPeerId(), false, true).ToArray(), cts.Token);
        var (encrypted, handshake) = await accepting;
        Assert.False(encrypted);
        Assert.Equal(Hash, handshake.InfoHash);
    }

    [Fact]
    public async Task Require_refuses_a_plain_handshake()
    {
        using var cts = new CancellationTokenSource(Wait);
        var accepting = Task.Run(async () =>
        {
            using var socket = await _listener.AcceptAsync(cts.Token);
            return await Assert.ThrowsAsync<PeerProtocolException>(() => MseHandshake.AcceptAsync(new NetworkStream(socket), EncryptionPolicy.Require, NoTorrentsExpected, cts.Token));
        });

        using var dialled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await dialled.ConnectAsync(Listening, cts.Token);
        await dialled.SendAsync(new Handshake(Hash, Handshake.NewPeerId(), false, true).ToArray(), cts.Token);
        Assert.Contains("encryption is required", (await accepting).Message);
    }

    [Fact]
    public async Task Disable_refuses_MSE_and_a_plain_only_dialler_never_offers_it()
    {
        Assert.Equal(CryptoMethods.None, new EncryptionFallbacks(EncryptionPolicy.Disable).Offer(Listening));
        using var cts = new CancellationTokenSource(Wait);
        var accepting = Task.Run(async () =>
        {
            using var socket = await _listener.AcceptAsync(cts.Token);
            return await Assert.ThrowsAsync<PeerProtocolException>(() => MseHandshake.AcceptAsync(new NetworkStream(socket), EncryptionPolicy.Disable, NoTorrentsExpected, cts.Token));
        });

        using var dialled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await dialled.ConnectAsync(Listening, cts.Token);
        var dial = MseHandshake.InitiateAsync(new NetworkStream(dialled, ownsSocket: false), Hash, CryptoMethods.Rc4, [], cts.Token);
        Assert.Contains("encryption is disabled", (await accepting).Message);
        await Assert.ThrowsAnyAsync<IOException>(() => dial);
    }

    [Fact]
    public async Task A_dial_for_a_torrent_the_receiver_lacks_fails_on_both_sides()
    {
        using var cts = new CancellationTokenSource(Wait);
        var accepting = Task.Run(async () =>
        {
            using var socket = await _listener.AcceptAsync(cts.Token);
            return await Assert.ThrowsAsync<MseException>(() => MseHandshake.AcceptAsync(new NetworkStream(socket), EncryptionPolicy.Prefer, Torrents(OtherHash), cts.Token));
        });

        using var dialled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await dialled.ConnectAsync(Listening, cts.Token);
        var dial = MseHandshake.InitiateAsync(new NetworkStream(dialled, ownsSocket: false), Hash, CryptoMethods.Rc4, [], cts.Token);
        Assert.Contains("unknown SKEY", (await accepting).Message);
        await Assert.ThrowsAnyAsync<IOException>(() => dial);
    }

    [Fact]
    public async Task Garbage_fails_its_own_connection_within_the_sync_limit_and_no_other()
    {
        using var cts = new CancellationTokenSource(Wait);
        var first = Task.Run(async () =>
        {
            using var socket = await _listener.AcceptAsync(cts.Token);
            var error = await Assert.ThrowsAsync<MseException>(() => MseHandshake.AcceptAsync(new NetworkStream(socket), EncryptionPolicy.Prefer, Torrents(Hash), cts.Token));
            using var second = await _listener.AcceptAsync(cts.Token);
            await using var stream = await MseHandshake.AcceptAsync(new NetworkStream(second), EncryptionPolicy.Prefer, Torrents(Hash), cts.Token);
            var buffer = new byte[Handshake.Length];
            await stream.ReadExactlyAsync(buffer, cts.Token);
            return (error, Handshake.Parse(buffer));
        });

        using var flooder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await flooder.ConnectAsync(Listening, cts.Token);
        var garbage = new byte[64 * 1024];
        new Random(7).NextBytes(garbage);
        garbage[0] = 0x7f; // a valid-looking Ya (below P), so the flood reaches the req1 search
        try
        {
            await flooder.SendAsync(garbage, cts.Token);
        }
        catch (SocketException)
        {
            // The receiver may close before the whole flood is written.
        }

        using var honest = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await honest.ConnectAsync(Listening, cts.Token);
        var ours = new Handshake(Hash, Handshake.NewPeerId(), true, true).ToArray();
        await using var link = await MseHandshake.InitiateAsync(new NetworkStream(honest, ownsSocket: false), Hash, CryptoMethods.Rc4, ours, cts.Token);
        var (error, handshake) = await first;
        Assert.Contains("req1", error.Message);
        Assert.Equal(Hash, handshake.InfoHash);
    }

    [Fact]
    public void Prefer_alternates_after_a_dropped_dial_like_libtorrent()
    {
        var fallbacks = new EncryptionFallbacks(EncryptionPolicy.Prefer);
        var peer = IPEndPoint.Parse("10.0.0.1:6881");
        Assert.Equal(CryptoMethods.Rc4 | CryptoMethods.Plaintext, fallbacks.Offer(peer));
        fallbacks.Dropped(peer, fallbacks.Offer(peer));
        Assert.Equal(CryptoMethods.None, fallbacks.Offer(peer));
        Assert.Equal(CryptoMethods.Rc4 | CryptoMethods.Plaintext, fallbacks.Offer(IPEndPoint.Parse("10.0.0.2:6881")));
        fallbacks.Dropped(peer, fallbacks.Offer(peer));
        Assert.Equal(CryptoMethods.Rc4 | CryptoMethods.Plaintext, fallbacks.Offer(peer));

        var require = new EncryptionFallbacks(EncryptionPolicy.Require);
        require.Dropped(peer, CryptoMethods.Rc4);
        Assert.Equal(CryptoMethods.Rc4, require.Offer(peer));
    }

    private static Func<CancellationToken, Task<IReadOnlyCollection<InfoHash>>> Torrents(params InfoHash[] hashes) =>
        _ => Task.FromResult<IReadOnlyCollection<InfoHash>>(hashes);

    private static Task<IReadOnlyCollection<InfoHash>> NoTorrentsExpected(CancellationToken ct) =>
        throw new InvalidOperationException("a plain handshake needs no torrent list");

    private static async Task<byte[]> ReadAll(PipeReader reader, int length, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            if (result.Buffer.Length >= length)
            {
                var bytes = result.Buffer.Slice(0, length).ToArray();
                reader.AdvanceTo(result.Buffer.GetPosition(length));
                return bytes;
            }

            if (result.IsCompleted)
            {
                throw new IOException($"stream ended after {result.Buffer.Length} of {length} bytes");
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
