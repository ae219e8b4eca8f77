using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>A download onto a disk that fills up: the torrent stops with a visible error naming the cause, and the
/// process exits non-zero instead of hanging or crashing; one that can't fit is refused before anything is written.</summary>
public sealed class DiskFaultTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Fact]
    public async Task A_full_disk_stops_the_download_with_a_clear_error()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seedPort = FreePort.Next();
        var leechPort = FreePort.Next();

        // A 4 MiB tmpfs for a 3 MiB payload (needs root, as CI and the dev machines have): the add's free-space check
        // passes (with no reserve asked for), then the disk fills up behind the node's back before any data comes.
        var small = Dir.Sub("small");
        (await Command.RunAsync("mount", "mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", small], Timeouts.Exit, Log)).EnsureSuccess();
        try
        {
            var config = Path.Combine(Dir.Path, "no-reserve.conf");
            await File.WriteAllTextAsync(config, "swarm.files.min-free-space = 0\n");
            var leecher = Own(SwarmCli.Start($"swarm get :{leechPort}", Log, [
                "get", torrent.TorrentPath, "-o", small, "--config", config, "--bind", "127.0.0.1", "--port", leechPort.ToString(),
                "--data-dir", StateDir("leecher"), "--peer", SwarmCli.Peer(seedPort)]));
            // Listening means added and checked; its first dial to the seeder (not started yet) was refused.
            await ListeningPorts.UntilListeningAsync(leechPort, leecher, Timeouts.Start);
            await File.WriteAllBytesAsync(Path.Combine(small, "filler.bin"), new byte[3 << 20]);

            var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, StateDir("seeder")));
            await seeder.WaitForSeedingAsync(torrent.InfoHash);
            var exitCode = await leecher.WaitForExitAsync(Timeouts.Transfer);

            Assert.Equal(1, exitCode);
            Assert.Contains(leecher.Stderr, l => l.StartsWith("swarm: disk error: No space left on device", StringComparison.Ordinal));
            Assert.DoesNotContain(leecher.Stdout, l => l.StartsWith("complete", StringComparison.Ordinal));
            Assert.DoesNotContain(leecher.Stderr, l => l.Contains("   at ", StringComparison.Ordinal));
        }
        finally
        {
            await Command.RunAsync("umount", "umount", ["-l", small], Timeouts.Exit, Log);
        }
    }

    [Fact]
    public async Task A_download_larger_than_the_free_space_is_refused_at_add_with_the_numbers()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var small = Dir.Sub("small");
        (await Command.RunAsync("mount", "mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small], Timeouts.Exit, Log)).EnsureSuccess();
        try
        {
            var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, small, FreePort.Next(), StateDir("leecher")));
            var exitCode = await leecher.WaitForExitAsync(Timeouts.Reject);

            Assert.Equal(2, exitCode);
            Assert.Contains(leecher.Stderr, l => l.StartsWith("swarm: ", StringComparison.Ordinal) && l.Contains("needs 3", StringComparison.Ordinal) && l.Contains("free", StringComparison.Ordinal));
            Assert.Empty(Directory.GetFileSystemEntries(small));
        }
        finally
        {
            await Command.RunAsync("umount", "umount", ["-l", small], Timeouts.Exit, Log);
        }
    }
}
