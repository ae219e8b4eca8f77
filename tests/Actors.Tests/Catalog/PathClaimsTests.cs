using System.Text;
using Swarm.Actors.Catalog;
using Swarm.Protocol.Metainfo;
using Xunit;

namespace Swarm.Actors.Tests.Catalog;

/// <summary>Which torrent owns which path, without any actor: no two torrents of a node on one file, or on a file that
/// is the other's folder.</summary>
public sealed class PathClaimsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("swarm-claims-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Two_torrents_with_one_file_name_in_one_folder_overlap_and_the_owner_is_named()
    {
        var first = Info("movie.mkv", ("movie.mkv", 10));
        var second = Info("movie.mkv", ("movie.mkv", 20), seed: 2);
        var claims = PathClaims.Empty.Claim(first.InfoHash.Hex, PathClaims.PathsOf(first, _root));

        var conflict = claims.Conflict(second.InfoHash.Hex, PathClaims.PathsOf(second, _root));

        Assert.Equal((first.InfoHash.Hex, Path.Combine(_root, "movie.mkv")), conflict);
        // In another folder it is another file.
        Assert.Null(claims.Conflict(second.InfoHash.Hex, PathClaims.PathsOf(second, Path.Combine(_root, "other"))));
        // A torrent never conflicts with itself (added again, or recovered).
        Assert.Null(claims.Conflict(first.InfoHash.Hex, PathClaims.PathsOf(first, _root)));
    }

    [Fact]
    public void A_file_of_one_torrent_that_is_a_folder_of_another_overlaps_either_way()
    {
        var single = Info("album", ("album", 10));
        var multi = Info("album", ("cd1/track.flac", 10), ("cover.jpg", 5));
        var singleHash = single.InfoHash.Hex;
        var multiHash = multi.InfoHash.Hex;

        var fileFirst = PathClaims.Empty.Claim(singleHash, PathClaims.PathsOf(single, _root));
        Assert.Equal(singleHash, fileFirst.Conflict(multiHash, PathClaims.PathsOf(multi, _root))?.InfoHash);

        var folderFirst = PathClaims.Empty.Claim(multiHash, PathClaims.PathsOf(multi, _root));
        Assert.Equal((multiHash, Path.Combine(_root, "album")), folderFirst.Conflict(singleHash, PathClaims.PathsOf(single, _root)));
    }

    [Fact]
    public void Two_torrents_sharing_only_a_folder_do_not_overlap()
    {
        var a = Info("album", ("cd1/a.flac", 10));
        var b = Info("album", ("cd2/b.flac", 10));
        var claims = PathClaims.Empty.Claim(a.InfoHash.Hex, PathClaims.PathsOf(a, _root));
        Assert.Null(claims.Conflict(b.InfoHash.Hex, PathClaims.PathsOf(b, _root)));
    }

    [Fact]
    public void Paths_are_compared_through_symbolic_links_of_the_save_folder()
    {
        var real = Directory.CreateDirectory(Path.Combine(_root, "disk")).FullName;
        var link = Path.Combine(_root, "alias");
        Directory.CreateSymbolicLink(link, real);
        var first = Info("a.bin", ("a.bin", 10));
        var second = Info("a.bin", ("a.bin", 20), seed: 2);

        var claims = PathClaims.Empty.Claim(first.InfoHash.Hex, PathClaims.PathsOf(first, real));

        Assert.Equal(first.InfoHash.Hex, claims.Conflict(second.InfoHash.Hex, PathClaims.PathsOf(second, link + "/../alias"))?.InfoHash);
    }

    [Fact]
    public void Released_and_transferred_paths()
    {
        var first = Info("a.bin", ("a.bin", 10));
        var second = Info("a.bin", ("a.bin", 20), seed: 2);
        var claimed = PathClaims.Empty.Claim(first.InfoHash.Hex, PathClaims.PathsOf(first, _root));

        // Held under another key while its data is deleted: still taken.
        var deleting = claimed.Transfer(first.InfoHash.Hex, "deleting/x");
        Assert.False(deleting.Claims(first.InfoHash.Hex));
        Assert.Equal("deleting/x", deleting.Conflict(second.InfoHash.Hex, PathClaims.PathsOf(second, _root))?.InfoHash);

        var free = deleting.Release("deleting/x");
        Assert.Null(free.Conflict(second.InfoHash.Hex, PathClaims.PathsOf(second, _root)));
        Assert.Null(claimed.Release(first.InfoHash.Hex).Conflict(second.InfoHash.Hex, PathClaims.PathsOf(second, _root)));
    }

    [Fact]
    public void A_folder_stays_claimed_while_any_file_below_it_is()
    {
        var a = Info("album", ("cd1/a.flac", 10), ("cd1/b.flac", 10));
        var file = Info("cd1", ("cd1", 10));
        var claims = PathClaims.Empty.Claim(a.InfoHash.Hex, PathClaims.PathsOf(a, _root));
        var folder = Path.Combine(_root, "album");

        Assert.NotNull(claims.Conflict(file.InfoHash.Hex, PathClaims.PathsOf(file, folder)));
        Assert.Null(claims.Release(a.InfoHash.Hex).Conflict(file.InfoHash.Hex, PathClaims.PathsOf(file, folder)));
    }

    /// <summary>An info dictionary written by hand (one piece), so the test needs no content.</summary>
    internal static TorrentMetainfo Info(string name, (string Path, long Length) file, params (string Path, long Length)[] more) =>
        Info(name, [file, .. more], seed: 1);

    internal static TorrentMetainfo Info(string name, (string Path, long Length) file, int seed) => Info(name, [file], seed);

    private static TorrentMetainfo Info(string name, (string Path, long Length)[] files, int seed)
    {
        static string S(string s) => $"{Encoding.UTF8.GetByteCount(s)}:{s}";
        var body = files.Length == 1 && files[0].Path == name
            ? $"6:lengthi{files[0].Length}e"
            : "5:filesl" + string.Concat(files.Select(f => $"d6:lengthi{f.Length}e4:pathl{string.Concat(f.Path.Split('/').Select(S))}ee")) + "e";
        var info = $"d{body}4:name{S(name)}12:piece lengthi16384e6:pieces20:{new string((char)('a' + seed), 20)}e";
        return MetainfoParser.ParseInfoDictionary(Encoding.UTF8.GetBytes(info));
    }
}
