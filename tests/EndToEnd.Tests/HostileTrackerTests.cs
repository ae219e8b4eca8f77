using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>
/// Hostile trackers against real swarm processes: a tracker answering a gigabyte, redirecting in a loop or to a
/// file must cost a leecher neither its memory nor its download; a flood of random info-hashes from one address
/// must not lock other addresses out of `swarm tracker`.
/// </summary>
public sealed class HostileTrackerTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private const long MaxRssGrowth = 64L * 1024 * 1024;

    [Fact]
    public async Task A_leecher_keeps_its_memory_and_its_download_against_a_gigabyte_answer_and_redirect_loops()
    {
        using var tracker = new HostileTracker();
        var content = Payload.Create(PayloadKind.SingleFile, Dir.Sub("source"), seed: 3);
        var torrentPath = Dir.File("hostile.torrent");
        // Three tiers, each tried every round: the huge answer, the redirect loop, the redirect to a file.
        var created = await SwarmCli.RunAsync(Log, Timeouts.Reject, "torrent", "create", content.Path, "-o", torrentPath,
            "--tracker", tracker.Url("huge"), "--tracker", tracker.Url("loop"), "--tracker", tracker.Url("file"));
        var infoHash = created.EnsureSuccess().Stdout[0].Trim();

        // Rounds every second, and the --peer redialled soon once it listens.
        var config = Dir.File("fast-retry.conf");
        await File.WriteAllTextAsync(config, "swarm.tracker.retry-interval = 1s\nswarm.peer.retry-failed-after = 2s\n");
        var seederPort = FreePort.Next();
        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Start("swarm get", Log, "get", torrentPath, "-o", outDir, "--bind", SwarmCli.Loopback,
            "--port", FreePort.Next().ToString(), "--data-dir", StateDir("leecher"), "--peer", SwarmCli.Peer(seederPort), "--config", config));

        // The huge answer waits until the leecher has started: what it has then is the baseline.
        await Poll.UntilAsync(() => Task.FromResult<int?>(tracker.Requests("huge")), n => n >= 1, Timeouts.Start, TimeSpan.FromMilliseconds(100), _ => "the leecher never announced");
        var baseline = Rss(leecher.Id);
        using var sampling = new CancellationTokenSource();
        var peak = SamplePeakRssAsync(leecher.Id, sampling.Token);
        tracker.ReleaseHugeAnswers();

        // Several rounds: memory must not grow with each gigabyte offered.
        await Poll.UntilAsync(() => Task.FromResult<int?>(tracker.Requests("huge")), n => n >= 4, Timeouts.Transfer, TimeSpan.FromMilliseconds(200), n => $"only {n} rounds reached the tracker");
        var shown = await leecher.WaitForStderrLineAsync(
            l => l.Contains("trackers failing", StringComparison.Ordinal) && l.Contains("too large", StringComparison.Ordinal)
                && l.Contains("redirected more than 5 times", StringComparison.Ordinal) && l.Contains("only http and https", StringComparison.Ordinal),
            "the three trackers' errors in the status line", Timeouts.Announce);
        Log.WriteLine($"status: {shown}");
        sampling.Cancel();
        var grown = await peak - baseline;
        Log.WriteLine($"leecher RSS: baseline {baseline >> 20} MiB, peak growth {grown >> 20} MiB over {tracker.Requests("huge")} gigabyte answers ({tracker.HugeBytesSent >> 20} MiB sent in all)");
        Assert.True(grown <= MaxRssGrowth, $"the leecher's RSS grew by {grown >> 20} MiB (at most {MaxRssGrowth >> 20} MiB)");
        // A redirect loop costs each round one announce and 5 redirects, no more.
        Assert.InRange(tracker.Requests("loop"), 1, 6 * (tracker.Requests("huge") + 1));

        // The download itself is untouched: once its --peer seeds, it completes byte for byte.
        var seeder = Own(SwarmCli.Seed(Log, torrentPath, content.Parent, seederPort, StateDir("seeder")));
        await seeder.WaitForSeedingAsync(infoHash);
        await leecher.WaitForCompleteAsync(infoHash);
        TreeHash.AssertSame(content.Path, Path.Combine(outDir, content.Name));
    }

    [Fact]
    public async Task A_flood_of_new_torrents_from_one_address_does_not_lock_others_out_of_the_tracker()
    {
        // A tracker small enough for the flood to exceed its torrent cap many times over.
        var config = Dir.File("small-tracker.conf");
        await File.WriteAllTextAsync(config, "swarm.tracker-server { max-torrents = 200, max-torrents-per-address = 50 }\n");
        var tracker = Own(await SwarmCli.Start("swarm tracker", Log, "tracker", "--http-port", "0", "--udp-port", "-1", "--bind", SwarmCli.Loopback, "--config", config)
            .WhenReadyAsync(p => p.WaitForLineAsync("http ", Timeouts.Start)));
        var announce = tracker.Stdout.First(l => l.StartsWith("http ", StringComparison.Ordinal))[5..].Trim();

        using var flooder = BoundClient("127.0.0.3");
        var refused = 0;
        for (var i = 0; i < 1000; i++)
        {
            refused += (await AnnounceAsync(flooder, announce, RandomNumberGenerator.GetBytes(20), 6881)).Failure is null ? 0 : 1;
        }

        Log.WriteLine($"flood: {refused} of 1000 new torrents refused");
        Assert.True(refused > 0, "the flood was never refused: its torrents were not bounded per address");

        // Another address still gets a new torrent tracked: its announce is accepted and it is handed to the next peer.
        var hash = RandomNumberGenerator.GetBytes(20);
        using var honest = BoundClient("127.0.0.2");
        var first = await AnnounceAsync(honest, announce, hash, 7000);
        Assert.Null(first.Failure);
        using var other = BoundClient("127.0.0.4");
        var second = await AnnounceAsync(other, announce, hash, 7001);
        Assert.Null(second.Failure);
        Assert.Contains(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 7000), second.Peers);
    }

    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The highest RSS seen until cancelled (every 20 ms: a gigabyte buffered would show for seconds).</summary>
    private static async Task<long> SamplePeakRssAsync(int pid, CancellationToken stop)
    {
        long peak = 0;
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, Rss(pid));
            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return Math.Max(peak, Rss(pid));
    }

    /// <summary>An HTTP client whose connections leave from <paramref name="source"/> (all of 127/8 is loopback).</summary>
    private static HttpClient BoundClient(string source) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                await socket.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<(string? Failure, IReadOnlyList<IPEndPoint> Peers)> AnnounceAsync(HttpClient client, string announce, byte[] hash, int port)
    {
        static string Escape(IEnumerable<byte> bytes) => string.Concat(bytes.Select(b => $"%{b:X2}"));
        var url = $"{announce}?info_hash={Escape(hash)}&peer_id={Escape(RandomNumberGenerator.GetBytes(20))}&port={port}&uploaded=0&downloaded=0&left=1&compact=1&event=started";
        var reply = (Dictionary<string, object>)Bencode.Decode(await client.GetByteArrayAsync(url));
        if (reply.TryGetValue("failure reason", out var failure))
        {
            return (Encoding.UTF8.GetString((byte[])failure), []);
        }

        var compact = (byte[])reply["peers"];
        var peers = new List<IPEndPoint>();
        for (var i = 0; i + 6 <= compact.Length; i += 6)
        {
            peers.Add(new IPEndPoint(new IPAddress(compact.AsSpan(i, 4)), BinaryPrimitives.ReadUInt16BigEndian(compact.AsSpan(i + 4, 2))));
        }

        return (null, peers);
    }

    /// <summary>An HTTP tracker of the test's own on loopback. /huge/announce streams a gigabyte of zeros without a
    /// length (generated as it is sent, never held), after <see cref="ReleaseHugeAnswers"/>; /loop/announce redirects
    /// to itself forever; /file/announce redirects to file:///etc/passwd. Each connection is served on its own.</summary>
    private sealed class HostileTracker : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
        private long _hugeBytesSent;

        public HostileTracker()
        {
            _listener.Start();
            _ = Task.Run(AcceptAsync);
        }

        public long HugeBytesSent => Interlocked.Read(ref _hugeBytesSent);

        public string Url(string kind) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{kind}/announce";

        public int Requests(string kind) => _requests.GetValueOrDefault(kind);

        public void ReleaseHugeAnswers() => _release.TrySetResult();

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }

                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var head = new StringBuilder();
                    var buffer = new byte[4096];
                    while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var n = await stream.ReadAsync(buffer, _stop.Token);
                        if (n == 0)
                        {
                            return;
                        }

                        head.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    }

                    var path = head.ToString().Split(' ')[1];
                    var kind = path.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];
                    _requests.AddOrUpdate(kind, 1, (_, n) => n + 1);
                    switch (kind)
                    {
                        case "huge":
                            await _release.Task.WaitAsync(_stop.Token);
                            await WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n");
                            var zeros = new byte[64 * 1024];
                            for (long sent = 0; sent < 1L << 30; sent += zeros.Length)
                            {
                                await stream.WriteAsync(zeros, _stop.Token);
                                Interlocked.Add(ref _hugeBytesSent, zeros.Length);
                            }

                            break;
                        case "loop":
                            await WriteAsync(stream, $"HTTP/1.1 302 Found\r\nLocation: /loop/announce?again={Requests("loop")}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                            break;
                        default:
                            await WriteAsync(stream, "HTTP/1.1 301 Moved Permanently\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                            break;
                    }
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    // The client hung up (as it must past its cap), or the test ended.
                }
            }
        }

        private Task WriteAsync(Stream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token).AsTask();
    }
}
