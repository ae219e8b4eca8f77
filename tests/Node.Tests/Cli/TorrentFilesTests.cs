using System.Diagnostics;
using System.Security.Cryptography;
using Swarm.Node.Cli;
using Swarm.Protocol.Bencode;
using Swarm.Protocol.Metainfo;
using Xunit;

namespace Swarm.Node.Tests.Cli;

/// <summary>`torrent create` from files on disk: which files, in which order, hashed across their boundaries, and the
/// same info dictionary as mktorrent.</summary>
public sealed class TorrentFilesTests : IDisposable
{
    private static readonly DateTimeOffset Fixed = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private readonly string _root = Directory.CreateTempSubdirectory("swarm-builder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static TorrentBuildOptions Options(int? pieceLength = null, params string[] trackers) =>
        new(trackers.Length == 0 ? ["http://tracker.example/announce"] : trackers, pieceLength, CreationDate: Fixed);

    private static byte[] Content(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private string Write(string relative, byte[] content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>A nested folder; returns its path and its files in ordinal path order.</summary>
    private (string Folder, (string Path, byte[] Content)[] Files) Folder()
    {
        (string, byte[])[] files =
        [
            ("a-b/z.bin", Content(5_000, 1)),
            ("a.b", Content(1, 2)),
            ("a/deep/er/x.bin", Content(40_000, 3)),
            ("a/y.bin", Content(16_384, 4)),
            ("b.txt", Content(70_001, 5)),
            ("empty", []),
            ("sub/c.txt", Content(123, 6)),
        ];
        foreach (var (rel, content) in files)
        {
            Write(Path.Combine("content", rel), content);
        }

        return (Path.Combine(_root, "content"), files);
    }

    private static byte[] ExpectedPieces(byte[] content, int pieceLength) =>
        content.Chunk(pieceLength).SelectMany(SHA1.HashData).ToArray();

    [Fact]
    public void CreatesASingleFileTorrent()
    {
        var content = Content(100_000, 7);
        var path = Write("movie.bin", content);
        var bytes = TorrentFiles.Create(path, Options(32 * 1024));
        var m = MetainfoParser.Parse(bytes);
        Assert.Equal("movie.bin", m.Name);
        Assert.False(m.IsMultiFile);
        Assert.Equal(32 * 1024, m.PieceLength);
        var f = Assert.Single(m.Files);
        Assert.Equal(["movie.bin"], f.Path);
        Assert.Equal((100_000L, 0L), (f.Length, f.Offset));
        Assert.Equal(ExpectedPieces(content, 32 * 1024), m.PieceHashes);
        Assert.Equal(["http://tracker.example/announce"], m.Trackers);
        Assert.Equal(Fixed, m.CreationDate);
        Assert.Equal("SwarmActors", m.CreatedBy);
        var info = Assert.IsType<BDictionary>(Assert.IsType<BDictionary>(BencodeReader.Decode(bytes))["info"]);
        Assert.Null(info["files"]);
        Assert.Equal(100_000, Assert.IsType<BInteger>(info["length"]).Value);
    }

    [Fact]
    public void CreatesANestedFolderTorrentInOrdinalOrder()
    {
        var (folder, files) = Folder();
        var m = MetainfoParser.Parse(TorrentFiles.Create(folder, Options(16 * 1024)));
        Assert.True(m.IsMultiFile);
        Assert.Equal("content", m.Name);
        Assert.Equal(files.Select(f => f.Path), m.Files.Select(f => f.JoinedPath));
        Assert.Equal(files.Select(f => (long)f.Content.Length), m.Files.Select(f => f.Length));
        long offset = 0;
        foreach (var (file, (_, content)) in m.Files.Zip(files))
        {
            Assert.Equal(offset, file.Offset);
            Assert.False(file.IsPadding);
            offset += content.Length;
        }

        var all = files.SelectMany(f => f.Content).ToArray();
        Assert.Equal(all.Length, m.TotalLength);
        Assert.Equal(ExpectedPieces(all, 16 * 1024), m.PieceHashes);
    }

    [Fact]
    public void PieceHashesSpanFileBoundariesAndZeroLengthFiles()
    {
        Write("f/1", Content(10, 1));
        Write("f/2", []);
        Write("f/3", []);
        Write("f/4", Content(16_384 + 3, 2));
        Write("f/5", []);
        Write("f/6", Content(16_384 * 2, 3));
        var all = new[] { "1", "2", "3", "4", "5", "6" }.SelectMany(n => File.ReadAllBytes(Path.Combine(_root, "f", n))).ToArray();
        var m = MetainfoParser.Parse(TorrentFiles.Create(Path.Combine(_root, "f"), Options(16 * 1024)));
        Assert.Equal(ExpectedPieces(all, 16 * 1024), m.PieceHashes);
        Assert.Equal(4, m.PieceCount);
    }

    [Fact]
    public void FolderPathWithTrailingSeparatorKeepsItsName()
    {
        var (folder, _) = Folder();
        var m = MetainfoParser.Parse(TorrentFiles.Create(folder + Path.DirectorySeparatorChar, Options(16 * 1024)));
        Assert.Equal("content", m.Name);
    }

    [Fact]
    public void IsDeterministic()
    {
        var (folder, _) = Folder();
        var first = TorrentFiles.Create(folder, Options(16 * 1024));
        var second = TorrentFiles.Create(folder, Options(16 * 1024));
        Assert.Equal(first, second);

        var unfixed = new TorrentBuildOptions(["http://tracker.example/announce"], 16 * 1024);
        var a = MetainfoParser.Parse(TorrentFiles.Create(folder, unfixed));
        var b = MetainfoParser.Parse(TorrentFiles.Create(folder, unfixed with { CreationDate = Fixed.AddYears(1) }));
        Assert.Equal(a.InfoBytes, b.InfoBytes);
        Assert.Equal(a.InfoHash, b.InfoHash);
    }

    [Fact]
    public void InfoHashDependsOnContent()
    {
        var path = Write("x.bin", Content(50_000, 1));
        var before = MetainfoParser.Parse(TorrentFiles.Create(path, Options(16 * 1024))).InfoHash;
        var changed = Content(50_000, 1);
        changed[49_999] ^= 1;
        File.WriteAllBytes(path, changed);
        Assert.NotEqual(before, MetainfoParser.Parse(TorrentFiles.Create(path, Options(16 * 1024))).InfoHash);
    }

    [Fact]
    public void DatesTheTorrentByTheClockUnlessTheOptionsDo()
    {
        var path = Write("x.bin", Content(1_000, 1));
        var unfixed = new TorrentBuildOptions([]);
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        Assert.Equal(now, MetainfoParser.Parse(TorrentFiles.Create(path, unfixed, new FixedClock(now))).CreationDate);
        Assert.Equal(Fixed, MetainfoParser.Parse(TorrentFiles.Create(path, unfixed with { CreationDate = Fixed }, new FixedClock(now))).CreationDate);
    }

    [Fact]
    public void UsesTheAutomaticPieceLengthWhenNoneIsGiven()
    {
        var path = Write("x.bin", Content(300_000, 1));
        var m = MetainfoParser.Parse(TorrentFiles.Create(path, Options()));
        Assert.Equal(TorrentBuilder.AutoPieceLength(300_000), m.PieceLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-16384)]
    [InlineData(8 * 1024)]
    [InlineData(20_000)]
    [InlineData(128 * 1024 * 1024)]
    public void RejectsABadPieceLength(int pieceLength)
    {
        var path = Write("x.bin", Content(1_000, 1));
        Assert.Throws<ArgumentException>(() => TorrentFiles.Create(path, Options(pieceLength)));
    }

    [Fact]
    public void RejectsAMissingPathAndEmptyContent()
    {
        Assert.Throws<FileNotFoundException>(() => TorrentFiles.Create(Path.Combine(_root, "nope"), Options()));
        var empty = Write("empty.bin", []);
        Assert.Throws<InvalidOperationException>(() => TorrentFiles.Create(empty, Options()));
        Directory.CreateDirectory(Path.Combine(_root, "hollow", "inner"));
        Assert.Throws<InvalidOperationException>(() => TorrentFiles.Create(Path.Combine(_root, "hollow"), Options()));
    }

    [Fact]
    public async Task MatchesMktorrentInfoHash()
    {
        const string mktorrent = "/usr/bin/mktorrent";
        Assert.True(File.Exists(mktorrent), "mktorrent is not installed (apt-get install -y mktorrent)");
        var (folder, _) = Folder();
        Write(Path.Combine("content", ".hidden"), Content(77, 9));
        var output = Path.Combine(_root, "mk.torrent");
        var psi = new ProcessStartInfo(mktorrent)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-l", "15", "-a", "http://x/announce", "-o", output, folder })
        {
            psi.ArgumentList.Add(arg);
        }

        using (var p = Process.Start(psi)!)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, $"mktorrent exited {p.ExitCode}: {await stderr} {await stdout}");
        }

        var theirs = MetainfoParser.Parse(File.ReadAllBytes(output));
        var ours = MetainfoParser.Parse(TorrentFiles.Create(folder, Options(32 * 1024, "http://x/announce")));
        Assert.Equal(32 * 1024, theirs.PieceLength);
        Assert.Equal(theirs.Files.Select(f => f.JoinedPath), ours.Files.Select(f => f.JoinedPath));
        Assert.Equal(theirs.InfoBytes, ours.InfoBytes);
        Assert.Equal(theirs.InfoHash, ours.InfoHash);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
