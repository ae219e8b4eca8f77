using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
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

    /// <summary>What System.Text.Json's serializer wrote for these records (the wire of the previous version): the
    /// hand-written codec must write and read the same JSON.</summary>
    private static readonly JsonSerializerOptions Serializer = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    [Fact]
    public void Every_command_and_reply_record_of_the_console_protocol_crosses_the_local_wire_with_every_field()
    {
        var records = ConsoleRecords();
        Assert.True(records.Count > 25, $"only {records.Count} console records found");
        Assert.Equal(records.Select(t => t.Name).Order(), LocalConsoleCodec.Names.Order());
        foreach (var type in records)
        {
            // Every field, init-only ones included, set to something other than its default: a field the codec
            // forgets comes back different.
            var sample = Sample(type, 1);
            var back = typeof(IConsoleCommand).IsAssignableFrom(type)
                ? (object?)LocalConsoleWire.DecodeRequest(LocalConsoleWire.EncodeRequest(new ConsoleRequest("s", (IConsoleCommand)sample))).Command
                : LocalConsoleWire.DecodeReply(LocalConsoleWire.EncodeReply((IConsoleReply)sample)).Reply;
            Assert.NotNull(back);
            Assert.IsType(type, back);
            Assert.Equal(JsonSerializer.Serialize(sample, type, Serializer), JsonSerializer.Serialize(back, type, Serializer));
        }
    }

    [Fact]
    public void The_wire_is_the_json_the_previous_version_wrote_so_either_side_may_be_one_version_older()
    {
        foreach (var type in ConsoleRecords())
        {
            var sample = Sample(type, 2);
            var frame = typeof(IConsoleCommand).IsAssignableFrom(type)
                ? LocalConsoleWire.EncodeRequest(new ConsoleRequest("s", (IConsoleCommand)sample))
                : LocalConsoleWire.EncodeReply((IConsoleReply)sample);
            var written = JsonNode.Parse(frame)!["Value"];
            var serialized = JsonSerializer.SerializeToNode(sample, type, Serializer);
            Assert.True(JsonNode.DeepEquals(serialized, written), $"{type.Name}: {written?.ToJsonString()} is not {serialized?.ToJsonString()}");

            // And what the serializer wrote reads back as the same record.
            var old = Encoding.UTF8.GetBytes($"{{\"Secret\":\"s\",\"Type\":\"{type.Name}\",\"Value\":{serialized!.ToJsonString(Serializer)}}}");
            var back = typeof(IConsoleCommand).IsAssignableFrom(type) ? (object?)LocalConsoleWire.DecodeRequest(old).Command : LocalConsoleWire.DecodeReply(old).Reply;
            Assert.Equal(JsonSerializer.Serialize(sample, type, Serializer), JsonSerializer.Serialize(back, type, Serializer));
        }
    }

    [Fact]
    public void Rates_that_are_not_numbers_cross_as_the_strings_json_spells_them_with()
    {
        var status = new NodeStatus("id", "1", double.NaN, "p", "d", "j", "standalone", 0, 0, 0, 0, 0, 0, double.PositiveInfinity, double.NegativeInfinity, 0, 0, "info");
        var back = Assert.IsType<NodeStatus>(LocalConsoleWire.DecodeReply(LocalConsoleWire.EncodeReply(status)).Reply);
        Assert.True(double.IsNaN(back.UptimeSeconds));
        Assert.Equal(double.PositiveInfinity, back.DownloadRate);
        Assert.Equal(double.NegativeInfinity, back.UploadRate);
    }

    [Fact]
    public void Fields_added_to_the_protocol_later_may_be_absent_and_keep_their_defaults()
    {
        var peer = "{\"EndPoint\":\"e\",\"Client\":\"c\",\"Incoming\":false,\"DownloadRate\":0,\"UploadRate\":0,\"Downloaded\":0,\"Uploaded\":0,\"AmChoking\":true,\"PeerChoking\":true,\"Interested\":false,\"Progress\":0}";
        var frame = Encoding.UTF8.GetBytes($"{{\"Type\":\"PeerListing\",\"Value\":{{\"InfoHash\":\"h\",\"Name\":\"n\",\"Peers\":[{peer}]}}}}");
        var listing = Assert.IsType<PeerListing>(LocalConsoleWire.DecodeReply(frame).Reply);
        Assert.Empty(listing.WebSeeds);
        Assert.Equal("tcp", Assert.Single(listing.Peers).Transport);
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
    [InlineData("{\"Secret\":\"s\",\"Type\":\"PauseTorrent\",\"Value\":{}}")]
    [InlineData("{\"Secret\":\"s\",\"Type\":\"PauseTorrent\",\"Value\":[]}")]
    [InlineData("{\"Secret\":\"s\",\"Type\":\"SetLimits\",\"Value\":{\"Torrent\":null,\"DownloadLimit\":1.5,\"UploadLimit\":null}}")]
    [InlineData("{\"Secret\":\"s\",\"Type\":\"Search\",\"Value\":{\"Words\":[\"a\",3]}}")]
    [InlineData("{\"Secret\":\"s\",\"Type\":\"AddTorrentFile\",\"Value\":{\"TorrentFile\":\"not base64!\",\"SavePath\":null}}")]
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
    public void Blocking_frames_read_what_async_frames_wrote_and_refuse_the_same_damage()
    {
        using var stream = new MemoryStream();
        LocalConsoleWire.WriteFrame(stream, [1, 2, 3]);
        stream.Position = 0;
        Assert.Equal(new byte[] { 1, 2, 3 }, LocalConsoleWire.ReadFrame(stream, 3));
        Assert.Null(LocalConsoleWire.ReadFrame(stream, 3));

        stream.Position = 0;
        Assert.Throws<LocalWireException>(() => LocalConsoleWire.ReadFrame(stream, 2));

        var header = new byte[6];
        BinaryPrimitives.WriteInt32BigEndian(header, 10);
        Assert.Throws<LocalWireException>(() => LocalConsoleWire.ReadFrame(new MemoryStream(header), 100));
        Assert.Throws<LocalWireException>(() => LocalConsoleWire.ReadFrame(new MemoryStream([0, 0]), 100));
    }

    [Fact]
    public void A_loopback_console_also_finds_a_node_bound_to_every_interface_and_another_address_only_its_own()
    {
        Assert.Equal(
            ["/f/127.0.0.1-4050.sock", "/f/0.0.0.0-4050.sock", "/f/__-4050.sock"],
            LocalConsoleWire.Candidates("/f", LocalConsoleWire.Loopback("localhost")!, 4050));
        Assert.Equal(["/f/__1-7.sock", "/f/0.0.0.0-7.sock", "/f/__-7.sock"], LocalConsoleWire.Candidates("/f", LocalConsoleWire.Loopback("::1")!, 7));
        // The names a node's socket gets from its bound address.
        Assert.Equal(LocalConsoleWire.SocketPath("/f", IPAddress.Any, 9), LocalConsoleWire.Candidates("/f", "127.0.0.1", 9)[1]);
        Assert.Equal(LocalConsoleWire.SocketPath("/f", IPAddress.IPv6Any, 9), LocalConsoleWire.Candidates("/f", "127.0.0.1", 9)[2]);
        Assert.Null(LocalConsoleWire.Loopback("10.0.0.5"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.3.40")]
    [InlineData("127.0.0.01")]
    [InlineData("127.000.0.1")]
    [InlineData("127.1")]
    [InlineData("127.0.0.256")]
    [InlineData("127.0.0")]
    [InlineData("127.0.0.1.")]
    [InlineData("127.0.0.-1")]
    [InlineData("128.0.0.1")]
    [InlineData("10.0.0.5")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("0:0:0:0:0:0:0:1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::")]
    [InlineData("example.org")]
    [InlineData("")]
    public void A_target_is_a_loopback_address_and_spelt_exactly_as_system_net_would_say(string host)
    {
        // The fast reading of 127.x.y.z must never disagree with IPAddress, which names the node's socket.
        var expected = IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip) ? ip.ToString() : null;
        Assert.Equal(expected, LocalConsoleWire.Loopback(host));
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

    private static List<Type> ConsoleRecords() => [.. typeof(ConsoleMessages).GetNestedTypes()
        .Where(t => !t.IsInterface && (typeof(IConsoleCommand).IsAssignableFrom(t) || typeof(IConsoleReply).IsAssignableFrom(t)))];

    /// <summary>An instance of <paramref name="type"/> with every constructor parameter and init-only property set to a
    /// value other than its default (<paramref name="seed"/> varies them), nested records and arrays included.</summary>
    private static object Sample(Type type, int seed)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var parameters = constructor.GetParameters();
        var value = constructor.Invoke([.. parameters.Select(p => Value(p.ParameterType, p.Name!, seed))]);
        foreach (var property in type.GetProperties().Where(p => p.CanWrite && parameters.All(c => c.Name != p.Name)))
        {
            property.SetValue(value, Value(property.PropertyType, property.Name, seed));
        }

        return value;
    }

    private static object Value(Type type, string name, int seed)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => $"{name} {seed} ü\"\\",
            _ when type == typeof(int) => 7 + seed,
            _ when type == typeof(long) => (1L << 40) + seed,
            _ when type == typeof(double) => 2.5 + seed,
            _ when type == typeof(bool) => true,
            _ when type == typeof(byte[]) => new byte[] { 0, (byte)seed, 255 },
            _ when type == typeof(DateTime) => new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddSeconds(seed),
            _ when type == typeof(DateTimeOffset) => new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddSeconds(seed),
            _ when type == typeof(string[]) => new[] { $"{name}-a", $"{name}-b{seed}" },
            _ when type == typeof(int[]) => new[] { 1, 0, seed },
            { IsArray: true } => ArrayOf(type.GetElementType()!, name, seed),
            _ when type.IsClass => Sample(type, seed),
            _ => throw new InvalidOperationException($"no sample value for {type.Name} {name}: add one"),
        };
    }

    private static Array ArrayOf(Type element, string name, int seed)
    {
        var array = System.Array.CreateInstance(element, 2);
        array.SetValue(Value(element, name, seed), 0);
        array.SetValue(Value(element, name, seed + 1), 1);
        return array;
    }
}
