using System.Text.Json;
using Swarm.Node.ConsoleClient;
using Xunit;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Tests.ConsoleClient;

/// <summary>`--json` output comes from generated serialization code (issue 14); scripts read it, so it must be the
/// bytes the reflection-based serializer wrote with the console's options, for every reply the console renders.</summary>
public sealed class ConsoleJsonContextTests
{
    private static readonly JsonSerializerOptions Reflection = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private static readonly DateTime At = new(2026, 11, 30, 17, 0, 0, DateTimeKind.Utc);

    private static readonly TorrentSummary Torrent = new(
        "0123456789abcdef0123456789abcdef01234567", "Ünïcode <\"name\"> & more", 1L << 40, 0.5, "downloading", null, 1.5e6, 0.25, 123, 456, 3, 2, 4, 2, "/srv/dl", 0, 5 << 20)
    {
        Replica = true,
        InfoHashV2 = "ab".PadRight(64, 'c'),
        Private = true,
        PeersSending = 1,
        PeersGetting = 2,
        Factor = 3,
        JournalPending = 4,
        JournalWaitSeconds = 0.125,
    };

    private static readonly PeerSummary Peer = new("127.0.0.1:6881", "Transmission 4.0", true, 10, 20, 30, 40, true, false, true, 0.75) { Transport = "utp", Encrypted = true };

    public static TheoryData<IConsoleReply> Replies =>
    [
        new Refused("wrong console secret"),
        new CommandFailed("torrent 01234567 is not running"),
        new Done("paused 01234567", null),
        new Done("added 01234567", Torrent),
        new NodeStatus("n", "1.0.0", 12.5, "0.0.0.0:6881", "/data", "SQLite /data/swarm.db", "standalone", 1000, 1, 998, 1, 0, 7, 1e9, 0, 0, 1 << 20, "info"),
        new NodeStatus("n", "1.0.0", 12.5, "0.0.0.0:6881", "/data", "SQLite /data/swarm.db", "leader", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "debug") { DhtNodes = 42 },
        new TorrentListing([]),
        new TorrentListing([Torrent, Torrent with { Error = "disk full", InfoHashV2 = null }]),
        new PeerListing("0123", "name", [Peer, Peer with { Transport = "tcp", Encrypted = false }]) { WebSeeds = [new WebSeedSummary("http://mirror.example/", "waiting", 1, 2.5, "503", new DateTimeOffset(At))] },
        new TorrentDetail(Torrent, 262144, 1, "journal down", null, [0b1010_0000], [new FileSummary("a/b.bin", 10, 1)], [new TrackerSummary("udp://t.example:80", "ok", null, At), new TrackerSummary("http://t2/", "failing", "timeout", null)], [Peer]),
        new Limits(null, null, 0, 5 << 20),
        new Limits("0123", "name", 1, 2),
        new SearchListing([new SearchHit("0123", "name", 99, 2, ["akka.tcp://swarm@10.0.0.1:4060", "10.0.0.2:4060"])], ["10.0.0.3:4060"]),
        new ClusterInfo("akka.tcp://swarm@10.0.0.1:4060", null, [new ClusterMember("akka.tcp://swarm@10.0.0.1:4060", "Up", true, true, true, "abcdef0123", "10.0.0.1:6881", 3, 2)]),
        new ClusterTorrentListing([new ClusterTorrent("0123", "name", 5, 2, 1, 1, ["10.0.0.1:4060"])]),
        new ReplicaInfo("0123", "name", 2, true, 1, [new ReplicaHolder("10.0.0.1:4060", null, true, 1, false)]),
        new DhtInfo(true, "id", "0.0.0.0:6881", 9, [1, 2, 3], 4, 5, 6, [new DhtLookupSummary("target", "get_peers", 8, 9, 2, At, 1.25)]),
        new DhtInfo(false, null, null, 0, [], 0, 0, 0, []),
    ];

    [Theory]
    [MemberData(nameof(Replies))]
    public void Every_reply_is_written_as_the_reflection_based_serializer_wrote_it(IConsoleReply reply)
    {
        object shown = reply is TorrentDetail d
            ? new TorrentDetailJson(d.Torrent, d.PieceLength, d.HashFailures, d.JournalError, d.TrackerError, ConsoleRenderer.PieceMap(d.Bitfield, d.Torrent.Pieces), d.Files, d.Trackers, d.Peers)
            : reply;
        Assert.NotNull(ConsoleJsonContext.Default.GetTypeInfo(shown.GetType()));
        Assert.Equal(JsonSerializer.Serialize(shown, shown.GetType(), Reflection), ConsoleRenderer.JsonText(reply));
    }

    [Fact]
    public void Every_reply_type_of_the_console_protocol_has_generated_code()
    {
        var replies = typeof(IConsoleReply).Assembly.GetTypes().Where(t => typeof(IConsoleReply).IsAssignableFrom(t) && !t.IsInterface);
        foreach (var type in replies)
        {
            var shown = type == typeof(TorrentDetail) ? typeof(TorrentDetailJson) : type;
            Assert.True(ConsoleJsonContext.Default.GetTypeInfo(shown) is not null, $"{type.Name} has no generated JSON code");
        }
    }
}
