using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Only requested data (issue 13), as users run it: `swarm get` from an honest `swarm seed` while a hostile
/// peer (here, in C#) floods forged and short blocks nobody requested, for every block of the torrent, for as long as
/// it stays connected. The file comes out byte-exact (so the honest seeder served it all and was never banned), and
/// the hostile peer is hung up on and never dialled again.</summary>
public sealed class PoisonBlockTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private const int BlockLength = 16384;

    [Fact]
    public async Task Forged_and_short_blocks_nobody_requested_are_dropped_the_file_is_byte_exact_and_the_sender_is_banned()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        await using var hostile = new HostilePeer(torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount, (int)torrent.Metainfo.PieceLength);

        var honestPort = FreePort.Next();
        var honest = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, honestPort, StateDir("seeder")));
        await honest.WaitForSeedingAsync(torrent.InfoHash);

        // The honest seeder is reached only once the flood has reached the leecher (or the leecher has already hung up
        // on it): a leecher that finished from the honest seeder before dialling the hostile one would test nothing.
        var gated = Own(new TcpRelay(honestPort, hostile.Flooded));
        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher"),
            SwarmCli.Peer(hostile.Port), SwarmCli.Peer(gated.Port)));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
        Assert.True(hostile.BlocksSent > 8, $"the flood reached the leecher ({hostile.BlocksSent} blocks)");
        Assert.True(hostile.HungUpOn, $"the leecher should hang up on the flooding peer (it sent {hostile.BlocksSent} blocks)");
        Assert.Contains(leecher.Stderr, l => l.Contains($"banning peer {SwarmCli.Peer(hostile.Port)}", StringComparison.Ordinal));
        Assert.Equal(1, hostile.Connections); // banned: never dialled again
    }

    /// <summary>Accepts connections, answers the handshake, then sends `piece` messages for every block of the
    /// torrent in a loop (random bytes; every other one 100 bytes short) until the other side hangs up.</summary>
    private sealed class HostilePeer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly byte[] _infoHash;
        private readonly int _pieceCount;
        private readonly int _pieceLength;
        private readonly Task _accepting;
        private readonly TaskCompletionSource _flooded = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _connections;
        private int _blocksSent;
        private volatile bool _hungUpOn;

        public HostilePeer(string infoHashHex, int pieceCount, int pieceLength)
        {
            _infoHash = Convert.FromHexString(infoHashHex);
            _pieceCount = pieceCount;
            _pieceLength = pieceLength;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public int BlocksSent => Volatile.Read(ref _blocksSent);

        public bool HungUpOn => _hungUpOn;

        /// <summary>Completes once more than 8 blocks were sent to a leecher, or a plain connection ended.</summary>
        public Task Flooded => _flooded.Task;

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = FloodAsync(client);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task FloodAsync(TcpClient client)
        {
            using var _ = client;
            var stream = client.GetStream();
            try
            {
                var theirs = new byte[68];
                await stream.ReadExactlyAsync(theirs, _stop.Token);
                if (theirs[0] != 19 || !theirs.AsSpan(1, 19).SequenceEqual("BitTorrent protocol"u8))
                {
                    // A plain-only peer: an encrypted (MSE) dial is closed at once, and the leecher redials plain.
                    return;
                }

                Interlocked.Increment(ref _connections);
                var ours = new byte[68];
                ours[0] = 19;
                "BitTorrent protocol"u8.CopyTo(ours.AsSpan(1));
                _infoHash.CopyTo(ours, 28);
                "-XX0001-hostile-peer"u8.CopyTo(ours.AsSpan(48));
                await stream.WriteAsync(ours, _stop.Token);

                // Read (and discard) what the leecher says, to see when it hangs up.
                using var closed = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var reading = DrainAsync(stream, closed);
                var junk = new Random(5);
                var until = DateTime.UtcNow + Timeouts.Transfer;
                while (!closed.IsCancellationRequested && DateTime.UtcNow < until)
                {
                    for (var piece = 0; piece < _pieceCount && !closed.IsCancellationRequested; piece++)
                    {
                        for (var begin = 0; begin < _pieceLength && !closed.IsCancellationRequested; begin += BlockLength)
                        {
                            var sent = Interlocked.Increment(ref _blocksSent);
                            var length = (sent % 2 == 0) ? BlockLength : BlockLength - 100;
                            var message = new byte[4 + 9 + length];
                            BinaryPrimitives.WriteInt32BigEndian(message, 9 + length);
                            message[4] = 7; // piece
                            BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(5), piece);
                            BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(9), begin);
                            junk.NextBytes(message.AsSpan(13));
                            await stream.WriteAsync(message, closed.Token);
                            if (sent > 8)
                            {
                                _flooded.TrySetResult();
                            }
                        }
                    }
                }

                await reading;
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                _hungUpOn |= !_stop.IsCancellationRequested; // the write failed: the leecher reset the connection
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                if (Connections > 0)
                {
                    _flooded.TrySetResult();
                }
            }
        }

        private async Task DrainAsync(NetworkStream stream, CancellationTokenSource closed)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (await stream.ReadAsync(buffer, closed.Token) > 0)
                {
                }

                _hungUpOn = !_stop.IsCancellationRequested;
            }
            catch (IOException)
            {
                _hungUpOn = !_stop.IsCancellationRequested; // a reset is a hang-up too
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
            }

            await closed.CancelAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
