using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>The README's Quick start as a new user runs it: a fresh HOME, every command with its defaults (no
/// --data-dir, no --bind), a seeder in the background while downloads run, and a quiet stderr.</summary>
public sealed class QuickStartTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private const long TalkLength = (3 << 20) + 17;

    [Fact]
    public async Task The_readme_quick_start_works_verbatim_in_a_fresh_home_and_logs_no_warnings()
    {
        var home = new SwarmHome(Dir.Sub("home"), Log);
        var talk = home.Expand("~/videos/talk.mp4");
        Directory.CreateDirectory(Path.GetDirectoryName(talk)!);
        Payload.WriteRandomFile(talk, TalkLength, seed: 7);
        // The README's commands, word for word, except two things a shared test machine needs: free ports instead of
        // 6881/6882, and /tmp/dl inside this test's folder.
        var seedPort = FreePort.Next();
        var dl = Path.Combine(Dir.Path, "dl");

        // swarm torrent create ~/videos/talk.mp4 -o talk.torrent --tracker http://tracker.example/announce
        var created = (await home.RunAsync(Timeouts.Start,
            "torrent", "create", talk, "-o", "talk.torrent", "--tracker", "http://tracker.example/announce")).EnsureSuccess();
        var infoHash = created.StdoutText.Trim();
        var torrent = Path.Combine(home.Path, "talk.torrent");
        Assert.Equal(infoHash, Metainfo.Load(torrent).InfoHash);

        // swarm seed talk.torrent --data ~/videos --port 6881 &
        var seeder = Own(home.Start("swarm seed (background)", "seed", "talk.torrent", "--data", home.Expand("~/videos"), "--port", seedPort.ToString()));
        await seeder.WaitForSeedingAsync(infoHash);

        // swarm get talk.torrent -o /tmp/dl --port 6882 --peer 127.0.0.1:6881
        var get = await home.RunAsync(Timeouts.Transfer,
            "get", "talk.torrent", "-o", dl, "--port", FreePort.Next().ToString(), "--peer", SwarmCli.Peer(seedPort));
        AssertCompleted(get, infoHash);
        AssertSameFile(talk, Path.Combine(dl, "talk.mp4"));

        // A second get of the same torrent into another folder, the seeder still running.
        var dl2 = Path.Combine(Dir.Path, "dl2");
        var get2 = await home.RunAsync(Timeouts.Transfer,
            "get", "talk.torrent", "-o", dl2, "--port", FreePort.Next().ToString(), "--peer", SwarmCli.Peer(seedPort));
        AssertCompleted(get2, infoHash);
        AssertSameFile(talk, Path.Combine(dl2, "talk.mp4"));

        // The first seeder stops; what was downloaded, moved to a third folder, is seeded from there and serves a
        // last get that has no other peer.
        await seeder.SignalAsync("TERM");
        Assert.Equal(0, await seeder.WaitForExitAsync(Timeouts.Exit));
        var shared = Directory.CreateDirectory(home.Expand("~/shared")).FullName;
        File.Copy(Path.Combine(dl, "talk.mp4"), Path.Combine(shared, "talk.mp4"));
        var reseedPort = FreePort.Next();
        var reseeder = Own(home.Start("swarm seed (third folder)", "seed", "talk.torrent", "--data", shared, "--port", reseedPort.ToString()));
        await reseeder.WaitForSeedingAsync(infoHash);
        var dl3 = Path.Combine(Dir.Path, "dl3");
        var get3 = await home.RunAsync(Timeouts.Transfer,
            "get", "talk.torrent", "-o", dl3, "--port", FreePort.Next().ToString(), "--peer", SwarmCli.Peer(reseedPort));
        AssertCompleted(get3, infoHash);
        AssertSameFile(talk, Path.Combine(dl3, "talk.mp4"));
        await reseeder.SignalAsync("TERM");
        Assert.Equal(0, await reseeder.WaitForExitAsync(Timeouts.Exit));

        // One state folder per torrent and save folder, under the user's data folder: videos, dl, dl2, shared, dl3.
        var transfers = Directory.GetDirectories(Path.Combine(home.StateRoot, "transfers"));
        Assert.Equal(5, transfers.Length);
        Assert.All(transfers, t => Assert.StartsWith(infoHash + "-", Path.GetFileName(t), StringComparison.Ordinal));

        foreach (var (name, stderr) in new[] { ("swarm seed ~/videos", seeder.Stderr), ("swarm get -o dl", get.Stderr), ("swarm seed ~/shared", reseeder.Stderr) })
        {
            QuietLog.AssertOneFormat(name, stderr);
        }

        QuietLog.AssertQuiet("swarm torrent create", created.Stderr);
        QuietLog.AssertQuiet("swarm seed ~/videos", seeder.Stderr);
        QuietLog.AssertQuiet("swarm get -o dl", get.Stderr);
        QuietLog.AssertQuiet("swarm get -o dl2", get2.Stderr);
        QuietLog.AssertQuiet("swarm seed ~/shared", reseeder.Stderr);
        QuietLog.AssertQuiet("swarm get -o dl3", get3.Stderr);
    }

    private static void AssertCompleted(CommandResult get, string infoHash)
    {
        get.EnsureSuccess();
        Assert.Contains($"complete {infoHash}", get.Stdout);
    }

    private static void AssertSameFile(string expected, string actual)
    {
        Assert.True(File.Exists(actual), $"{actual} was not written");
        Assert.True(File.ReadAllBytes(expected).AsSpan().SequenceEqual(File.ReadAllBytes(actual)), $"{actual} differs from {expected}");
    }
}
