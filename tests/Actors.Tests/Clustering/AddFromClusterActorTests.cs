using System.Collections.Immutable;
using System.Net;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.Clustering;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Clustering.ClusterMessages;

namespace Swarm.Actors.Tests.Clustering;

/// <summary>An add from the cluster against members over real remoting; the catalog is a probe that answers as the
/// real one does.</summary>
public sealed class AddFromClusterActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(RemoteMembers.Config, output: output)
{
    // Each member's answer over real remoting must come within this: generous, since on a loaded machine an
    // association alone took more than the 1 s it once was (the silent member's case waits it out once).
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly RemoteMembers _members = new();

    [Fact]
    public void Metainfo_that_does_not_hash_to_the_torrent_is_refused_and_the_next_holder_gives_it()
    {
        var (bytes, hash) = RemoteMembers.InfoDictionary("wanted");
        var (other, _) = RemoteMembers.InfoDictionary("another");
        var liar = _members.Start("liar", (m, _) => m is GetMetainfo ? new MetainfoFound(other, []) : null);
        var holder = _members.Start("holder", (m, _) => m is GetMetainfo g && g.InfoHash == hash ? new MetainfoFound(bytes, [["http://tracker/announce"]]) : null);
        var catalog = CreateTestProbe();

        Start(hash, Sources(liar, holder), catalog.Ref, replica: false);

        var add = catalog.ExpectMsg<CatalogMessages.AddTorrent>(TimeSpan.FromSeconds(10));
        Assert.Equal((hash, "wanted", "/downloads", false), (add.Metainfo.InfoHash.Hex, add.Metainfo.Name, add.SavePath, add.Options.Replica));
        Assert.Equal(["http://tracker/announce"], add.Metainfo.TrackerTiers.Single());
        Assert.Equal(["10.0.0.1:6881", "10.0.0.2:6881"], add.Options.Peers!.Select(p => p.ToString()));
        catalog.Reply(new CatalogMessages.TorrentAccepted(hash));
        Assert.Equal(hash, ExpectMsg<CatalogMessages.TorrentAccepted>(TimeSpan.FromSeconds(10)).InfoHash);
    }

    [Fact]
    public void A_v2_torrent_s_piece_layers_come_with_its_metainfo_and_layers_that_do_not_prove_out_are_refused()
    {
        var content = new byte[300_000];
        new Random(5).NextBytes(content);
        var full = V2Of(content);
        var hash = full.InfoHash.Hex;
        var layers = Protocol.Metainfo.PieceLayers.Encode(full)!;
        var forged = layers.ToArray();
        forged[^3] ^= 1; // inside the last hash of the layer
        var liar = _members.Start("layer-liar", (m, _) => m is GetMetainfo ? new MetainfoFound(full.InfoBytes, []) { PieceLayers = forged } : null);
        var holder = _members.Start("layer-holder", (m, _) => m is GetMetainfo ? new MetainfoFound(full.InfoBytes, []) { PieceLayers = layers } : null);
        var catalog = CreateTestProbe();

        Start(hash, Sources(liar, holder), catalog.Ref, replica: true);

        var add = catalog.ExpectMsg<CatalogMessages.AddTorrent>(TimeSpan.FromSeconds(10));
        Assert.Equal(full.V2!.PieceLayers.Single().Value, add.Metainfo.V2!.PieceLayers.Single().Value);
        catalog.Reply(new CatalogMessages.TorrentAccepted(hash));
    }

    private static Protocol.Metainfo.TorrentMetainfo V2Of(byte[] content)
    {
        const int pieceLength = 1 << 16;
        var roots = new List<byte>();
        for (var at = 0; at < content.Length; at += pieceLength)
        {
            roots.AddRange(Protocol.Metainfo.MerkleTree.PieceRoot(content.AsSpan(at, Math.Min(pieceLength, content.Length - at)), pieceLength));
        }

        var bytes = Protocol.Metainfo.TorrentBuilderV2.Create("v2.bin", [new Protocol.Metainfo.V2BuildFile(["v2.bin"], content.Length, [.. roots], null)], isFolder: false, pieceLength, hybrid: false, new Protocol.Metainfo.TorrentBuildOptions([]));
        return Protocol.Metainfo.MetainfoParser.Parse(bytes);
    }

    [Fact]
    public void When_no_holder_gives_it_the_answer_says_what_each_one_did()
    {
        var (_, hash) = RemoteMembers.InfoDictionary("wanted");
        var gone = _members.Start("gone", (m, _) => m is GetMetainfo ? new MetainfoMissing() : null);
        var silent = _members.Start("silent", (_, _) => null);
        var catalog = CreateTestProbe();

        Start(hash, Sources(gone, silent), catalog.Ref, replica: false);

        var failed = ExpectMsg<AddFromClusterFailed>(TimeSpan.FromSeconds(30));
        Assert.Equal($"could not get the metainfo of {hash[..8]} (test): {gone}: does not have it any more; {silent}: no answer within 5 s", failed.Reason);
        Assert.False(catalog.HasMessages);
    }

    [Fact]
    public void A_refusal_known_from_the_gossip_is_the_answer_at_once()
    {
        var catalog = CreateTestProbe();
        Start("0123456789", new AddSources([], [], "no reachable member of the cluster holds 01234567"), catalog.Ref, replica: false);
        Assert.Equal("no reachable member of the cluster holds 01234567", ExpectMsg<AddFromClusterFailed>().Reason);
        Assert.False(catalog.HasMessages);
    }

    [Fact]
    public void A_catalog_refusal_is_the_answer_and_a_replica_is_added_as_one()
    {
        var (bytes, hash) = RemoteMembers.InfoDictionary("wanted");
        var holder = _members.Start("holder", (m, _) => m is GetMetainfo ? new MetainfoFound(bytes, []) : null);

        var catalog = CreateTestProbe();
        Start(hash, Sources(holder), catalog.Ref, replica: false);
        catalog.ExpectMsg<CatalogMessages.AddTorrent>(TimeSpan.FromSeconds(10));
        catalog.Reply(new CatalogMessages.AddTorrentRejected("already there"));
        Assert.Equal("already there", ExpectMsg<AddFromClusterFailed>(TimeSpan.FromSeconds(10)).Reason);

        var replicas = CreateTestProbe();
        Start(hash, Sources(holder), replicas.Ref, replica: true);
        var replica = replicas.ExpectMsg<CatalogMessages.AddTorrent>(TimeSpan.FromSeconds(10));
        Assert.True(replica.Options.Replica);
        // In a folder of its own, never the downloads folder it shares with other torrents.
        Assert.Equal(Path.Combine("/downloads", "replicas", hash), replica.SavePath);
    }

    protected override void AfterAll()
    {
        _members.Dispose();
        base.AfterAll();
    }

    private static AddSources Sources(params string[] holders) => new(
        [.. holders.Select((address, i) => new MemberHoldings($"{address}#1", address, $"node-{i}", $"10.0.0.{i + 1}:6881", []))],
        [.. holders.Select((_, i) => IPEndPoint.Parse($"10.0.0.{i + 1}:6881"))],
        null);

    private void Start(string hash, AddSources sources, IActorRef catalog, bool replica) =>
        Sys.ActorOf(AddFromClusterActor.Props(new AddFromCluster(hash, "/downloads", "test"), replica, sources, catalog, Timeout, TestActor));
}
