using System.Text;
using Swarm.Actors.Catalog;
using Swarm.Protocol.Metainfo;
using Xunit;

namespace Swarm.Actors.Tests.Catalog;

/// <summary>Names and search of the catalog without any actor.</summary>
public sealed class CatalogIndexTests
{
    private static readonly TorrentMetainfo Album = Info("Holiday Album", ("photos/Beach.JPG", 10), ("notes.txt", 20));
    private static readonly TorrentMetainfo Talk = Info("talk.webm", ("talk.webm", 30));

    [Fact]
    public void Search_matches_every_word_in_the_name_or_a_file_path_whatever_the_case()
    {
        var index = CatalogIndex.Empty.WithTorrent(Album).WithTorrent(Talk);

        var hit = Assert.Single(index.Search(["BEACH", "photos"]));
        Assert.Equal((Album.InfoHash.Hex, "Holiday Album", 30L, 2), (hit.InfoHash, hit.Name, hit.Size, hit.Files));
        Assert.Single(index.Search(["holiday"]));
        Assert.Empty(index.Search(["beach", "talk"]));
        Assert.Equal(2, index.Search(["a"]).Count);
    }

    [Fact]
    public void No_words_match_nothing()
    {
        var index = CatalogIndex.Empty.WithTorrent(Talk);
        Assert.Empty(index.Search([]));
        Assert.Empty(index.Search(["", ""]));
    }

    [Fact]
    public void A_magnet_is_named_by_its_link_and_not_searchable_until_its_torrent_starts()
    {
        var index = CatalogIndex.Empty.WithMagnet(Talk.InfoHash.Hex, "from the link");
        Assert.Equal("from the link", index.NameOf(Talk.InfoHash.Hex));
        Assert.Empty(index.Search(["talk"]));

        var started = index.WithTorrent(Talk);
        Assert.Equal("talk.webm", started.NameOf(Talk.InfoHash.Hex));
        Assert.Single(started.Search(["talk"]));
    }

    [Fact]
    public void A_removed_torrent_is_neither_named_nor_found_and_an_unknown_one_is_named_by_its_hash()
    {
        var index = CatalogIndex.Empty.WithTorrent(Album).WithTorrent(Talk).Without(Album.InfoHash.Hex);
        Assert.Empty(index.Search(["holiday"]));
        Assert.Equal(Album.InfoHash.Hex, index.NameOf(Album.InfoHash.Hex));
        Assert.Equal("talk.webm", index.NameOf(Talk.InfoHash.Hex));
    }

    /// <summary>An info dictionary written by hand (one piece), so the test needs no file on disk.</summary>
    private static TorrentMetainfo Info(string name, params (string Path, long Length)[] files)
    {
        static string S(string s) => $"{Encoding.UTF8.GetByteCount(s)}:{s}";
        var body = files.Length == 1 && files[0].Path == name
            ? $"6:lengthi{files[0].Length}e"
            : "5:filesl" + string.Concat(files.Select(f => $"d6:lengthi{f.Length}e4:pathl{string.Concat(f.Path.Split('/').Select(S))}ee")) + "e";
        var info = $"d{body}4:name{S(name)}12:piece lengthi16384e6:pieces20:{new string('x', 20)}e";
        return MetainfoParser.ParseInfoDictionary(Encoding.UTF8.GetBytes(info));
    }
}
