using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Swarm.Actors.Catalog;
using Swarm.Actors.Configuration;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Peers;

/// <summary>A node on real loopback sockets against peers that misbehave on purpose: what they can make it hold, and
/// that it lets go of them (and of the memory they made it queue).</summary>
public sealed class PeerHardeningTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Connections_in_the_handshake_are_capped_per_address_and_node_wide_and_expire_on_the_clock()
    {
        var clock = new ManualClock();
        var (_, listen, _) = StartNode("caps", clock, """
            swarm.peer-hardening.max-incoming-handshakes = 4
            swarm.peer-hardening.max-incoming-handshakes-per-address = 2
            swarm.peer.handshake-timeout = 2s
            """);
        var held = new List<Socket>();
        try
        {
            held.Add(await Connect("127.0.0.2", listen));
            held.Add(await Connect("127.0.0.2", listen));
            Assert.True(await RefusedAtOnce("127.0.0.2", listen), "a third connection from one address should be closed at once");

            held.Add(await Connect("127.0.0.3", listen));
            held.Add(await Connect("127.0.0.3", listen));
            Assert.True(await RefusedAtOnce("127.0.0.4", listen), "a fifth connection to the node should be closed at once");

            // The ones admitted earlier were not touched by the refusals, and the wall clock alone expires nothing.
            foreach (var s in held)
            {
                Assert.False(await ClosedWithin(s, TimeSpan.FromSeconds(1)), "an admitted connection was closed");
            }

            clock.Advance(TimeSpan.FromSeconds(2));
            foreach (var s in held)
            {
                Assert.True(await ClosedWithin(s, Wait), "a connection past its handshake deadline should be closed");
            }

            // Their places are free again. The node gives a place back after closing its socket, so a connect that
            // races the close may still meet the cap: try again until admitted, within the bound.
            await AwaitAssertAsync(
                async () =>
                {
                    using var next = await Connect("127.0.0.2", listen);
                    Assert.False(await ClosedWithin(next, TimeSpan.FromSeconds(1)), "a place freed by the deadline was not given back");
                },
                Wait);
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task A_peer_that_floods_metadata_requests_and_never_reads_is_disconnected_and_its_queue_released()
    {
        using var torrent = new TestTorrent(length: 1 << 16, pieceLength: 1 << 14);
        var (node, listen, context) = StartNode("flood", TimeProvider.System, """
            swarm.peer-hardening.metadata-fetches-per-window = 100000000
            swarm.peer-hardening.max-send-queue = 512KiB
            swarm.peer-hardening.send-queue-guaranteed = 64KiB
            """);
        await Seed(node, torrent);

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(listen);
        await using var stream = new NetworkStream(socket);
        await stream.WriteAsync(new Handshake(torrent.Metainfo.InfoHash, Handshake.NewPeerId("-XX0001-"), SupportsExtensions: true, SupportsFast: true).ToArray());
        await stream.WriteAsync(PeerMessageWriter.ToArray(new Extended(0, ExtensionHandshake.Ours(metadata: true, 1, null, null).Encode())));
        var request = PeerMessageWriter.ToArray(new Extended(ExtensionHandshake.OurMetadataId, MetadataMessage.Request(0).Encode()));
        var burst = Enumerable.Repeat(request, 1000).SelectMany(b => b).ToArray();

        // 200,000 requests (6 MB) asking for about 30 MB of answers, none of them read.
        var cut = false;
        for (var i = 0; i < 200 && !cut; i++)
        {
            try
            {
                await stream.WriteAsync(burst).AsTask().WaitAsync(Wait);
            }
            catch (IOException)
            {
                cut = true;
            }
        }

        Assert.True(cut || await Drained(stream), "the flooding peer should have been disconnected");
        await AwaitAssertAsync(() => Assert.Equal(0, context.SendBudget.Used), Wait);
    }

    [Fact]
    public async Task A_peer_asking_for_our_metadata_over_and_over_is_disconnected()
    {
        using var torrent = new TestTorrent(length: 1 << 16, pieceLength: 1 << 14);
        var (node, listen, _) = StartNode("metadata", TimeProvider.System, "");
        await Seed(node, torrent);

        await using var peer = await RawPeer.ConnectAsync(listen, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);
        await peer.SendAsync(new Extended(0, ExtensionHandshake.Ours(metadata: true, 1, null, null).Encode()));
        var allowed = TestNodes.Settings.PeerHardening.MetadataFetchesPerWindow; // one piece of metadata: that many asks
        var ask = new Extended(ExtensionHandshake.OurMetadataId, MetadataMessage.Request(0).Encode());
        for (var i = 0; i < allowed; i++)
        {
            await peer.SendAsync(ask);
            var answer = await peer.ReceiveAsync<Extended>(Wait);
            Assert.Equal(MetadataMessageType.Data, MetadataMessage.Decode(answer!.Payload, 1 << 20).Type);
        }

        await peer.SendAsync(ask);
        Assert.True(await peer.ClosedWithinAsync(Wait), "a peer asking past its metadata allowance should be disconnected");
    }

    [Fact]
    public async Task A_fast_peer_that_keeps_asking_while_choked_is_disconnected_after_the_reject_burst()
    {
        using var torrent = new TestTorrent(length: 1 << 16, pieceLength: 1 << 14);
        var (node, listen, _) = StartNode("rejects", TimeProvider.System, "");
        await Seed(node, torrent);

        // Never interested, so never unchoked: every request is refused with a reject.
        await using var peer = await RawPeer.ConnectAsync(listen, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);
        var burst = TestNodes.Settings.PeerHardening.RejectBurst;

        // Half the burst (what a choke crossing a full pipeline produces) is rejected one by one, and that is all.
        await peer.SendRawAsync(Requests(burst / 2));
        for (var i = 0; i < burst / 2; i++)
        {
            Assert.NotNull(await peer.ReceiveAsync<RejectRequest>(Wait));
        }

        // Asking on past the rate ends the connection (what was rejected meanwhile may be lost to the reset).
        try
        {
            await peer.SendRawAsync(Requests(3 * burst));
        }
        catch (IOException)
        {
        }

        Assert.True(await peer.ClosedWithinAsync(Wait), "a peer asking past the reject rate should be disconnected");
    }

    private static byte[] Requests(int count) =>
        [.. Enumerable.Range(0, count).SelectMany(i => PeerMessageWriter.ToArray(new Request(i % 4, 0, 16384)))];

    private (IActorRef Node, IPEndPoint Listen, NodeContext Context) StartNode(string name, TimeProvider clock, string overrides)
    {
        var settings = SwarmSettings.From(ConfigurationFactory.ParseString(overrides).WithFallback(TestNodes.Config));
        return TestNodes.Start(Sys, name, settings, clock, backlog: 64);
    }

    private async Task Seed(IActorRef node, TestTorrent torrent)
    {
        var added = await node.Ask<CatalogMessages.TorrentAccepted>(
            new CatalogMessages.AddTorrent(torrent.Metainfo, torrent.SeedDir, new TorrentOptions(SeedOnly: true)), Wait);
        await AwaitAssertAsync(
            async () => Assert.Equal(TorrentState.Seeding, (await node.Ask<TorrentStatus>(new CatalogMessages.ForTorrent(added.InfoHash, new TorrentMessages.GetStatus()), Wait)).State),
            Wait);
    }

    private static async Task<Socket> Connect(string from, IPEndPoint to)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
        await socket.ConnectAsync(to);
        return socket;
    }

    /// <summary>Connects and waits for the node to close the connection; a reset that beats the connect's own
    /// completion counts as closed too.</summary>
    private static async Task<bool> RefusedAtOnce(string from, IPEndPoint to)
    {
        Socket socket;
        try
        {
            socket = await Connect(from, to);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown)
        {
            // The node's reset can reach the connect itself: ECONNRESET, or EPIPE (SocketError.Shutdown) when the
            // reset lands between the handshake and the connect's own completion.
            return true;
        }

        using (socket)
        {
            return await ClosedWithin(socket, Wait);
        }
    }

    /// <summary>True when the node closes (or resets) the connection within the timeout; nothing is sent on it.</summary>
    private static async Task<bool> ClosedWithin(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await socket.ReceiveAsync(new byte[1], SocketFlags.None, cts.Token) == 0;
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

    /// <summary>Reads what the node queued until it closes the connection: true if it did within the wait.</summary>
    private static async Task<bool> Drained(NetworkStream stream)
    {
        var buffer = new byte[1 << 16];
        using var cts = new CancellationTokenSource(Wait);
        try
        {
            while (await stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
