using System.Net;
using Akka.Actor;
using Swarm.Actors.Pieces;
using Swarm.Actors.Torrent;
using Swarm.Protocol;
using Swarm.Protocol.Metainfo;
using Xunit;
using static Swarm.Actors.Peers.PeerConnectionMessages;
using static Swarm.Actors.TrackerClient.TrackerClientMessages;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>What `status` and `show` display, computed from plain values.</summary>
public sealed class TorrentStatusProjectionTests
{
    // Pieces of 100 bytes; files: a (0..149), a padding file (150..199), b (200..449), an empty file, c (450..469).
    private static readonly TorrentMetainfo Meta = new(
        InfoHash.Parse(new string('a', 40)),
        "multi",
        PieceLength: 100,
        PieceHashes: new byte[5 * 20],
        Files:
        [
            new TorrentFile(["a"], 150, 0, false),
            new TorrentFile([".pad", "50"], 50, 150, true),
            new TorrentFile(["dir", "b"], 250, 200, false),
            new TorrentFile(["empty"], 0, 450, false),
            new TorrentFile(["c"], 20, 450, false),
        ],
        IsMultiFile: true,
        TrackerTiers: [["http://one/announce", "http://two/announce"], ["udp://three:80"]],
        IsPrivate: false,
        CreationDate: null,
        Comment: null,
        CreatedBy: null,
        InfoBytes: []);

    [Fact]
    public void Each_file_counts_the_bytes_of_its_verified_pieces_and_padding_is_not_shown()
    {
        var have = new PieceSet(Meta.PieceCount);
        have.Add(1); // bytes 100..199: 50 of a, the rest padding
        have.Add(3); // bytes 300..399: inside b
        have.Add(4); // bytes 400..469 (the short last piece): 50 of b, all of c

        var files = TorrentStatusProjection.Files(Meta, have);

        Assert.Equal(
            [("a", 150L, 50L), ("dir/b", 250L, 150L), ("empty", 0L, 0L), ("c", 20L, 20L)],
            files.Select(f => (f.Path, f.Length, f.Verified)));
    }

    [Fact]
    public void Nothing_verified_shows_every_file_empty()
    {
        Assert.All(TorrentStatusProjection.Files(Meta, new PieceSet(Meta.PieceCount)), f => Assert.Equal(0, f.Verified));
    }

    [Fact]
    public void The_tracker_that_answered_is_working_and_the_others_are_on_standby()
    {
        var next = new DateTime(2026, 1, 1, 0, 30, 0, DateTimeKind.Utc);
        var trackers = TorrentStatusProjection.Trackers(Meta.Trackers, new AnnounceReported("http://two/announce", null, next));

        Assert.Equal(
            [
                new TrackerProgress("http://one/announce", "standby", null, null),
                new TrackerProgress("http://two/announce", "working", null, next),
                new TrackerProgress("udp://three:80", "standby", null, null),
            ],
            trackers);
    }

    [Fact]
    public void When_no_tracker_answered_all_are_failing_with_the_reason()
    {
        var next = new DateTime(2026, 1, 1, 0, 0, 15, DateTimeKind.Utc);
        var trackers = TorrentStatusProjection.Trackers(Meta.Trackers, new AnnounceReported(null, "connection refused", next));

        Assert.All(trackers, t => Assert.Equal(("failing", "connection refused", (DateTime?)next), (t.Status, t.Error, t.NextAnnounce)));
    }

    [Fact]
    public void Before_the_first_announce_every_tracker_is_on_standby()
    {
        Assert.All(TorrentStatusProjection.Trackers(Meta.Trackers, null), t => Assert.Equal("standby", t.Status));
    }

    [Fact]
    public void Only_established_peers_that_are_not_banned_are_listed()
    {
        var established = Peer(1, connected: true);
        established.Client = "qBittorrent 5.0";
        established.Unchoked = true;
        established.Interested = true;
        established.Has.Add(2);
        established.Stats = new PeerStats(1, Downloaded: 700, Uploaded: 30, DownloadRate: 70.5, UploadRate: 3, PeerChoking: false);
        var banned = Peer(2, connected: true);
        banned.Banned = true;
        var dialling = Peer(3, connected: false);

        var listed = Assert.Single(TorrentStatusProjection.Peers([established, banned, dialling]));

        Assert.Equal(
            new PeerStatus("127.0.0.1:7001", "qBittorrent 5.0", false, 70.5, 3, 700, 30, AmChoking: false, PeerChoking: false, Interested: true, Pieces: 1),
            listed);
    }

    [Fact]
    public void A_peer_without_stats_yet_shows_zeros_and_chokes_us()
    {
        var peer = Peer(1, connected: true);
        peer.Incoming = true;

        var listed = Assert.Single(TorrentStatusProjection.Peers([peer]));

        Assert.Equal(new PeerStatus("127.0.0.1:7001", "?", true, 0, 0, 0, 0, AmChoking: true, PeerChoking: true, Interested: false, Pieces: 0), listed);
    }

    private static PeerEntry Peer(int key, bool connected) =>
        new(key, ActorRefs.Nobody, new IPEndPoint(IPAddress.Loopback, 7000 + key), null, new PieceSet(Meta.PieceCount)) { Connected = connected };
}
