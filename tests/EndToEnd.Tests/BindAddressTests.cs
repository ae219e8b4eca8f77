using System.Net;
using System.Net.Sockets;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>
/// `--bind` means every socket: a node bound to an address of its own also dials peers from it, so a peer sees the
/// address it listens on (rTorrent tells peers apart by address; a ban or a tracker's record must name where we are).
/// The tracker side (announces leave from the bound address) is asserted in the qBittorrent and rTorrent tests.
/// </summary>
public sealed class BindAddressTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Fact]
    public async Task A_bound_seeder_dials_peers_from_its_address()
    {
        var (tracker, torrent) = await CreateTrackedTorrentAsync(PayloadKind.SingleFile);
        // A leecher of the test's own, on 127.0.0.1: the seeder learns it from the tracker and dials it.
        using var leecher = new TcpListener(IPAddress.Loopback, 0);
        leecher.Start();
        await TrackerPeers.AnnounceLeecherAsync(tracker.AnnounceUrl, torrent.InfoHash, ((IPEndPoint)leecher.LocalEndpoint).Port);

        var seederAddress = LoopbackAddress.Next();
        Own(SwarmCli.SeedBoundTo(seederAddress, Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), StateDir("seeder")));

        // Under the default encryption policy (prefer) the seeder's first dial is an MSE handshake; this plain peer
        // hangs up on it and the seeder redials in plain text at once. Every dial must leave from the bound address.
        for (var attempt = 0; ; attempt++)
        {
            using var dialled = await leecher.AcceptSocketAsync().WaitAsync(Timeouts.Announce);
            Assert.Equal(IPAddress.Parse(seederAddress), ((IPEndPoint)dialled.RemoteEndPoint!).Address);
            await using var stream = new NetworkStream(dialled);
            var handshake = new byte[68];
            await stream.ReadExactlyAsync(handshake).AsTask().WaitAsync(Timeouts.Announce);
            if (handshake[0] == 19 && handshake.AsSpan(1, 19).SequenceEqual("BitTorrent protocol"u8))
            {
                // The seeder's BitTorrent handshake for this torrent: info-hash at bytes 28..47.
                Assert.Equal(torrent.InfoHash, Convert.ToHexStringLower(handshake.AsSpan(28, 20)));
                return;
            }

            Assert.True(attempt == 0, "only the first dial may be encrypted; the redial after a hang-up is plain");
        }
    }
}
