using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>
/// Every torrent libtorrent 2.0 loads, swarm loads, with the paths libtorrent gives its files (python3-libtorrent
/// through peers/lt_files.py is the oracle, asked about the very same file); what libtorrent refuses, swarm refuses
/// in one line; and a download of a torrent full of hostile paths lands byte-exact at libtorrent's paths, inside
/// the output folder.
/// </summary>
public sealed class TorrentPathTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private const string Python = "/usr/bin/python3";
    private const int PieceLength = 16 * 1024;

    private static string Oracle => Path.Combine(AppContext.BaseDirectory, "peers", "lt_files.py");

    /// <summary>One crafted torrent per sanitizing rule (and per limit libtorrent loads), keyed by what it tries.</summary>
    private static readonly Dictionary<string, Func<byte[]>> Loaded = new()
    {
        ["dot and dot-dot components"] = () => Multi(F(10, "..", "..", "escape.bin"), F(10, ".", "a"), F(10, "b", "..", "c")),
        ["absolute paths"] = () => Multi(F(10, "/tmp/escape-absolute.bin"), F(10, "/etc", "passwd"), F(10, "C:\\Windows", "x")),
        ["separators inside a component"] = () => Multi(F(10, "a\\b", "..\\..\\x"), F(10, "/")),
        ["control characters"] = () => Multi(F(10, "a\u0001b\u001b[31m\u007f\u009b.txt"), F(10, "tab\t"), F(10, "nul\0here")),
        ["writing-direction overrides"] = () => Multi(F(10, "evil\u202etxt.exe"), F(10, "\u200e\u200f")),
        ["empty components"] = () => Multi(F(10, "", "a", ""), F(10, "..", "."), F(10, "b")),
        ["invalid UTF-8"] = () => Multi(F(10, Bytes("caf", 0xe9, ".txt"), new byte[] { 0xff, 0xfe }, new byte[] { 0xc0, 0xaf }, Bytes("ab", 0xe2, 0x82))),
        ["components over 255 bytes"] = () => Multi(
            F(10, new string('x', 300) + ".mkv"),
            F(10, new string('y', 300)),
            F(10, new string('\u00e9', 200) + ".txt"),
            F(10, new string('w', 245) + ".abcdefghij")),
        ["duplicate paths"] = () => Multi(F(10, "a.txt"), F(10, "A.TXT"), F(10, "a.txt"), F(10, "a.1.txt"), F(10, "noext"), F(10, "noext"), F(10, ".hidden"), F(10, ".hidden")),
        ["a file that is also a folder"] = () => Multi(F(10, "a", "b", "c"), F(10, "a", "b"), F(10, "a")),
        ["many duplicates"] = () => Multi([.. Enumerable.Range(0, 300).Select(_ => F(1, "same.bin"))]),
        ["unordered file list"] = () => Multi(F(10, "z", "x"), F(10, "a"), F(10, "z", "a"), F(10, "m", "n", "o"), F(10, "b")),
        ["padding files"] = () => Multi(
            F(1000, "a"),
            Pad(PieceLength - 1000, ".pad", "15384"),
            F(PieceLength, "b"),
            Pad(PieceLength - 1000, ".pad", "15384"),
            F(10, "c"),
            Pad(5),
            F(10, "_____padding_file_0_"),
            F(10, ".pad", "15384")),
        ["symlinks"] = () => Multi(
            F(10, "d", "f"),
            Link(["link"], "d", "f"),
            Link(["out"], "..", "..", "etc", "passwd"),
            Link(["abs"], "/etc/passwd"),
            Link(["dirlink"], "d"),
            Link(["d", "rel"], "f"),
            Link(["no-target"])),
        ["symlink chains and loops"] = () => Multi(
            F(10, "d", "f"),
            Link(["l1"], "l2", "f"),
            Link(["l2"], "d"),
            Link(["loop1"], "loop2", "x"),
            Link(["loop2"], "loop1", "x")),
        ["a folder name that vanishes"] = () => Multi("..", PieceLength, F(10, "a")),
        ["a folder name with separators"] = () => Multi("../../escape", PieceLength, F(10, "a")),
        ["a single file named with separators"] = () => Single("../escape.bin", 10),
        ["a single file named with control characters"] = () => Single("\u001b]0;pwned\u0007.bin", 10),
        ["a piece length that is no power of two"] = () => Multi("folder", 100_000, F(300_000, "a")),
        ["a piece length of one byte"] = () => Multi("folder", 1, F(100, "a")),
        ["a 128 MiB piece length"] = () => Multi("folder", 128 << 20, F(10, "a")),
        ["the largest piece length"] = () => Multi("folder", int.MaxValue / 2, F(10, "a")),
        ["length beside files"] = () => Torrent(With(Info("folder", PieceLength, F(10, "a")), "length", 99L)),
        ["non-canonical bencode"] = () => Encoding.Latin1.GetBytes(
            "d4:infod4:name1:a4:name1:b6:lengthi010e012:piece lengthi16384e6:pieces20:" + new string('\u0001', 20) + "ee" + "trailing"),
    };

    /// <summary>Torrents libtorrent refuses.</summary>
    private static readonly Dictionary<string, Func<byte[]>> Refused = new()
    {
        ["a single file named '..'"] = () => Single("..", 10),
        ["a single file with an empty name"] = () => Single("", 10),
        ["no files"] = () => Multi(),
        ["a file without a path"] = () => Multi(new Dictionary<string, object> { ["length"] = 10L }),
        ["a path component that is not a string"] = () => Multi(new Dictionary<string, object> { ["length"] = 10L, ["path"] = new List<object> { 5L } }),
        ["a negative length"] = () => Multi(F(-10, "a"), F(20, "b")),
        ["no content"] = () => Torrent(With(Info("folder", PieceLength, F(0, "a")), "pieces", Array.Empty<byte>())),
        ["the wrong number of piece hashes"] = () => Torrent(With(Info("folder", PieceLength, F(PieceLength + 1, "a")), "pieces", new byte[20])),
        ["a piece length of 0"] = () => Torrent(With(Info("folder", PieceLength, F(10, "a")), "piece length", 0L)),
        ["a piece length of 1 GiB"] = () => Torrent(With(Info("folder", PieceLength, F(10, "a")), "piece length", 1L << 30)),
        ["a file of 2^44 bytes"] = () => Multi("folder", int.MaxValue / 2, F(1L << 44, "a")),
        ["a hybrid torrent with unsorted keys"] = () => Encoding.Latin1.GetBytes(
            "d4:infod4:name1:a6:lengthi10e12:meta versioni2e9:file treed1:ad0:d6:lengthi10e11:pieces root32:" + new string('\0', 32)
            + "eee12:piece lengthi16384e6:pieces20:" + new string('\u0001', 20) + "ee"),
        ["nesting 100 deep"] = () => Encoding.Latin1.GetBytes(
            "d4:infod6:lengthi10e4:name1:a12:piece lengthi16384e6:pieces20:" + new string('\u0001', 20) + "e1:x" + new string('l', 99) + new string('e', 99) + "e"),
        ["a truncated file"] = () => Multi(F(10, "a"))[..40],
        ["a file over 10 MB"] = () => Torrent(With(Info("folder", PieceLength, F(10, "a")), "x-filler", new byte[10_000_000])),
    };

    public static TheoryData<string> LoadedCases => new(Loaded.Keys);

    public static TheoryData<string> RefusedCases => new(Refused.Keys);

    [Theory]
    [MemberData(nameof(LoadedCases))]
    public async Task Info_lists_the_paths_libtorrent_gives(string name)
    {
        var torrent = Dir.File("crafted.torrent");
        var bytes = Loaded[name]();
        await File.WriteAllBytesAsync(torrent, bytes);
        var lt = await LibtorrentViewAsync(torrent);
        Assert.True(lt.Ok, $"libtorrent refuses '{name}': {lt.Error}");

        var result = (await SwarmCli.RunAsync(Log, Timeouts.Reject, "torrent", "info", torrent, "--json")).EnsureSuccess();
        using var json = JsonDocument.Parse(result.StdoutText);
        var ourName = json.RootElement.GetProperty("name").GetString()!;
        var multi = IsMultiFile(bytes);
        var ours = json.RootElement.GetProperty("files").EnumerateArray()
            .Select(f => (Path: multi ? $"{ourName}/{f.GetProperty("path").GetString()}" : f.GetProperty("path").GetString()!, Size: f.GetProperty("length").GetInt64()))
            .ToList();

        Assert.Equal(lt.Name, ourName);
        Assert.Equal(lt.Files.Where(f => !f.Pad).Select(f => (f.Path, f.Size)), ours);
    }

    [Theory]
    [MemberData(nameof(RefusedCases))]
    public async Task Info_refuses_in_one_line_what_libtorrent_refuses(string name)
    {
        var torrent = Dir.File("crafted.torrent");
        await File.WriteAllBytesAsync(torrent, Refused[name]());
        var lt = await LibtorrentViewAsync(torrent);
        Assert.False(lt.Ok, $"libtorrent loads '{name}'");

        var result = await SwarmCli.RunAsync(Log, Timeouts.Reject, "torrent", "info", torrent, "--json");

        Assertions.CleanRejection(result, expectedExitCode: 2);
        Assert.DoesNotContain(result.Stdout, l => l.Length > 0);
    }

    [Fact]
    public async Task Swarm_downloads_a_sanitized_torrent_from_libtorrent_to_libtorrents_paths()
    {
        // Data files (random content), a padding file (zeros) and symlinks, under hostile paths, in pieces of a length
        // that is neither a power of two nor a multiple of the 16 KiB block (libtorrent loads any).
        const int pieceLength = 40_000;
        var random = new Random(12);
        byte[] Data(int length)
        {
            var data = new byte[length];
            random.NextBytes(data);
            return data;
        }

        var entries = new List<(Dictionary<string, object> Entry, byte[] Content)>
        {
            (F(40_000, "..", "..", "escape.bin"), Data(40_000)),
            (F(1_000, "/abs", "path.bin"), Data(1_000)),
            (F(30_000, "sub\\dir", "ctrl\u001b[31m\u009b.bin"), Data(30_000)),
            (F(1, "", "empty component.bin"), Data(1)),
            (F(25_000, new string('x', 300) + ".bin"), Data(25_000)),
            (F(7, "Dup.bin"), Data(7)),
            (F(9, "dup.bin"), Data(9)),
            (F(5_000, "folder", "inner.bin"), Data(5_000)),
            (F(3, "folder"), Data(3)),
            (F(0, "empty.bin"), []),
            (F(2_000, Bytes("caf", 0xe9, ".txt")), Data(2_000)),
        };
        var padLength = pieceLength - (entries.Sum(e => e.Content.Length) % pieceLength);
        entries.Add((Pad(padLength, ".pad", padLength.ToString(System.Globalization.CultureInfo.InvariantCulture)), new byte[padLength]));
        entries.Add((F(50_000, "after the pad.bin"), Data(50_000)));
        entries.Add((Link(["link"], "sub\\dir", "ctrl\u001b[31m\u009b.bin"), []));
        entries.Add((Link(["escaping link"], "..", "..", "..", "etc", "passwd"), []));

        var content = entries.SelectMany(e => e.Content).ToArray();
        var hashes = Enumerable.Range(0, (content.Length + pieceLength - 1) / pieceLength)
            .SelectMany(p => SHA1.HashData(content.AsSpan(p * pieceLength, Math.Min(pieceLength, content.Length - (p * pieceLength)))))
            .ToArray();
        var info = new Dictionary<string, object>
        {
            ["name"] = "../payload",
            ["piece length"] = (long)pieceLength,
            ["pieces"] = hashes,
            ["files"] = entries.Select(e => (object)e.Entry).ToList(),
        };
        var torrent = Dir.File("hostile.torrent");
        var bytes = Torrent(info);
        await File.WriteAllBytesAsync(torrent, bytes);
        var infoHash = Convert.ToHexStringLower(SHA1.HashData(Bencode.RawValue(bytes, "info")));
        var lt = await LibtorrentViewAsync(torrent);
        Assert.True(lt.Ok, lt.Error);
        Assert.Equal(entries.Count, lt.Files.Count);

        // The seeder's data where libtorrent looks for it.
        var seedDir = Dir.Sub("seed");
        for (var i = 0; i < entries.Count; i++)
        {
            if (!lt.Files[i].Pad && lt.Files[i].Symlink is null)
            {
                var path = Path.Combine(seedDir, lt.Files[i].Path);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllBytesAsync(path, entries[i].Content);
            }
        }

        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartSeedAsync(Log, torrent, seedDir, seedPort));
        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent, outDir, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(seedPort)));
        await leecher.WaitForCompleteAsync(infoHash);

        var expected = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var (path, _, pad, symlink) = lt.Files[i];
            if (pad)
            {
                continue;
            }

            var onDisk = Path.Combine(outDir, path);
            expected.Add(path);
            if (symlink is not null)
            {
                Assert.True(new FileInfo(onDisk).LinkTarget == symlink, $"{path} should be a link to {symlink}, is {new FileInfo(onDisk).LinkTarget ?? "no link"}");
            }
            else
            {
                var downloaded = await File.ReadAllBytesAsync(onDisk);
                Assert.True(entries[i].Content.SequenceEqual(downloaded), $"{path} differs");
            }
        }

        // Nothing else in the output folder, and no "escape" anywhere but in the seed's and the output's copies.
        var files = Directory.EnumerateFileSystemEntries(outDir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(p => !Directory.Exists(p) || new DirectoryInfo(p).LinkTarget is not null)
            .Select(p => Path.GetRelativePath(outDir, p))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(expected, files.Order(StringComparer.Ordinal));
        var escaped = Directory.EnumerateFileSystemEntries(Dir.Path, "escape*", SearchOption.AllDirectories)
            .Where(p => !p.StartsWith(seedDir + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !p.StartsWith(outDir + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToList();
        Assert.True(escaped.Count == 0, $"written outside: {string.Join(", ", escaped)}");
    }

    private sealed record LtFile(string Path, long Size, bool Pad, string? Symlink);

    private sealed record LtView(bool Ok, string? Error, string? Name, IReadOnlyList<LtFile> Files);

    private async Task<LtView> LibtorrentViewAsync(string torrent)
    {
        var result = (await Command.RunAsync("lt_files", Python, [Oracle, torrent], Timeouts.Reject, Log)).EnsureSuccess();
        using var json = JsonDocument.Parse(result.StdoutText);
        var root = json.RootElement;
        if (!root.GetProperty("ok").GetBoolean())
        {
            return new LtView(false, root.GetProperty("error").GetString(), null, []);
        }

        var files = root.GetProperty("files").EnumerateArray().Select(f => new LtFile(
            f.GetProperty("path").GetString()!,
            f.GetProperty("size").GetInt64(),
            f.GetProperty("pad").GetBoolean(),
            f.GetProperty("symlink").GetString())).ToList();
        return new LtView(true, null, root.GetProperty("name").GetString(), files);
    }

    private static bool IsMultiFile(byte[] torrent) =>
        Bencode.Decode(Bencode.RawValue(torrent, "info")) is IDictionary<string, object> info && info.ContainsKey("files");

    private static byte[] Bytes(string prefix, params object[] rest) =>
        [.. Encoding.UTF8.GetBytes(prefix), .. rest.SelectMany(r => r is string s ? Encoding.UTF8.GetBytes(s) : [Convert.ToByte(r, System.Globalization.CultureInfo.InvariantCulture)])];

    private static Dictionary<string, object> F(long length, params object[] path) =>
        new() { ["length"] = length, ["path"] = path.ToList() };

    private static Dictionary<string, object> Pad(long length, params object[] path)
    {
        var pad = new Dictionary<string, object> { ["attr"] = "p", ["length"] = length };
        if (path.Length > 0)
        {
            pad["path"] = path.ToList();
        }

        return pad;
    }

    private static Dictionary<string, object> Link(string[] path, params object[] target)
    {
        var link = new Dictionary<string, object> { ["attr"] = "l", ["length"] = 0L, ["path"] = path.Cast<object>().ToList() };
        if (target.Length > 0)
        {
            link["symlink path"] = target.ToList();
        }

        return link;
    }

    private static Dictionary<string, object> Info(string name, long pieceLength, params Dictionary<string, object>[] files)
    {
        var total = files.Where(f => !(f.TryGetValue("attr", out var a) && ((string)a).Contains('l'))).Sum(f => Math.Max(0, (long)f.GetValueOrDefault("length", 0L)));
        var pieces = Math.Max(1, (total + pieceLength - 1) / pieceLength);
        return new Dictionary<string, object>
        {
            ["name"] = name,
            ["piece length"] = pieceLength,
            ["pieces"] = new byte[pieces * 20],
            ["files"] = files.Cast<object>().ToList(),
        };
    }

    private static Dictionary<string, object> With(Dictionary<string, object> info, string key, object value)
    {
        info[key] = value;
        return info;
    }

    private static byte[] Multi(params Dictionary<string, object>[] files) => Multi("folder", PieceLength, files);

    private static byte[] Multi(string name, long pieceLength, params Dictionary<string, object>[] files) => Torrent(Info(name, pieceLength, files));

    private static byte[] Single(string name, long length) => Torrent(new Dictionary<string, object>
    {
        ["name"] = name,
        ["piece length"] = (long)PieceLength,
        ["pieces"] = new byte[20],
        ["length"] = length,
    });

    private static byte[] Torrent(Dictionary<string, object> info) =>
        Bencode.Encode(new Dictionary<string, object> { ["announce"] = "http://127.0.0.1:1/announce", ["info"] = info });
}
