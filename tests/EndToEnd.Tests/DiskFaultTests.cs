using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>A download onto a disk that fills up: the torrent stops with a visible error naming the cause, and the
/// process exits non-zero instead of hanging or crashing.</summary>
public sealed class DiskFaultTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Fact]
    public async Task A_full_disk_stops_the_download_with_a_clear_error()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        // A 1 MiB tmpfs for a 3 MiB payload (needs root, as CI and the dev machines have).
        var small = Dir.Sub("small");
        (await Command.RunAsync("mount", "mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", small], Timeouts.Exit, Log)).EnsureSuccess();
        try
        {
            var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, small, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(seedPort)));
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
}
