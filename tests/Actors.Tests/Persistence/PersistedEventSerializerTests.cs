using System.Runtime.Serialization;
using Akka.Actor;
using Swarm.Actors.Persistence;
using Swarm.Actors.Tests.Support;
using Xunit;

namespace Swarm.Actors.Tests.Persistence;

public sealed class PersistedEventSerializerTests() : Akka.TestKit.Xunit2.TestKit(TestNodes.Config)
{
    public static TheoryData<IPersistedEvent, string> Events => new()
    {
        { new TorrentAdded("ab", "g1", [1, 2, 3], [["http://t/announce"]], "/data", true, false), "ta1" },
        { new TorrentRemoved("ab"), "tr1" },
        { new PiecesVerified([1, 5, 9]), "pv1" },
        { new PiecesRechecked([0, 2]), "rc1" },
        { new TorrentPaused("disk full"), "tp1" },
        { new TorrentResumed(), "tu1" },
        { new TorrentSnapshot(10, [0xff, 0xc0], true, null), "ts1" },
        { new CatalogSnapshot([new TorrentAdded("cd", "g2", [4], [], "/x", false, true)]), "cs1" },
        { new RateLimitsChanged("ab", 1024, 0), "rl1" },
        { new MagnetAdded("ef", "magnet:?xt=urn:btih:ef", "/y"), "ma1" },
        { new TorrentFilesCreated([0, 4], ["d", "d/e"]), "fc1" },
        { new TorrentSnapshot(10, [0xff, 0xc0], false, null) { CreatedFiles = [1], CreatedFolders = ["d"] }, "ts1" },
        {
            new CatalogSnapshot([]) { NodeLimits = new RateLimitsChanged(null, 0, 5), Magnets = [new MagnetAdded("ef", "magnet:?xt=urn:btih:ef", "/y")] },
            "cs1"
        },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void Events_are_bound_to_the_stable_manifest_serializer_and_round_trip(IPersistedEvent e, string manifest)
    {
        var serializer = Sys.Serialization.FindSerializerFor(e);
        var typed = Assert.IsType<PersistedEventSerializer>(serializer);
        Assert.Equal(manifest, typed.Manifest(e));

        var back = typed.FromBinary(typed.ToBinary(e), manifest);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(e, e.GetType()), System.Text.Json.JsonSerializer.Serialize(back, back.GetType()));
    }

    [Theory]
    [InlineData(256 * 1024, false)]
    [InlineData(5 * 1024 * 1024, true)]
    [InlineData(300 * 1024, true)]
    public void A_large_catalog_entry_is_written_as_the_same_json_and_reads_back(int infoBytes, bool withLayers)
    {
        // Issue 14: an entry with a large info dictionary is written through a buffer sized for it; the row must stay
        // byte for byte what the plain serializer writes (journals already on disk, and the plugin, read it).
        var info = new byte[infoBytes];
        new Random(infoBytes).NextBytes(info);
        var entry = new TorrentAdded("ab", "g1", info, [["http://t/announce"], ["udp://u:1"]], "/data/ü", false, true)
        {
            PieceLayers = withLayers ? info[..1000] : null,
            WebSeeds = ["http://w/" + new string('x', 100 * 1024)],
            UploadLimit = 7,
        };
        var serializer = (PersistedEventSerializer)Sys.Serialization.FindSerializerFor(entry);

        var bytes = serializer.ToBinary(entry);

        Assert.Equal(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(entry), bytes);
        var back = Assert.IsType<TorrentAdded>(serializer.FromBinary(bytes, "ta1"));
        Assert.Equal(info, back.InfoDictionary);
        Assert.Equal(entry.WebSeeds, back.WebSeeds);
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Rows_are_written_byte_for_byte_as_the_reflection_serializer_wrote_them(IPersistedEvent e, string manifest)
    {
        // Issue 14 (start-up): the rows come from contracts generated at build time (PersistedEventJson); journals on
        // disk and the plugin's reads expect exactly what the reflection-based serializer wrote.
        var serializer = (PersistedEventSerializer)Sys.Serialization.FindSerializerFor(e);

        var bytes = serializer.ToBinary(e);

        Assert.Equal(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(e, e.GetType()), bytes);
        Assert.NotNull(PersistedEventJson.Default.GetTypeInfo(e.GetType()));
        var back = serializer.FromBinary(bytes, manifest);
        Assert.Equal(bytes, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(back, back.GetType()));
    }

    [Fact]
    public void A_catalog_entry_written_before_limits_layers_and_web_seeds_reads_as_the_reflection_serializer_read_it()
    {
        // Rows of older versions lack the init-only members: they read with their defaults (web seeds empty, not null).
        var row = """{"InfoHash":"ab","Generation":"g1","InfoDictionary":"AQID","Trackers":[["http://t/a"]],"SavePath":"/d","Sequential":false,"SeedOnly":true}"""u8.ToArray();
        var serializer = (PersistedEventSerializer)Sys.Serialization.FindSerializerFor(new TorrentResumed());

        var entry = Assert.IsType<TorrentAdded>(serializer.FromBinary(row, "ta1"));

        Assert.Empty(entry.WebSeeds);
        Assert.Null(entry.PieceLayers);
        Assert.Equal(0, entry.UploadLimit);
        var reflected = System.Text.Json.JsonSerializer.Deserialize<TorrentAdded>(row)!;
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(reflected), System.Text.Json.JsonSerializer.Serialize(entry));
    }

    [Fact]
    public void A_catalog_snapshot_written_before_magnets_were_kept_reads_with_none()
    {
        var serializer = (PersistedEventSerializer)Sys.Serialization.FindSerializerFor(new TorrentResumed());
        var old = (CatalogSnapshot)serializer.FromBinary("""{"Torrents":[]}"""u8.ToArray(), "cs1");
        Assert.Null(old.Magnets);
    }

    [Fact]
    public void An_unknown_manifest_is_a_clear_error()
    {
        var serializer = (PersistedEventSerializer)Sys.Serialization.FindSerializerFor(new TorrentResumed());
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary([], "zz9"));
        Assert.Contains("unknown journal manifest 'zz9'", e.Message, StringComparison.Ordinal);
    }
}
