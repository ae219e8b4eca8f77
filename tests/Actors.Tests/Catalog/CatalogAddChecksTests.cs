using System.Text;
using Akka.Actor;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Metainfo;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Catalog.CatalogMessages;

namespace Swarm.Actors.Tests.Catalog;

/// <summary>The catalog's checks against a real node (in-memory journal): what is refused is never journaled nor
/// started, and a person's torrent is never released as a surplus replica.</summary>
public sealed class CatalogAddChecksTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task An_8_TiB_torrent_is_refused_with_what_it_needs_and_what_is_free()
    {
        using var folder = new TestTorrent(length: 16 << 10, pieceLength: 1 << 14);
        var huge = EightTiB();
        var (node, _) = TestNodes.Start(Sys, "node");

        var refused = Assert.IsType<AddTorrentRejected>(await node.Ask(new AddTorrent(huge, folder.NewDir("big"), new TorrentOptions()), Wait));

        Assert.Matches(@"^not enough disk space in .*/big for [0-9a-f]{8} \(huge\.img\): needs 8 TiB, [0-9.]+ [KMGT]iB free, keeping 256 MiB free$", refused.Reason);
        Assert.IsType<UnknownTorrent>(await node.Ask(new ForTorrent(huge.InfoHash.Hex, new TorrentMessages.GetStatus()), Wait));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(folder.Root, "big")));
    }

    [Fact]
    public async Task A_torrent_a_person_added_is_not_released_as_a_replica()
    {
        using var torrent = new TestTorrent(length: 64 << 10, pieceLength: 1 << 14);
        var (node, _) = TestNodes.Start(Sys, "node");
        var hash = torrent.Metainfo.InfoHash.Hex;
        Assert.IsType<TorrentAccepted>(await node.Ask(new AddTorrent(torrent.Metainfo, torrent.SeedDir, new TorrentOptions()), Wait));

        var refused = Assert.IsType<RemoveRefused>(await node.Ask(new RemoveTorrent(hash, DeleteData: true, OnlyIfReplica: true), Wait));

        Assert.Contains("not copied by the cluster", refused.Reason, StringComparison.Ordinal);
        Assert.IsType<TorrentStatus>(await node.Ask(new ForTorrent(hash, new TorrentMessages.GetStatus()), Wait));
        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(torrent.SeedDir, "content.bin")));
    }

    /// <summary>One 8 TiB file in 512 MiB pieces (the hashes are never checked: nothing is written).</summary>
    private static TorrentMetainfo EightTiB()
    {
        const int pieces = 16 * 1024;
        var head = Encoding.ASCII.GetBytes($"d6:lengthi{8L << 40}e4:name8:huge.img12:piece lengthi{1 << 29}e6:pieces{pieces * 20}:");
        var info = new byte[head.Length + (pieces * 20) + 1];
        head.CopyTo(info, 0);
        info[^1] = (byte)'e';
        return MetainfoParser.ParseInfoDictionary(info);
    }
}
