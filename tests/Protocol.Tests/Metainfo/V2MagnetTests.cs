using Swarm.Protocol.Magnet;
using Swarm.Protocol.Metainfo;
using Xunit;

namespace Swarm.Protocol.Tests.Metainfo;

/// <summary>BEP 52 magnet links (xt=urn:btmh:1220…) as libtorrent writes them, read and written back.</summary>
public sealed class V2MagnetTests : IDisposable
{
    private readonly ContentFolder _content = new();

    public void Dispose() => _content.Dispose();

    [Fact]
    public void ReadsLibtorrentsV2OnlyMagnetByItsTruncatedHash()
    {
        var lt = LibtorrentTorrents.Create(_content.Write("one.bin", 40_000, 1), "v2", 16384);
        Assert.Contains("xt=urn:btmh:1220" + lt.V2, lt.Magnet, StringComparison.Ordinal);
        var link = MagnetLink.Parse(lt.Magnet);
        Assert.Equal(lt.V2, link.InfoHashV2!.Hex);
        Assert.Equal(lt.V2![..40], link.InfoHash.Hex);
        Assert.True(link.IsV2Only);
        Assert.DoesNotContain("btih", link.ToString(), StringComparison.Ordinal);
        Assert.Equal(link.InfoHashV2, MagnetLink.Parse(link.ToString()).InfoHashV2);

        // The metadata fetched by that hash is the torrent's info dictionary.
        var meta = MetainfoParser.ParseInfoDictionary(lt.Info, link.InfoHash);
        Assert.Equal(link.InfoHashV2, meta.V2!.InfoHash);
    }

    [Fact]
    public void MetadataFetchedForAV2OnlyMagnetIsAcceptedByItsTruncatedSha256Only()
    {
        var lt = LibtorrentTorrents.Create(_content.Write("one.bin", 40_000, 3), "v2", 16384);
        var link = MagnetLink.Parse(lt.Magnet);
        Assert.Equal(lt.Info, Assemble(link.InfoHash, lt.Info).Verified());

        var other = (byte[])lt.Info.Clone();
        other[^2] ^= 1;
        Assert.Throws<Swarm.Protocol.PeerWire.PeerProtocolException>(() => Assemble(link.InfoHash, other).Verified());
    }

    private static MetadataAssembler Assemble(InfoHash expected, byte[] info)
    {
        var assembler = new MetadataAssembler(expected, info.Length, 1 << 20);
        for (var piece = 0; piece * Swarm.Protocol.PeerWire.MetadataMessage.PieceLength < info.Length; piece++)
        {
            var start = piece * Swarm.Protocol.PeerWire.MetadataMessage.PieceLength;
            var data = info[start..Math.Min(info.Length, start + Swarm.Protocol.PeerWire.MetadataMessage.PieceLength)];
            assembler.Add(new Swarm.Protocol.PeerWire.MetadataMessage(Swarm.Protocol.PeerWire.MetadataMessageType.Data, piece, info.Length, data));
        }

        return assembler;
    }

    [Fact]
    public void ReadsLibtorrentsHybridMagnetByItsV1Hash()
    {
        var lt = LibtorrentTorrents.Create(_content.Write("one.bin", 40_000, 2), "hybrid", 16384);
        var link = MagnetLink.Parse(lt.Magnet);
        Assert.Equal(lt.V1, link.InfoHash.Hex);
        Assert.Equal(lt.V2, link.InfoHashV2!.Hex);
        Assert.False(link.IsV2Only);
        var again = MagnetLink.Parse(link.ToString());
        Assert.Equal((link.InfoHash, link.InfoHashV2), (again.InfoHash, again.InfoHashV2));
    }

    [Theory]
    [InlineData("magnet:?xt=urn:btmh:1114" + "0000000000000000000000000000000000000000000000000000000000000000", "SHA-256 multihash")]
    [InlineData("magnet:?xt=urn:btmh:1220abc", "SHA-256 multihash")]
    [InlineData("magnet:?dn=x", "no 'xt=urn:btih:' or 'xt=urn:btmh:'")]
    public void RefusesAMalformedV2Hash(string uri, string expected)
    {
        var e = Assert.Throws<FormatException>(() => MagnetLink.Parse(uri));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
