using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Metainfo;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Actors.Tests.ConsoleEndpoint;

/// <summary>The console endpoint against a real node hierarchy (in-memory journal): secrets, torrent resolution,
/// state changes, removal with data, and the answers to bad input.</summary>
public sealed class ConsoleEndpointTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(StorageHold.Config.WithFallback(TestNodes.Config), output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private int _shutdowns;

    [Fact]
    public async Task A_request_without_the_right_secret_is_refused_and_changes_nothing()
    {
        using var torrent = new TestTorrent(length: 256 << 10, pieceLength: 1 << 14);
        var (node, _) = TestNodes.Start(Sys, "node");
        var console = Endpoint(node, secret: "s3cret");

        var none = await Send<Refused>(console, new AddTorrentFile(TorrentBytes(torrent), torrent.SeedDir), secret: string.Empty);
        Assert.Contains("requires a console secret", none.Reason);
        var wrong = await Send<Refused>(console, new Shutdown(), secret: "guess");
        Assert.Equal("wrong console secret", wrong.Reason);
        Assert.Equal(0, _shutdowns);
        Assert.Empty((await Send<TorrentListing>(console, new ListNodeTorrents(), secret: "s3cret")).Torrents);
    }

    [Fact]
    public async Task Wrong_secrets_are_answered_ever_later_parallel_ones_beyond_the_bound_unchecked_and_a_right_one_at_once()
    {
        var (node, _) = TestNodes.Start(Sys, "node");
        var guard = new Configuration.ConsoleGuardSettings(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), MaxWaiting: 2);
        var console = Endpoint(node, secret: "s3cret", guard);

        // Four guesses one after the other wait at least 0.2 + 0.4 + 0.8 + 1 s in all.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await EventFilter.Warning(contains: "refused: wrong secret").ExpectOneAsync(async () =>
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal("wrong console secret", (await Send<Refused>(console, new Shutdown(), secret: $"guess{i}")).Reason);
            }
        });
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(2400), $"4 wrong secrets answered in {watch.Elapsed.TotalMilliseconds:0} ms");

        // In parallel: two are checked (and answered late), the others refused without a look at their secret.
        var flood = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => console.Ask<IConsoleReply>(new ConsoleRequest($"p{i}", new Shutdown()), Wait)));
        Assert.Equal(2, flood.Count(r => r is Refused { Reason: "wrong console secret" }));
        Assert.Equal(4, flood.Count(r => r is Refused f && f.Reason.StartsWith("too many wrong console secrets", StringComparison.Ordinal)));

        // Nothing pending any more: the right secret is answered at once, and nothing was shut down.
        watch.Restart();
        Assert.Empty((await Send<TorrentListing>(console, new ListNodeTorrents(), secret: "s3cret")).Torrents);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"a right secret waited {watch.Elapsed.TotalMilliseconds:0} ms");
        Assert.Equal(0, _shutdowns);
    }

    [Fact]
    public async Task Every_add_needs_an_absolute_save_folder_on_the_node()
    {
        using var torrent = new TestTorrent(length: 64 << 10, pieceLength: 1 << 14);
        var (node, _) = TestNodes.Start(Sys, "node");
        var console = Endpoint(node);
        var magnet = $"magnet:?xt=urn:btih:{torrent.Metainfo.InfoHash.Hex}";

        foreach (IConsoleCommand add in new IConsoleCommand[] { new AddTorrentFile(TorrentBytes(torrent), "rel/dir"), new AddByLink(magnet, "rel"), new AddByLink(torrent.Metainfo.InfoHash.Hex, "../up") })
        {
            Assert.Equal($"save folder '{(add is AddTorrentFile f ? f.SavePath : ((AddByLink)add).SavePath)}' is not an absolute path on the node", (await Send<CommandFailed>(console, add)).Message);
        }

        Assert.Empty((await Send<TorrentListing>(console, new ListNodeTorrents())).Torrents);
        // Made absolute (normalized) on the node: what is journaled is where the data goes.
        var done = await Send<Done>(console, new AddTorrentFile(TorrentBytes(torrent), torrent.SeedDir + "/x/.."));
        Assert.EndsWith($"saving to {torrent.SeedDir}", done.Message);
    }

    [Fact]
    public async Task A_second_torrent_on_the_first_ones_file_is_refused_naming_it_and_the_first_is_untouched()
    {
        using var first = new TestTorrent(length: 64 << 10, pieceLength: 1 << 14, seed: 1);
        using var second = new TestTorrent(length: 32 << 10, pieceLength: 1 << 14, seed: 2);
        var (node, _) = TestNodes.Start(Sys, "node");
        var console = Endpoint(node);
        var added = await Send<Done>(console, new AddTorrentFile(TorrentBytes(first), first.SeedDir));

        // Both are content.bin: into the first one's folder, the second would overwrite its file.
        var refused = await Send<CommandFailed>(console, new AddTorrentFile(TorrentBytes(second), first.SeedDir));

        Assert.Equal(
            $"refused {second.Metainfo.InfoHash.Hex[..8]} (content.bin): {Path.Combine(Swarm.Actors.Storage.SaveFolder.RealPath(first.SeedDir), "content.bin")} belongs to torrent {added.Torrent!.InfoHash[..8]} (content.bin) on this node; save it to another folder",
            refused.Message);
        Assert.Equal(first.Content, await File.ReadAllBytesAsync(Path.Combine(first.SeedDir, "content.bin")));
        Assert.Single((await Send<TorrentListing>(console, new ListNodeTorrents())).Torrents);

        // Once the first is removed (its data kept), the path is free.
        await Send<Done>(console, new RemoveNodeTorrent(added.Torrent.InfoHash, DeleteData: false));
        await Send<Done>(console, new AddTorrentFile(TorrentBytes(second), first.SeedDir));
    }

    [Fact]
    public async Task Torrents_are_found_by_prefix_or_name_and_ambiguity_is_reported()
    {
        using var a = new TestTorrent(length: 256 << 10, pieceLength: 1 << 14, seed: 1);
        using var b = new TestTorrent(length: 256 << 10, pieceLength: 1 << 14, seed: 2);
        var (node, _) = TestNodes.Start(Sys, "node");
        var console = Endpoint(node);
        var hashA = (await Send<Done>(console, new AddTorrentFile(TorrentBytes(a), a.SeedDir))).Torrent!.InfoHash;
        var hashB = (await Send<Done>(console, new AddTorrentFile(TorrentBytes(b), b.SeedDir))).Torrent!.InfoHash;

        // Both are named content.bin: the name is ambiguous and the answer names both.
        var ambiguous = await Send<CommandFailed>(console, new PauseTorrent("content.bin"));
        Assert.Contains("ambiguous", ambiguous.Message);
        Assert.Contains(hashA[..8], ambiguous.Message);
        Assert.Contains(hashB[..8], ambiguous.Message);

        var paused = await Send<Done>(console, new PauseTorrent(hashA[..10].ToUpperInvariant()));
        Assert.Equal("paused", paused.Torrent!.State);
        var other = await Send<TorrentDetail>(console, new ShowTorrent(hashB));
        Assert.NotEqual("paused", other.Torrent.State);

        var unknown = await Send<CommandFailed>(console, new ResumeTorrent("ffffffffff"));
        Assert.Equal("no torrent matches 'ffffffffff'", unknown.Message);
        var resumed = await Send<Done>(console, new ResumeTorrent(hashA));
        Assert.NotEqual("paused", resumed.Torrent!.State);
    }

    [Fact]
    public async Task Show_reports_pieces_files_and_an_honest_piece_map()
    {
        using var torrent = new TestTorrent(length: 256 << 10, pieceLength: 1 << 14);
        var (node, _) = TestNodes.Start(Sys, "node");
        var console = Endpoint(node);
        var hash = (await Send<Done>(console, new AddTorrentFile(TorrentBytes(torrent), torrent.SeedDir))).Torrent!.InfoHash;
        await AwaitAssertAsync(async () => Assert.Equal("seeding", (await Send<TorrentDetail>(console, new ShowTorrent(hash))).Torrent.State), Wait);

        var detail = await Send<TorrentDetail>(console, new ShowTorrent(hash));
        Assert.Equal(Enumerable.Range(0, torrent.Metainfo.PieceCount), Verified(detail));
        Assert.Equal(1 << 14, detail.PieceLength);
        var file = Assert.Single(detail.Files);
        Assert.Equal(("content.bin", 256L << 10, 1.0), (file.Path, file.Length, file.Progress));

        // An empty folder: nothing verified.
        var elsewhere = await Send<Done>(console, new RemoveNodeTorrent(hash, DeleteData: false));
        Assert.Contains("data is kept", elsewhere.Message);
        var fresh = await Send<Done>(console, new AddTorrentFile(TorrentBytes(torrent), torrent.NewDir("empty")));
        var empty = await Send<TorrentDetail>(console, new ShowTorrent(fresh.Torrent!.InfoHash));
        Assert.Empty(Verified(empty));
        Assert.Equal((torrent.Metainfo.PieceCount + 7) / 8, empty.Bitfield.Length);
    }

    [Fact]
    public async Task Remove_with_data_keeps_data_the_torrent_did_not_create()
    {
        using var torrent = new TestTorrent(length: 256 << 10, pieceLength: 1 << 14);
        var (node, _) = TestNodes.Start(Sys, "node");
        var console = Endpoint(node);
        var bystander = Path.Combine(torrent.SeedDir, "keep.txt");
        await File.WriteAllTextAsync(bystander, "not part of the torrent");
        var hash = (await Send<Done>(console, new AddTorrentFile(TorrentBytes(torrent), torrent.SeedDir))).Torrent!.InfoHash;

        // The data was there before the torrent (it seeds it): not the torrent's to delete.
        var removed = await Send<Done>(console, new RemoveNodeTorrent(hash[..8], DeleteData: true));
        Assert.Contains("deleted 0 file(s)", removed.Message);
        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(torrent.SeedDir, "content.bin")));
        Assert.True(File.Exists(bystander));
        Assert.Empty((await Send<TorrentListing>(console, new ListNodeTorrents())).Torrents);
    }

    [Fact]
    public async Task Invalid_input_is_answered_with_a_clear_failure()
    {
        using var torrent = new TestTorrent(length: 64 << 10, pieceLength: 1 << 14);
        var (node, _) = TestNodes.Start(Sys, "node");
        var console = Endpoint(node);

        Assert.StartsWith("not a valid torrent", (await Send<CommandFailed>(console, new AddTorrentFile("d4:info"u8.ToArray(), torrent.SeedDir))).Message);
        Assert.Contains("not an absolute path", (await Send<CommandFailed>(console, new AddTorrentFile(TorrentBytes(torrent), "relative/dir"))).Message);
        Assert.StartsWith("invalid magnet link", (await Send<CommandFailed>(console, new AddByLink("magnet:?dn=nothing", null))).Message);
        Assert.Contains("is not a .torrent file", (await Send<CommandFailed>(console, new AddByLink("hello", null))).Message);
        Assert.Contains("unknown log level", (await Send<CommandFailed>(console, new SetLogLevel("chatty"))).Message);
        Assert.Contains("no torrent matches", (await Send<CommandFailed>(console, new SetLimits("abcdef", 1, null))).Message);
    }

    [Fact]
    public async Task Limits_and_log_level_change_at_run_time_and_shutdown_asks_the_host()
    {
        using var torrent = new TestTorrent(length: 64 << 10, pieceLength: 1 << 14);
        var (node, _) = TestNodes.Start(Sys, "node");
        var console = Endpoint(node);
        var hash = (await Send<Done>(console, new AddTorrentFile(TorrentBytes(torrent), torrent.SeedDir))).Torrent!.InfoHash;

        var nodeLimits = await Send<Limits>(console, new SetLimits(null, 1 << 20, null));
        Assert.Equal((null, 1L << 20, 0L), (nodeLimits.InfoHash, nodeLimits.DownloadLimit, nodeLimits.UploadLimit));
        var torrentLimits = await Send<Limits>(console, new SetLimits(hash[..6], null, 300_000));
        Assert.Equal((hash, 0L, 300_000L), (torrentLimits.InfoHash, torrentLimits.DownloadLimit, torrentLimits.UploadLimit));
        var shown = await Send<TorrentDetail>(console, new ShowTorrent(hash));
        Assert.Equal(300_000, shown.Torrent.UploadLimit);
        var status = await Send<NodeStatus>(console, new GetNodeStatus());
        Assert.Equal(1 << 20, status.DownloadLimit);

        await Send<Done>(console, new SetLogLevel("debug"));
        Assert.Equal(Akka.Event.LogLevel.DebugLevel, Sys.EventStream.LogLevel);
        Assert.Equal("debug", (await Send<NodeStatus>(console, new GetNodeStatus())).LogLevel);
        await Send<Done>(console, new SetLogLevel("info"));

        await Send<Done>(console, new Shutdown());
        await AwaitConditionAsync(() => Task.FromResult(_shutdowns == 1), Wait);
    }

    [Fact]
    public async Task A_torrent_paused_while_its_data_is_checked_stays_paused_until_resumed()
    {
        using var torrent = new TestTorrent(length: 4 << 20, pieceLength: 1 << 14);
        var (node, _) = TestNodes.Start(Sys, "node");
        var console = Endpoint(node);
        Done added;
        using (StorageHold.Take(Sys, Wait))
        {
            // The check cannot start while the storage threads are held, however fast the machine.
            added = await Send<Done>(console, new AddTorrentFile(TorrentBytes(torrent), torrent.SeedDir));
            Assert.Equal("checking", added.Torrent!.State);
            Assert.Equal("paused", (await Send<Done>(console, new PauseTorrent(added.Torrent.InfoHash))).Torrent!.State);
        }

        // The check runs to its end (every piece found), and the torrent is still paused after it.
        var hash = added.Torrent.InfoHash;
        await AwaitAssertAsync(
            async () =>
            {
                var checkedTorrent = (await Send<TorrentDetail>(console, new ShowTorrent(hash))).Torrent;
                Assert.Equal((torrent.Metainfo.PieceCount, "paused"), (checkedTorrent.VerifiedPieces, checkedTorrent.State));
            },
            Wait);

        Assert.Equal("seeding", (await Send<Done>(console, new ResumeTorrent(hash))).Torrent!.State);
    }

    /// <summary>The pieces a detail reports verified, from its bitfield.</summary>
    private static IEnumerable<int> Verified(TorrentDetail d) =>
        Enumerable.Range(0, d.Torrent.Pieces).Where(p => (d.Bitfield[p >> 3] & (0x80 >> (p & 7))) != 0);

    private IActorRef Endpoint(IActorRef node, string secret = "", Configuration.ConsoleGuardSettings? guard = null)
    {
        var info = new ConsoleNodeInfo("test-node", "127.0.0.1:1", Path.GetTempPath(), "in-memory", Path.GetTempPath(), DateTime.UtcNow, Sys, () => Interlocked.Increment(ref _shutdowns));
        return Sys.ActorOf(ConsoleEndpointActor.Props(node, info, TestNodes.Settings.Console, secret, guard));
    }

    private static byte[] TorrentBytes(TestTorrent torrent) =>
        TorrentBuilder.Create("content.bin", torrent.Content, new TorrentBuildOptions([], torrent.Metainfo.PieceLength));

    private static async Task<T> Send<T>(IActorRef console, IConsoleCommand command, string secret = "")
    {
        var reply = await console.Ask<IConsoleReply>(new ConsoleRequest(secret, command), Wait);
        return Assert.IsType<T>(reply);
    }
}
