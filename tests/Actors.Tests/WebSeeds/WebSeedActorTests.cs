using Akka.Actor;
using Swarm.Actors.Configuration;
using Swarm.Actors.Pieces;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.WebSeeds;
using Swarm.Protocol;
using Swarm.Protocol.Metainfo;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Peers.PeerConnectionMessages;
using static Swarm.Actors.WebSeeds.WebSeedMessages;

namespace Swarm.Actors.Tests.WebSeeds;

/// <summary>One web seed actor against a real local HTTP server, with a probe as its torrent: blocks across files and
/// padding fetched byte-exact; lying lengths and ranges, 404s, redirects to another scheme or in a loop, and a stalled
/// server each give the blocks back and back off on the node's (manual) clock.</summary>
public sealed class WebSeedActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private const int PieceLength = 32 * 1024;
    private const int BlockLength = 16 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BackoffInitial = TimeSpan.FromSeconds(10);

    private readonly TestHttpServer _server = new();
    private readonly ManualClock _clock = new();

    /// <summary>"dir one/α β.bin" (20000 bytes), 12768 bytes of BEP 47 padding, "b#c.bin" (30000): two pieces, the
    /// second short; block 1 of piece 0 spans the end of the first file and the padding.</summary>
    private readonly TorrentMetainfo _meta = new(
        new InfoHash(new byte[20]),
        "Torrent Name",
        PieceLength,
        new byte[40],
        [
            new TorrentFile(["dir one", "α β.bin"], 20000, 0, false),
            new TorrentFile([".pad", "12768"], 12768, 20000, true),
            new TorrentFile(["b#c.bin"], 30000, 32768, false),
        ],
        true,
        [],
        false,
        null,
        null,
        null,
        []);

    private readonly byte[] _content = new byte[62768];

    private static IReadOnlyList<BlockRef> AllBlocks =>
        [new(0, 0, BlockLength), new(0, BlockLength, BlockLength), new(1, 0, BlockLength), new(1, BlockLength, 30000 - BlockLength)];

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _server.Dispose();
        }

        base.Dispose(disposing);
    }

    [Fact]
    public void Blocks_across_files_and_padding_arrive_byte_exact_with_each_path_component_encoded()
    {
        ServeContent();
        var (_, torrent) = StartSeed();
        Assign(torrent, AllBlocks);

        var arrived = Enumerable.Range(0, 4).Select(_ => Next<BlockArrived>(torrent)).ToList();
        foreach (var b in arrived)
        {
            var offset = ((long)b.Piece * PieceLength) + b.Begin;
            Assert.Equal(_content.AsSpan((int)offset, AllBlocks.Single(x => x.Piece == b.Piece && x.Begin == b.Begin).Length).ToArray(), b.Data.AsSpan(0, AllBlocks.Single(x => x.Piece == b.Piece && x.Begin == b.Begin).Length).ToArray());
            Assert.Equal(7, b.Peer);
        }

        // Done: it asks for more at once.
        Assert.Equal(7, Next<WebSeedNeedsBlocks>(torrent).Seed);
        Assert.Equal(2, _server.Requests);
    }

    [Fact]
    public void A_lying_content_length_gives_the_blocks_back_and_backs_off()
    {
        ServeContent();
        _server.Answer = r => r.Range is { } range
            ? TestHttpServer.Response("206 Partial Content", [$"Content-Range: bytes {range.First}-{range.Last}/30000", $"Content-Length: {range.Last - range.First + 1}"], new byte[100])
            : null;
        var (_, torrent) = StartSeed();
        Assign(torrent, [new(1, 0, BlockLength)]);

        var released = Next<ReleaseBlocks>(torrent);
        Assert.Equal([new BlockRef(1, 0, BlockLength)], released.Blocks);
        var report = NextReport(torrent, "backing off");
        Assert.Contains("ended", report.Status.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(_clock.GetUtcNow() + BackoffInitial, report.Status.RetryAt);
    }

    [Fact]
    public void A_wrong_content_range_is_refused_before_its_body_is_used()
    {
        ServeContent();
        _server.Answer = r => r.Range is { } range
            ? TestHttpServer.Response("206 Partial Content", [$"Content-Range: bytes {range.First + 1}-{range.Last + 1}/30000", $"Content-Length: {range.Last - range.First + 1}"], new byte[range.Last - range.First + 1])
            : null;
        var (_, torrent) = StartSeed();
        Assign(torrent, [new(1, 0, BlockLength)]);

        Next<ReleaseBlocks>(torrent);
        Assert.Contains("Content-Range 1-16384 for a request of 0-16383", NextReport(torrent, "backing off").Status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_404_backs_off_exponentially_on_the_node_clock()
    {
        // Nothing served: every file is 404.
        var (seed, torrent) = StartSeed();
        Assign(torrent, [new(1, 0, BlockLength)]);
        Next<ReleaseBlocks>(torrent);
        var first = NextReport(torrent, "backing off");
        Assert.Contains("404", first.Status.Error, StringComparison.Ordinal);
        Assert.Equal(_clock.GetUtcNow() + BackoffInitial, first.Status.RetryAt);

        // Before the backoff ran out a tick asks for nothing (the tick's report comes after its decision).
        _clock.Advance(BackoffInitial - TimeSpan.FromSeconds(1));
        seed.Tell(WebSeedTick.Instance);
        Assert.IsType<WebSeedReport>(torrent.FishForMessage(m => m is WebSeedReport or WebSeedNeedsBlocks, Wait));

        _clock.Advance(TimeSpan.FromSeconds(1));
        seed.Tell(WebSeedTick.Instance);
        Assert.IsType<WebSeedNeedsBlocks>(torrent.FishForMessage(m => m is WebSeedReport or WebSeedNeedsBlocks, Wait));
        torrent.Reply(new BlocksAssigned([new(1, 0, BlockLength)]));
        Next<ReleaseBlocks>(torrent);
        Assert.Equal(_clock.GetUtcNow() + (2 * BackoffInitial), NextReport(torrent, "backing off").Status.RetryAt);
        Assert.Equal(2, _server.Requests);
    }

    [Fact]
    public void A_redirect_to_another_scheme_is_refused()
    {
        ServeContent();
        _server.Answer = r => TestHttpServer.Status(302, "Found", $"Location: https://127.0.0.1:{_server.Port}{r.RawTarget}");
        var (_, torrent) = StartSeed();
        Assign(torrent, [new(1, 0, BlockLength)]);

        Next<ReleaseBlocks>(torrent);
        Assert.Contains("from http to another scheme (https) is refused", NextReport(torrent, "backing off").Status.Error, StringComparison.Ordinal);
        Assert.Equal(1, _server.Requests);
    }

    [Fact]
    public void A_redirect_loop_is_cut_and_a_same_scheme_redirect_is_followed()
    {
        ServeContent();
        _server.Answer = r => r.Path switch
        {
            "/loop/a" => TestHttpServer.Status(301, "Moved", "Location: /loop/b"),
            "/loop/b" => TestHttpServer.Status(307, "Moved", "Location: /loop/a"),
            _ when r.Path.StartsWith("/moved/", StringComparison.Ordinal) => TestHttpServer.Status(302, "Found", $"Location: /{r.RawTarget["/moved/".Length..]}"),
            _ => null,
        };
        var (_, looping) = StartSeed(_server.BaseUrl + "loop/a", single: true);
        Assign(looping, [new(0, 0, BlockLength)]);
        Next<ReleaseBlocks>(looping);
        Assert.Contains("redirect loop", NextReport(looping, "backing off").Status.Error, StringComparison.Ordinal);

        var (_, moved) = StartSeed(_server.BaseUrl + "moved/", key: 8);
        Assign(moved, [new(1, 0, BlockLength)]);
        Assert.Equal(_content.AsSpan(32768, BlockLength).ToArray(), Next<BlockArrived>(moved).Data.AsSpan(0, BlockLength).ToArray());
    }

    [Fact]
    public void A_stalled_server_times_out_and_backs_off()
    {
        _server.Answer = _ => [];
        var settings = Settings with { WebSeeds = Settings.WebSeeds with { RequestTimeout = TimeSpan.FromSeconds(2) } };
        var (_, torrent) = StartSeed(settings: settings);
        Assign(torrent, [new(1, 0, BlockLength)]);

        Next<ReleaseBlocks>(torrent);
        Assert.Contains("slow server", NextReport(torrent, "backing off").Status.Error, StringComparison.Ordinal);
    }

    private static SwarmSettings Settings => TestNodes.Settings with
    {
        WebSeeds = TestNodes.Settings.WebSeeds with
        {
            // Ticks only when the test sends them.
            CheckInterval = TimeSpan.FromHours(1),
            BackoffInitial = BackoffInitial,
            BackoffMax = TimeSpan.FromHours(1),
        },
    };

    private void ServeContent()
    {
        new Random(5).NextBytes(_content);
        _content.AsSpan(20000, 12768).Clear();
        _server.Serve("/Torrent Name/dir one/α β.bin", _content[..20000]);
        _server.Serve("/Torrent Name/b#c.bin", _content[32768..]);
    }

    private (IActorRef Seed, Akka.TestKit.TestProbe Torrent) StartSeed(string? url = null, int key = 7, bool single = false, SwarmSettings? settings = null)
    {
        var s = settings ?? Settings;
        var node = NodeContext.Create($"ws-{Guid.NewGuid():N}", s, 0, _clock);
        var meta = single ? _meta with { IsMultiFile = false, Files = [_meta.Files[0] with { Path = ["Torrent Name"] }] } : _meta;
        var torrent = CreateTestProbe();
        var seed = Sys.ActorOf(WebSeedActor.Props(new WebSeedArgs(key, url ?? _server.BaseUrl, meta, torrent.Ref, node, BlockLength, WebSeedHttp.For(Sys, s.WebSeeds).Client)));
        return (seed, torrent);
    }

    private static void Assign(Akka.TestKit.TestProbe torrent, IReadOnlyList<BlockRef> blocks)
    {
        Next<WebSeedNeedsBlocks>(torrent);
        torrent.Reply(new BlocksAssigned(blocks));
    }

    private static T Next<T>(Akka.TestKit.TestProbe torrent) => (T)torrent.FishForMessage(m => m is T, Wait);

    private static WebSeedReport NextReport(Akka.TestKit.TestProbe torrent, string state) =>
        (WebSeedReport)torrent.FishForMessage(m => m is WebSeedReport r && r.Status.State == state, Wait);
}
