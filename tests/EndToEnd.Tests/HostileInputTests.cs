using System.Security.Cryptography;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>
/// Torrents libtorrent refuses too (a name that is no file name, a file cut short) and data that does not match:
/// swarm refuses them with a readable error and writes nothing outside its folders. Torrents whose paths try to
/// escape ("..", absolute paths) are no longer refused but sanitized as libtorrent sanitizes them (issue 12):
/// TorrentPathTests download one and check that every file lands inside the output folder.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper log) : EndToEndTest(log)
{
    public enum BadTorrent
    {
        /// <summary>A single-file name "..": no file name is left once sanitized.</summary>
        NameIsDotDot,

        /// <summary>A valid torrent cut in half.</summary>
        Truncated,
    }

    public static TheoryData<BadTorrent> AllBadTorrents => new(Enum.GetValues<BadTorrent>());

    [Theory]
    [MemberData(nameof(AllBadTorrents))]
    public async Task Info_rejects_the_torrent_with_exit_code_2(BadTorrent kind)
    {
        var torrent = await WriteAsync(kind);

        var result = await SwarmCli.RunAsync(Log, Timeouts.Reject, "torrent", "info", torrent, "--json");

        Assertions.CleanRejection(result, expectedExitCode: 2);
    }

    [Theory]
    [MemberData(nameof(AllBadTorrents))]
    public async Task Get_refuses_the_torrent_and_writes_nothing_outside_the_output_folder(BadTorrent kind)
    {
        var torrent = await WriteAsync(kind);
        var outDir = Dir.Sub("out");
        var state = StateDir("leecher");
        var before = SnapshotOutside(outDir, state);

        var result = await RunExpectingRefusalAsync(Timeouts.Reject,
            "get", torrent, "-o", outDir, "--bind", SwarmCli.Loopback, "--port", FreePort.Next().ToString(), "--data-dir", state);

        Assertions.CleanRejection(result, oneLine: false);
        TreeHash.AssertSame(before, SnapshotOutside(outDir, state), "The test folder outside the output folder changed");
        var escaped = Directory.EnumerateFileSystemEntries(Dir.Path, "escape*", SearchOption.AllDirectories).ToList();
        Assert.True(escaped.Count == 0, $"swarm wrote {string.Join(", ", escaped)}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Seed_refuses_data_that_does_not_match_and_names_the_file(bool truncateInsteadOfFlip)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var damaged = Path.Combine(torrent.Content.Path, "sub", "beta.dat");
        await using (var stream = new FileStream(damaged, FileMode.Open, FileAccess.ReadWrite))
        {
            if (truncateInsteadOfFlip)
            {
                stream.SetLength(stream.Length - 1000);
            }
            else
            {
                stream.Position = stream.Length / 2;
                var original = stream.ReadByte();
                stream.Position--;
                stream.WriteByte((byte)(original ^ 0xFF));
            }
        }

        var state = StateDir("seeder");
        var before = SnapshotOutside(state);

        var result = await RunExpectingRefusalAsync(Timeouts.Start,
            "seed", torrent.TorrentPath, "--data", torrent.Content.Parent,
            "--bind", SwarmCli.Loopback, "--port", FreePort.Next().ToString(), "--data-dir", state);

        Assertions.CleanRejection(result, oneLine: false);
        Assert.DoesNotContain(result.Stdout, line => line.StartsWith("seeding", StringComparison.Ordinal));
        Assert.Contains("beta.dat", result.StderrText, StringComparison.Ordinal);
        // Seeding only reads: the bad data is reported, not repaired, resized or deleted.
        TreeHash.AssertSame(before, SnapshotOutside(state), "swarm seed changed files");
    }

    private async Task<CommandResult> RunExpectingRefusalAsync(TimeSpan timeout, params string[] arguments)
    {
        try
        {
            return await SwarmCli.RunAsync(Log, timeout, arguments);
        }
        catch (TimeoutException e)
        {
            throw new Xunit.Sdk.XunitException($"`swarm {arguments[0]}` accepted input it must refuse: still running after {timeout.TotalSeconds:0} s.\n{e.Message}");
        }
    }

    /// <summary>Every file and folder under the test root except the given subtrees, with file hashes.</summary>
    private SortedDictionary<string, string> SnapshotOutside(params string[] excluded)
    {
        var excludedRelative = excluded.Select(e => Path.GetRelativePath(Dir.Path, e).Replace('\\', '/') + "/").ToList();
        bool Included(string relative) => !excludedRelative.Any(e => (relative + "/").StartsWith(e, StringComparison.Ordinal));

        var snapshot = TreeHash.Of(Dir.Path, Included);
        foreach (var folder in Directory.EnumerateDirectories(Dir.Path, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Dir.Path, folder);
            if (Included(relative))
            {
                snapshot[relative + "/"] = "folder";
            }
        }

        return snapshot;
    }

    private async Task<string> WriteAsync(BadTorrent kind)
    {
        var path = Dir.File("hostile.torrent");
        if (kind == BadTorrent.Truncated)
        {
            var torrent = await TestTorrent.CreateAsync(Dir.Sub("valid"), PayloadKind.MultiFile, Log);
            var bytes = await File.ReadAllBytesAsync(torrent.TorrentPath);
            await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);
            return path;
        }

        var info = kind switch
        {
            BadTorrent.NameIsDotDot => SingleFileInfo(".."),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var root = new Dictionary<string, object>
        {
            ["announce"] = "http://127.0.0.1:1/announce",
            ["created by"] = "swarm end-to-end tests",
            ["info"] = info,
        };
        await File.WriteAllBytesAsync(path, Bencode.Encode(root));
        return path;
    }

    // Everything but the path is valid, so a rejection can only be about the path.
    private static readonly byte[] FileBytes = "0123456789"u8.ToArray();

    private static Dictionary<string, object> SingleFileInfo(string name) => new()
    {
        ["name"] = name,
        ["length"] = (long)FileBytes.Length,
        ["piece length"] = 16384L,
        ["pieces"] = SHA1.HashData(FileBytes),
    };
}
