using System.Security.Cryptography;
using Swarm.Actors.Storage;
using Swarm.Protocol.Bencode;
using Swarm.Protocol.Metainfo;
using Xunit;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Files of sanitized torrents land inside the save folder, the torrent's symlinks are made as libtorrent
/// makes them, and no symbolic link already on disk leads a write, read, creation or deletion out of the folder.</summary>
public sealed class TorrentStorageTests : IDisposable
{
    private const int PieceLength = 16 * 1024;

    private readonly string _root = Directory.CreateTempSubdirectory("swarm-storage-").FullName;
    private readonly FileHandlePool _handles = new(16);

    private string Save => Path.Combine(_root, "save");

    private string Outside => Path.Combine(_root, "outside");

    public void Dispose()
    {
        _handles.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void WritesSanitizedPathsInsideTheSaveFolder()
    {
        var (meta, content) = Torrent("folder", [File(20_000, "..", "..", "escape.bin"), File(5_000, "/etc", "passwd"), File(100, "a\\b")]);
        var storage = Storage(meta);
        storage.Prepare();
        WriteAll(storage, meta, content);

        Assert.Equal(content[..20_000], System.IO.File.ReadAllBytes(Path.Combine(Save, "folder", "escape.bin")));
        Assert.Equal(content[20_000..25_000], System.IO.File.ReadAllBytes(Path.Combine(Save, "folder", "etc", "passwd")));
        Assert.Equal(content[25_000..], System.IO.File.ReadAllBytes(Path.Combine(Save, "folder", "ab")));
        Assert.Equal(["save"], Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName));
        Assert.True(Enumerable.Range(0, meta.PieceCount).All(p => storage.Verify(p, new byte[PieceLength])));

        // Hashed a small buffer at a time, as for pieces far larger than a thread should hold.
        Assert.True(Enumerable.Range(0, meta.PieceCount).All(p => storage.Verify(p, new byte[1000])));
        System.IO.File.WriteAllBytes(Path.Combine(Save, "folder", "ab"), new byte[100]);
        Assert.False(storage.Verify(meta.PieceCount - 1, new byte[1000]));
    }

    [Fact]
    public void MakesTheTorrentsSymlinksAsLibtorrentDoes()
    {
        var (meta, _) = Torrent("folder", [
            File(10, "d", "f"),
            Link(["a", "b", "link"], "d", "f"),
            Link(["dirlink"], "d"),
            Link(["d", "self"], "d"),
            Link(["out"], "..", "..", "etc", "passwd"),
        ]);
        var storage = Storage(meta);
        storage.Prepare();

        var folder = Path.Combine(Save, "folder");
        Assert.Equal("../../d/f", new FileInfo(Path.Combine(folder, "a", "b", "link")).LinkTarget);
        Assert.Equal("d", new FileInfo(Path.Combine(folder, "dirlink")).LinkTarget);
        Assert.Equal(".", new FileInfo(Path.Combine(folder, "d", "self")).LinkTarget);
        Assert.Equal("out", new FileInfo(Path.Combine(folder, "out")).LinkTarget); // a target outside: the link points to itself

        // Prepared again (a restart), links that are right stay and a wrong one is replaced.
        System.IO.File.Delete(Path.Combine(folder, "dirlink"));
        System.IO.File.CreateSymbolicLink(Path.Combine(folder, "dirlink"), Outside);
        storage.Prepare();
        Assert.Equal("d", new FileInfo(Path.Combine(folder, "dirlink")).LinkTarget);
        Assert.True(storage.FileIntact(1));
    }

    [Fact]
    public void RefusesToReplaceAFileWithTheTorrentsSymlink()
    {
        var (meta, _) = Torrent("folder", [File(10, "d", "f"), Link(["l"], "d", "f")]);
        Directory.CreateDirectory(Path.Combine(Save, "folder"));
        System.IO.File.WriteAllText(Path.Combine(Save, "folder", "l"), "mine");

        Assert.Throws<IOException>(() => Storage(meta).Prepare());
        Assert.Equal("mine", System.IO.File.ReadAllText(Path.Combine(Save, "folder", "l")));
    }

    [Fact]
    public void RefusesAFolderOnTheWayThatLinksOutside()
    {
        var (meta, content) = Torrent("folder", [File(20_000, "sub", "a.bin")]);
        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Path.Combine(Save, "folder"));
        Directory.CreateSymbolicLink(Path.Combine(Save, "folder", "sub"), Outside);
        var storage = Storage(meta);

        var e = Assert.Throws<IOException>(storage.Prepare);
        Assert.Contains("outside the save folder", e.Message, StringComparison.Ordinal);
        Assert.Throws<IOException>(() => storage.Write(0, content.AsSpan(0, PieceLength)));
        Assert.Throws<IOException>(() => storage.Read(0, 0, new byte[100]));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
        Assert.False(storage.FileIntact(0));
    }

    [Fact]
    public void RefusesTheTorrentsFolderWhenItLinksOutside()
    {
        var (meta, _) = Torrent("folder", [File(10, "a.bin")]);
        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Save);
        Directory.CreateSymbolicLink(Path.Combine(Save, "folder"), Outside);

        Assert.Throws<IOException>(Storage(meta).Prepare);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public void RefusesAFileThatIsALinkOutsideEvenADanglingOne()
    {
        var (meta, content) = Torrent("folder", [File(10, "a.bin"), File(10, "b.bin")]);
        Directory.CreateDirectory(Outside);
        var victim = Path.Combine(Outside, "victim");
        System.IO.File.WriteAllText(victim, "keep me");
        Directory.CreateDirectory(Path.Combine(Save, "folder"));
        System.IO.File.CreateSymbolicLink(Path.Combine(Save, "folder", "a.bin"), victim);
        System.IO.File.CreateSymbolicLink(Path.Combine(Save, "folder", "b.bin"), Path.Combine(Outside, "not-yet"));
        var storage = Storage(meta);

        Assert.Throws<IOException>(storage.Prepare);
        Assert.Throws<IOException>(() => storage.Write(0, content));
        Assert.Equal("keep me", System.IO.File.ReadAllText(victim));
        Assert.False(System.IO.File.Exists(Path.Combine(Outside, "not-yet")));
    }

    [Fact]
    public void FollowsLinksThatStayInside()
    {
        // A user's own link inside the save folder (say, to another disk mounted below it) is theirs to use.
        var (meta, content) = Torrent("folder", [File(20_000, "a.bin")]);
        Directory.CreateDirectory(Path.Combine(Save, "elsewhere"));
        Directory.CreateSymbolicLink(Path.Combine(Save, "folder"), Path.Combine(Save, "elsewhere"));
        var storage = Storage(meta);
        storage.Prepare();
        WriteAll(storage, meta, content);

        Assert.Equal(content, System.IO.File.ReadAllBytes(Path.Combine(Save, "elsewhere", "a.bin")));
    }

    [Fact]
    public void DeletingRemovesLinksNotWhatTheyPointTo()
    {
        var (meta, content) = Torrent("folder", [File(20_000, "d", "f"), Link(["l"], "d", "f"), File(10, "g")]);
        var storage = Storage(meta);
        storage.Prepare();
        WriteAll(storage, meta, content);
        Directory.CreateDirectory(Outside);
        var victim = Path.Combine(Outside, "victim");
        System.IO.File.WriteAllText(victim, "keep me");
        var g = Path.Combine(Save, "folder", "g");
        System.IO.File.Delete(g);
        System.IO.File.CreateSymbolicLink(g, victim);

        Assert.Equal(3, storage.DeleteCreated(storage.TakeCreated()));
        Assert.Equal("keep me", System.IO.File.ReadAllText(victim));
        Assert.False(Directory.Exists(Path.Combine(Save, "folder")));
    }

    [Fact]
    public void DeletingLeavesAFolderBehindALinkAlone()
    {
        var (meta, _) = Torrent("folder", [File(10, "sub", "a.bin"), File(10, "b.bin")]);
        Directory.CreateDirectory(Path.Combine(Outside, "sub-target"));
        var kept = Path.Combine(Outside, "sub-target", "a.bin");
        System.IO.File.WriteAllText(kept, "keep me");
        var storage = Storage(meta);
        Directory.CreateDirectory(Path.Combine(Save, "folder"));
        System.IO.File.WriteAllText(Path.Combine(Save, "folder", "b.bin"), "0123456789");
        Directory.CreateSymbolicLink(Path.Combine(Save, "folder", "sub"), Path.Combine(Outside, "sub-target"));

        // As the journal would tell it: the torrent created both files and both folders.
        Assert.Equal(1, storage.DeleteCreated(new CreatedContent([0, 1], ["folder", "folder/sub"])));
        Assert.Equal("keep me", System.IO.File.ReadAllText(kept));
        Assert.True(Directory.Exists(Path.Combine(Save, "folder", "sub")));
    }

    [Fact]
    public void FilesAreCreatedAtTheirFirstWriteAndReportedAsCreated()
    {
        var (meta, content) = Torrent("folder", [File(20_000, "sub", "a.bin"), File(20_000, "b.bin")]);
        var storage = Storage(meta);
        storage.Prepare();
        Assert.False(Directory.Exists(Save));
        Assert.True(storage.TakeCreated().IsEmpty);

        storage.Write(0, content.AsSpan(0, PieceLength));
        var a = Path.Combine(Save, "folder", "sub", "a.bin");
        Assert.Equal(20_000, new FileInfo(a).Length); // at its final length, sparse
        Assert.False(System.IO.File.Exists(Path.Combine(Save, "folder", "b.bin")));
        var created = storage.TakeCreated();
        Assert.Equal([0], created.Files);
        Assert.Equal(["folder", "folder/sub"], created.Folders);

        // Reported once: the next write into the same file creates nothing.
        storage.Write(0, content.AsSpan(0, PieceLength));
        Assert.True(storage.TakeCreated().IsEmpty);
    }

    [Fact]
    public void AFileAlreadyThereIsNeitherTruncatedNorTakenAsCreatedNorDeleted()
    {
        var (meta, content) = Torrent("folder", [File(20_000, "a.bin"), File(20_000, "b.bin")]);
        Directory.CreateDirectory(Path.Combine(Save, "folder"));
        var theirs = Path.Combine(Save, "folder", "a.bin");
        var data = new byte[50_000];
        new Random(3).NextBytes(data);
        System.IO.File.WriteAllBytes(theirs, data);
        var storage = Storage(meta);
        storage.Prepare();

        WriteAll(storage, meta, content);
        Assert.Equal(50_000, new FileInfo(theirs).Length);
        var created = storage.TakeCreated();
        Assert.Equal([1], created.Files);
        Assert.Empty(created.Folders); // the torrent's folder was there

        Assert.Equal(1, storage.DeleteCreated(created));
        Assert.True(System.IO.File.Exists(theirs));
        Assert.False(System.IO.File.Exists(Path.Combine(Save, "folder", "b.bin")));
        Assert.True(Directory.Exists(Path.Combine(Save, "folder")));
    }

    [Fact]
    public void NamesInMessagesReachNoTerminalRaw()
    {
        // libtorrent keeps DEL and C1 controls (U+009B is CSI) in names; messages show them escaped.
        var (meta, _) = Torrent("folder", [File(10, "a\u009b[2J.bin")]);
        var storage = Storage(meta);
        Assert.Equal(["a\\u009b[2J.bin"], storage.FilesOf(0));

        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Save);
        Directory.CreateSymbolicLink(Path.Combine(Save, "folder"), Outside);
        var e = Assert.Throws<IOException>(storage.Prepare);
        Assert.DoesNotContain('\u009b', e.Message);
    }

    [Fact]
    public void RealPathResolvesLinksLikeTheKernel()
    {
        Directory.CreateDirectory(Path.Combine(_root, "x", "y"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "up"), "x/y/..");
        Directory.CreateSymbolicLink(Path.Combine(_root, "x", "y", "back"), "../..");
        System.IO.File.CreateSymbolicLink(Path.Combine(_root, "loop"), "loop");

        var real = SaveFolder.RealPath(_root);
        Assert.Equal(Path.Combine(real, "x", "new", "file"), SaveFolder.RealPath(Path.Combine(_root, "up", "new", "file")));
        Assert.Equal(Path.Combine(real, "x"), SaveFolder.RealPath(Path.Combine(_root, "x", "y", "back", "x")));
        Assert.Throws<IOException>(() => SaveFolder.RealPath(Path.Combine(_root, "loop", "a")));
    }

    [Fact]
    public void The_pieces_of_damaged_files_are_those_whose_bytes_they_hold()
    {
        // Files ending exactly on a piece boundary, inside one piece, across several, empty, and at the very end.
        var (meta, _) = Torrent("folder", [File(PieceLength, "a"), File(100, "b"), File(0, "empty"), File(3 * PieceLength, "c"), File(PieceLength - 100, "d"), File(7, "e")]);
        var storage = Storage(meta);
        var random = new Random(5);
        for (var round = 0; round < 64; round++)
        {
            var damaged = Enumerable.Range(0, meta.Files.Count).Select(_ => random.Next(2) == 0).ToArray();
            var pieces = storage.PiecesOfFiles(damaged);

            // What asking each piece for its files gives.
            var expected = Enumerable.Range(0, meta.PieceCount).Where(p => storage.FileIndicesOf(p).Any(i => damaged[i]));
            Assert.Equal(expected, pieces.Indices());
        }
    }

    private TorrentStorage Storage(TorrentMetainfo meta) => new(meta, Save, _handles);

    private static void WriteAll(TorrentStorage storage, TorrentMetainfo meta, byte[] content)
    {
        for (var p = 0; p < meta.PieceCount; p++)
        {
            storage.Write(p, content.AsSpan(p * PieceLength, meta.PieceSize(p)));
        }
    }

    private static BDictionary File(long length, params string[] path) =>
        BDictionary.From(("length", new BInteger(length)), ("path", Strings(path)));

    private static BDictionary Link(string[] path, params string[] target) =>
        BDictionary.From(("attr", new BString("l")), ("path", Strings(path)), ("symlink path", Strings(target)));

    private static BList Strings(IEnumerable<string> items) => new([.. items.Select(i => (BValue)new BString(i))]);

    /// <summary>A multi-file torrent of random content with real piece hashes.</summary>
    private static (TorrentMetainfo Meta, byte[] Content) Torrent(string name, BDictionary[] files)
    {
        var total = files.Sum(f => f["attr"] is null ? ((BInteger)f["length"]!).Value : 0);
        var content = new byte[total];
        new Random(7).NextBytes(content);
        var hashes = new List<byte>();
        for (var offset = 0; offset < content.Length; offset += PieceLength)
        {
            hashes.AddRange(SHA1.HashData(content.AsSpan(offset, Math.Min(PieceLength, content.Length - offset))));
        }

        var info = BDictionary.From(
            ("name", new BString(name)),
            ("piece length", new BInteger(PieceLength)),
            ("pieces", new BString([.. hashes])),
            ("files", new BList(files)));
        return (MetainfoParser.Parse(BencodeWriter.Encode(BDictionary.From(("info", info)))), content);
    }
}
