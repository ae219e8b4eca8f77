using System.Buffers.Binary;
using System.Net;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Node.ConsoleClient;
using Xunit;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Tests.ConsoleClient;

/// <summary>The console protocol on the local socket: every record crosses it, and what comes out renders exactly as
/// what went in (the one-shot console prints the same as over remoting).</summary>
public sealed class LocalConsoleWireTests
{
    private static readonly DateTime Now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Every_command_and_reply_record_of_the_console_protocol_crosses_the_local_wire()
    {
        var records = typeof(ConsoleMessages).GetNestedTypes()
            .Where(t => !t.IsInterface && (typeof(IConsoleCommand).IsAssignableFrom(t) || typeof(IConsoleReply).IsAssignableFrom(t)))
            .ToList();
        Assert.True(records.Count > 25, $"only {records.Count} console records found");
        Assert.Equal(records.Count, LocalConsoleWire.Types.Count);
        Assert.All(records, t => Assert.NotNull(LocalConsoleJson.Default.GetTypeInfo(t)));
    }

    [Fact]
    public void Replies_come_out_rendering_as_they_went_in_as_text_and_as_json()
    {
        var summary = new TorrentSummary(new string('a', 40), "name with ünïcode", 123456789, 0.5, "downloading", "disk full", 1.5, 2.25, 1000, 2000, 3, 1, 8, 4, "/data", 500, 0)
        {
            Replica = true,
            InfoHashV2 = new string('b', 64),
            Private = true,
            PeersSending = 2,
            Factor = 2,
            JournalPending = 3,
            JournalWaitSeconds = 0.75,
        };
        var peer = new PeerSummary("10.0.0.1:6881", "Transmission 4.0", true, 100, 200, 3000, 4000, false, true, true, 0.25) { Transport = "utp", Encrypted = true };
        var bits = new byte[] { 0b1001_0000 };
        IConsoleReply[] replies =
        [
            new NodeStatus("id", "1.0.0", 61.5, "127.0.0.1:6881", "/data", "SQLite", "standalone", 3, 1, 1, 1, 0, 4, 10.5, 20.5, 0, 1024, "info") { DhtNodes = 12 },
            new NodeStatus("id", "1.0.0", 0, "127.0.0.1:6881", "/data", "SQLite", "standalone", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "info"),
            new TorrentListing([summary, summary with { State = "seeding", Error = null }]),
            new TorrentDetail(summary, 16384, 2, "journal slow", null, bits, [new FileSummary("a/b.bin", 100, 0.5)], [new TrackerSummary("http://t/announce", "working", null, new DateTime(2026, 1, 1, 0, 5, 0, DateTimeKind.Utc))], [peer]),
            new PeerListing(summary.InfoHash, summary.Name, [peer]) { WebSeeds = [new WebSeedSummary("http://w/", "backing off", 10, 0, "503", new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero))] },
            new Done("paused", summary),
            new Done("log level is now info", null),
            new Refused("wrong console secret"),
            new CommandFailed("no torrent matches 'x'"),
            new Limits(null, null, 0, 5 << 20),
            new SearchListing([new SearchHit(summary.InfoHash, "hit", 5, 2, ["m1", "m2"])], ["m3"]),
            new ClusterInfo("self", null, [new ClusterMember("akka.tcp://swarm@127.0.0.1:4060", "up", true, true, true, new string('c', 32), "127.0.0.1:6881", 3, 2)]),
            new ClusterTorrentListing([new ClusterTorrent(summary.InfoHash, "t", 5, 2, 1, 1, ["m1"])]),
            new ReplicaInfo(summary.InfoHash, "t", 2, true, 1, [new ReplicaHolder("m1", new string('c', 32), true, 1, true)]),
            new DhtInfo(true, new string('e', 40), "0.0.0.0:6881", 3, [1, 2, 0], 4, 5, 6, [new DhtLookupSummary(new string('d', 40), "get_peers", 8, 2, 1, new DateTime(2026, 1, 1, 0, 0, 5, DateTimeKind.Utc), 0.4)]),
            new DhtInfo(false, null, null, 0, [], 0, 0, 0, []),
        ];

        foreach (var reply in replies)
        {
            var (back, _) = LocalConsoleWire.DecodeReply(LocalConsoleWire.EncodeReply(reply));
            Assert.NotNull(back);
            Assert.IsType(reply.GetType(), back);
            Assert.Equal(Rendered(reply, json: false), Rendered(back, json: false));
            Assert.Equal(Rendered(reply, json: true), Rendered(back, json: true));
        }
    }

    [Fact]
    public void A_request_keeps_its_secret_and_every_field_of_its_command()
    {
        var file = new byte[] { 0, 1, 2, 255 };
        var request = LocalConsoleWire.DecodeRequest(LocalConsoleWire.EncodeRequest(new ConsoleRequest("s3cret", new AddTorrentFile(file, "/dl"))));
        Assert.Equal("s3cret", request.Secret);
        var add = Assert.IsType<AddTorrentFile>(request.Command);
        Assert.Equal(file, add.TorrentFile);
        Assert.Equal("/dl", add.SavePath);

        var limits = Assert.IsType<SetLimits>(LocalConsoleWire.DecodeRequest(LocalConsoleWire.EncodeRequest(new ConsoleRequest(string.Empty, new SetLimits("abc", null, 500)))).Command);
        Assert.Equal(new SetLimits("abc", null, 500), limits);
        Assert.Equal(["a", "b"], Assert.IsType<Search>(LocalConsoleWire.DecodeRequest(LocalConsoleWire.EncodeRequest(new ConsoleRequest(string.Empty, new Search(["a", "b"])))).Command).Words);
        Assert.IsType<GetNodeStatus>(LocalConsoleWire.DecodeRequest(LocalConsoleWire.EncodeRequest(new ConsoleRequest(string.Empty, new GetNodeStatus()))).Command);
    }

    [Fact]
    public void An_unanswered_request_says_how_long_the_node_waited()
    {
        var (reply, seconds) = LocalConsoleWire.DecodeReply(LocalConsoleWire.EncodeUnanswered(TimeSpan.FromSeconds(14)));
        Assert.Null(reply);
        Assert.Equal(14, seconds);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"Secret\":\"s\"}")]
    [InlineData("{\"Secret\":\"s\",\"Type\":\"ConsoleRequest\",\"Value\":{}}")]
    [InlineData("{\"Secret\":\"s\",\"Type\":\"System.IO.FileInfo\",\"Value\":{}}")]
    [InlineData("{\"Secret\":\"s\",\"Type\":\"NodeStatus\",\"Value\":{}}")]
    [InlineData("{\"Type\":\"GetNodeStatus\",\"Value\":{}}")]
    [InlineData("{\"Secret\":\"s\",\"Type\":\"PauseTorrent\",\"Value\":{\"Torrent\":5}}")]
    public void Anything_but_a_console_request_is_refused_with_one_clear_reason(string text)
    {
        var e = Assert.Throws<LocalWireException>(() => LocalConsoleWire.DecodeRequest(System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public async Task Frames_round_trip_and_an_oversized_or_cut_frame_is_refused()
    {
        using var stream = new MemoryStream();
        await LocalConsoleWire.WriteFrameAsync(stream, [1, 2, 3], CancellationToken.None);
        stream.Position = 0;
        Assert.Equal(new byte[] { 1, 2, 3 }, await LocalConsoleWire.ReadFrameAsync(stream, 3, CancellationToken.None));
        Assert.Null(await LocalConsoleWire.ReadFrameAsync(stream, 3, CancellationToken.None));

        stream.Position = 0;
        await Assert.ThrowsAsync<LocalWireException>(() => LocalConsoleWire.ReadFrameAsync(stream, 2, CancellationToken.None));

        var header = new byte[6];
        BinaryPrimitives.WriteInt32BigEndian(header, 10);
        await Assert.ThrowsAsync<LocalWireException>(() => LocalConsoleWire.ReadFrameAsync(new MemoryStream(header), 100, CancellationToken.None));
        await Assert.ThrowsAsync<LocalWireException>(() => LocalConsoleWire.ReadFrameAsync(new MemoryStream([0, 0]), 100, CancellationToken.None));
    }

    [Fact]
    public void A_loopback_console_also_finds_a_node_bound_to_every_interface_and_another_address_only_its_own()
    {
        Assert.Equal(
            ["/f/127.0.0.1-4050.sock", "/f/0.0.0.0-4050.sock", "/f/__-4050.sock"],
            LocalConsoleWire.Candidates("/f", IPAddress.Loopback, 4050));
        Assert.Equal(["/f/10.0.0.5-4050.sock"], LocalConsoleWire.Candidates("/f", IPAddress.Parse("10.0.0.5"), 4050));
        Assert.Equal(["/f/__1-7.sock", "/f/0.0.0.0-7.sock", "/f/__-7.sock"], LocalConsoleWire.Candidates("/f", IPAddress.IPv6Loopback, 7));
    }

    [Fact]
    public void Only_a_console_bound_to_loopback_or_every_interface_opens_a_socket_a_loopback_target_can_reach()
    {
        Assert.True(LocalConsoleWire.ServesLoopback(IPAddress.Loopback));
        Assert.True(LocalConsoleWire.ServesLoopback(IPAddress.Parse("127.0.0.2")));
        Assert.True(LocalConsoleWire.ServesLoopback(IPAddress.IPv6Loopback));
        Assert.True(LocalConsoleWire.ServesLoopback(IPAddress.Any));
        Assert.True(LocalConsoleWire.ServesLoopback(IPAddress.IPv6Any));
        Assert.False(LocalConsoleWire.ServesLoopback(IPAddress.Parse("10.77.0.2")));
        Assert.False(LocalConsoleWire.ServesLoopback(IPAddress.Parse("2001:db8::1")));
    }

    private static string Rendered(IConsoleReply reply, bool json)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = ConsoleRenderer.Render(reply, json, output, error, Now);
        return $"{code}\n{output}\n{error}";
    }
}
