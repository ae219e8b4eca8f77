using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>
/// Peers that want to hurt a public seeder (issue 13), written here against the wire by hand, attack a real
/// `swarm seed`. Each test asserts on what a user would lose: the seeder's memory (its RSS grows by at most 64 MiB)
/// and its service (an honest `swarm get` still downloads the content byte for byte, during the attack).
/// </summary>
public sealed class HostilePeerTests(ITestOutputHelper log) : EndToEndTest(log)
{
    /// <summary>What the issue allows the seeder to grow by under any of these floods.</summary>
    private const long MaxGrowth = 64L << 20;

    /// <summary>More requests than the 13 MB that took an unbounded seeder to 6.5 GB.</summary>
    private const long FloodBytes = 16L << 20;

    /// <summary>The flood's pace: a pause after each 1 MiB, about 4 MiB/s, six times the 13 MB in 20 s, and
    /// still leaving the loaded test machine's cores to the honest leecher.</summary>
    private static readonly TimeSpan ChunkPause = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task A_non_reading_peer_flooding_metadata_requests_costs_bounded_memory_and_no_service()
    {
        var (torrent, seeder, seedPort) = await StartSeederAsync();
        var infoHash = Convert.FromHexString(torrent.InfoHash);

        // Each request asks for a whole metadata piece back; the peer reads nothing after the opening.
        await ServesWhileBoundedAsync(torrent, seeder, seedPort, leecherDone => Hostile.FloodAsync(
            Endpoint(seedPort),
            LoopbackAddress.Next(),
            async socket =>
            {
                var id = await Hostile.OpenWithExtensionsAsync(socket, infoHash);
                return Hostile.Repeat(Hostile.Extended(id, "d8:msg_typei0e5:piecei0ee"));
            },
            leecherDone));
    }

    [Fact]
    public async Task A_non_reading_peer_flooding_piece_requests_costs_bounded_memory_and_no_service()
    {
        var (torrent, seeder, seedPort) = await StartSeederAsync();
        var infoHash = Convert.FromHexString(torrent.InfoHash);
        var metainfo = torrent.Metainfo;

        // Every block of every whole piece, over and over: far more than any queue of ours should take.
        var requests = new List<byte>();
        for (var piece = 0; piece < metainfo.PieceCount - 1; piece++)
        {
            for (var begin = 0; begin < metainfo.PieceLength; begin += 16384)
            {
                requests.AddRange(Hostile.Request(piece, begin, 16384));
            }
        }

        await ServesWhileBoundedAsync(torrent, seeder, seedPort, leecherDone => Hostile.FloodAsync(
            Endpoint(seedPort),
            LoopbackAddress.Next(),
            async socket =>
            {
                await Hostile.OpenWithExtensionsAsync(socket, infoHash);
                await socket.SendAsync(Hostile.Message(2, [])); // interested: be unchoked and served
                return Hostile.Repeat([.. requests]);
            },
            leecherDone));
    }

    [Fact]
    public async Task Three_thousand_idle_connections_hold_at_most_the_handshake_caps_and_an_honest_leecher_completes()
    {
        const int nodeCap = 128;
        const int addressCap = 8;
        var config = Dir.File("hardening.conf");
        // A handshake deadline long enough that only the caps, not the deadline, can explain what is held while
        // the connections are counted on a loaded machine; short enough for the honest leecher to get in after it.
        await File.WriteAllTextAsync(config, $"""
            swarm.peer.handshake-timeout = 20s
            swarm.peer-hardening.max-incoming-handshakes = {nodeCap}
            swarm.peer-hardening.max-incoming-handshakes-per-address = {addressCap}
            """);
        var (torrent, _, seedPort) = await StartSeederAsync("--config", config);
        var seederAt = Endpoint(seedPort);

        // 2,000 idle connections from one address and 1,000 more spread over 50 others: together they could hold
        // 8 + 50 × 8 places, more than the node's cap.
        var main = LoopbackAddress.Next();
        var others = Enumerable.Range(0, 50).Select(_ => LoopbackAddress.Next()).ToList();
        var sources = Enumerable.Repeat(main, 2000).Concat(Enumerable.Range(0, 1000).Select(i => others[i % others.Count])).ToList();
        var sockets = new List<Socket>();
        try
        {
            var refused = 0;
            foreach (var from in sources)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                try
                {
                    await socket.ConnectAsync(seederAt).WaitAsync(Timeouts.Reject);
                }
                catch (SocketException)
                {
                    refused++; // reset before the connect completed: closed at once
                }
            }

            Log.WriteLine($"{sources.Count} connections opened ({refused} reset during connect)");
            var hostile = sources.Distinct().Select(IPAddress.Parse).ToHashSet();

            // The accept queue drains within moments; from then on, only what the seeder holds stays established.
            var held = await Poll.UntilAsync<int>(
                () => Task.FromResult(Established(seederAt, hostile.Contains)),
                n => n <= nodeCap,
                Timeouts.Reject,
                TimeSpan.FromMilliseconds(200),
                n => $"the seeder holds {n} idle connections open, more than the cap of {nodeCap}");
            for (var sample = 0; sample < 10; sample++)
            {
                held = Math.Max(held, Established(seederAt, hostile.Contains));
                Assert.True(held <= nodeCap, $"the seeder held {held} idle connections, more than the cap of {nodeCap}");
                var fromMain = Established(seederAt, a => a.Equals(IPAddress.Parse(main)));
                Assert.True(fromMain <= addressCap, $"the seeder held {fromMain} idle connections from {main}, more than the cap of {addressCap}");
                await Task.Delay(200);
            }

            Log.WriteLine($"held at most {held} of {sources.Count}");

            // An honest leecher gets in (once the idle ones expire, if they fill the node's cap) and downloads.
            var outDir = Dir.Sub("out");
            var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(seedPort)));
            await leecher.WaitForCompleteAsync(torrent.InfoHash);
            torrent.AssertDownloadedTo(outDir);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    private static IPEndPoint Endpoint(int port) => new(IPAddress.Parse(SwarmCli.Loopback), port);

    private async Task<(TestTorrent Torrent, ManagedProcess Seeder, int Port)> StartSeederAsync(params string[] extra)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var port = FreePort.Next();
        var seeder = Own(SwarmCli.Start($"swarm seed :{port}", Log,
        [
            "seed", torrent.TorrentPath, "--data", torrent.Content.Parent, "--bind", SwarmCli.Loopback, "--port", port.ToString(CultureInfo.InvariantCulture),
            "--data-dir", StateDir("seeder"), .. extra,
        ]));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);
        return (torrent, seeder, port);
    }

    /// <summary>Starts the flood, then an honest leecher that downloads from the seeder while the flood goes on (it
    /// goes on until the leecher is done and <see cref="FloodBytes"/> were sent), sampling the seeder's RSS
    /// throughout; the leecher must get the content byte for byte and the RSS grow by at most 64 MiB.</summary>
    private async Task ServesWhileBoundedAsync(TestTorrent torrent, ManagedProcess seeder, int seedPort, Func<Task, Task<Hostile.FloodResult>> startFlood)
    {
        var baseline = Rss(seeder.Id);
        using var stop = new CancellationTokenSource();
        var peak = Task.Run(async () =>
        {
            var max = baseline;
            while (!stop.IsCancellationRequested)
            {
                max = Math.Max(max, Rss(seeder.Id));
                await Task.Delay(50);
            }

            return max;
        });

        var leecherDone = new TaskCompletionSource();
        var flood = startFlood(leecherDone.Task);
        var outDir = Dir.Sub("out");
        try
        {
            var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(seedPort)));
            await leecher.WaitForCompleteAsync(torrent.InfoHash);
        }
        finally
        {
            leecherDone.SetResult();
        }

        var result = await flood.WaitAsync(Timeouts.Transfer);
        await stop.CancelAsync();
        var max = await peak;

        Log.WriteLine($"flood: {result.Bytes >> 20} MiB sent over {result.Connections} connection(s); seeder RSS {baseline >> 20} MiB before, {max >> 20} MiB at most");
        torrent.AssertDownloadedTo(outDir);
        Assert.True(result.Bytes >= FloodBytes, $"the flood sent only {result.Bytes} bytes");
        Assert.False(seeder.HasExited, $"the seeder died under the flood.\n{seeder.Describe()}");
        Assert.True(max - baseline <= MaxGrowth, $"the seeder's RSS grew by {(max - baseline) >> 20} MiB under the flood (from {baseline >> 20} to {max >> 20} MiB)");
    }

    /// <summary>The process's resident memory, from /proc/PID/status (VmRSS, in kB).</summary>
    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Established TCP connections of the socket at <paramref name="local"/> whose remote address passes
    /// <paramref name="remote"/>, counted from /proc/net/tcp (the seeder's side of each connection).</summary>
    private static int Established(IPEndPoint local, Func<IPAddress, bool> remote)
    {
        // /proc/net/tcp is generated a page at a time while connections come and go, so one socket can be listed
        // twice in a single read: count distinct remote endpoints (a connection to `local` is its remote end).
        var remotes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 3 && f[3] == "01" && Parse(f[1]).Equals(local) && remote(Parse(f[2]).Address))
            {
                remotes.Add(f[2]);
            }
        }

        return remotes.Count;

        // "0100007F:1A0B": the address as the kernel's 32-bit word (little-endian here), the port in hex.
        static IPEndPoint Parse(string hex)
        {
            var parts = hex.Split(':');
            var address = new IPAddress(BitConverter.GetBytes(uint.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
            return new IPEndPoint(address, int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A hostile peer on the wire: it opens like a real client, then sends what it likes and reads nothing.</summary>
    private static class Hostile
    {
        public sealed record FloodResult(long Bytes, int Connections);

        /// <summary>Connects from <paramref name="from"/> again and again, each time opening with
        /// <paramref name="open"/> and then writing its endless stream of bytes without reading, until
        /// <see cref="FloodBytes"/> were accepted by the seeder's sockets over all connections and
        /// <paramref name="until"/> is done. A connection the seeder cuts is simply opened again, as an attacker
        /// would.</summary>
        public static Task<FloodResult> FloodAsync(IPEndPoint to, string from, Func<Socket, Task<IEnumerable<byte[]>>> open, Task until) => Task.Run(async () =>
        {
            long sent = 0;
            var connections = 0;
            bool More() => sent < FloodBytes || !until.IsCompleted;
            while (More())
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
                socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                try
                {
                    await socket.ConnectAsync(to).WaitAsync(Timeouts.Reject);
                    connections++;
                    foreach (var chunk in await open(socket))
                    {
                        // A seeder that stops reading from us (back-pressure) is not cut: wait, then try a new connection.
                        using var timeout = new CancellationTokenSource(Timeouts.Reject);
                        sent += await socket.SendAsync(chunk, SocketFlags.None, timeout.Token);
                        if (!More())
                        {
                            break;
                        }

                        await Task.Delay(ChunkPause);
                    }
                }
                catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or TimeoutException)
                {
                    // Cut off by the seeder (or stalled): connect again.
                }
            }

            return new FloodResult(sent, connections);
        });

        /// <summary>Sends a handshake with the extension and fast bits and reads the seeder's handshake and
        /// messages up to its extended handshake; returns the seeder's ut_metadata id from it.</summary>
        public static async Task<byte> OpenWithExtensionsAsync(Socket socket, byte[] infoHash)
        {
            var handshake = new byte[68];
            handshake[0] = 19;
            Encoding.ASCII.GetBytes("BitTorrent protocol").CopyTo(handshake, 1);
            handshake[20 + 5] = 0x10; // BEP 10
            handshake[20 + 7] = 0x04; // BEP 6
            infoHash.CopyTo(handshake, 28);
            Encoding.ASCII.GetBytes("-XX0001-").CopyTo(handshake, 48);
            Random.Shared.NextBytes(handshake.AsSpan(56, 12));
            await socket.SendAsync(handshake);
            await socket.SendAsync(Extended(0, "d1:md11:ut_metadatai3eee"));

            using var timeout = new CancellationTokenSource(Timeouts.Reject);
            await ReadExactly(socket, 68, timeout.Token);
            while (true)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(await ReadExactly(socket, 4, timeout.Token));
                var body = length == 0 ? [] : await ReadExactly(socket, length, timeout.Token);
                if (body.Length > 1 && body[0] == 20 && body[1] == 0)
                {
                    var text = Encoding.Latin1.GetString(body, 2, body.Length - 2);
                    var at = text.IndexOf("11:ut_metadatai", StringComparison.Ordinal) + "11:ut_metadatai".Length;
                    return byte.Parse(text[at..text.IndexOf('e', at)], CultureInfo.InvariantCulture);
                }
            }
        }

        public static byte[] Message(byte id, byte[] payload)
        {
            var bytes = new byte[5 + payload.Length];
            BinaryPrimitives.WriteInt32BigEndian(bytes, 1 + payload.Length);
            bytes[4] = id;
            payload.CopyTo(bytes, 5);
            return bytes;
        }

        public static byte[] Extended(byte extendedId, string bencoded) => Message(20, [extendedId, .. Encoding.ASCII.GetBytes(bencoded)]);

        public static byte[] Request(int piece, int begin, int length)
        {
            var payload = new byte[12];
            BinaryPrimitives.WriteInt32BigEndian(payload, piece);
            BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), begin);
            BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(8), length);
            return Message(6, payload);
        }

        /// <summary>Endless 1 MiB chunks made of <paramref name="message"/> repeated.</summary>
        public static IEnumerable<byte[]> Repeat(byte[] message)
        {
            var chunk = Enumerable.Repeat(message, Math.Max(1, (1 << 20) / message.Length)).SelectMany(m => m).ToArray();
            while (true)
            {
                yield return chunk;
            }
        }

        private static async Task<byte[]> ReadExactly(Socket socket, int count, CancellationToken ct)
        {
            var buffer = new byte[count];
            var got = 0;
            while (got < count)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, ct);
                if (n == 0)
                {
                    throw new IOException("the seeder closed the connection during the opening");
                }

                got += n;
            }

            return buffer;
        }
    }
}
