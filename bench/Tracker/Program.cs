// Announce load generator (issue: index server). Run by bench/tracker.sh, not in CI.
//   --http URL --udp URL --pid PID --seconds S --concurrency C --torrents T --peers P --hashes FILE
// 1. fill: P distinct peers (T torrents × P/T ports on 127.0.0.1) announce once over HTTP; then the tracker's RSS.
// 2. HTTP: C workers announce as fast as they can for S seconds; announces per second.
// 3. UDP: C workers (one socket and connection id each) do the same over BEP 15.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;

var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal)).ToDictionary(x => x.a[2..], x => args[x.i + 1]);
int Int(string key, int fallback) => options.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var seconds = Int("seconds", 10);
var concurrency = Int("concurrency", 64);
var peers = Int("peers", 100_000);
var hashes = File.ReadAllLines(options["hashes"]).Select(InfoHash.Parse).ToArray();
var pid = Int("pid", 0);
// One connection per announce, as BitTorrent clients do (and opentracker closes after each answer anyway).
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
http.DefaultRequestHeaders.ConnectionClose = true;

AnnounceRequest Request(long k) =>
    new(hashes[k % hashes.Length], PeerId(k), 1024 + (int)((k / hashes.Length) % 60000), 0, 0, k % 2 == 0 ? 0 : 1000, AnnounceEvent.None, 50);

static byte[] PeerId(long k)
{
    var id = "-BENCH0-000000000000"u8.ToArray();
    BitConverter.TryWriteBytes(id.AsSpan(8), k);
    return id;
}

long errors = 0;

// A refused or reset connection counts as an error, not a crash: trackers shed load differently.
async Task<bool> TryAnnounce(string url, AnnounceRequest request)
{
    try
    {
        HttpTrackerCodec.ParseAnnounce(await http.GetByteArrayAsync(HttpTrackerCodec.BuildAnnounceUri(url, request)));
        return true;
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TrackerException)
    {
        Interlocked.Increment(ref errors);
        return false;
    }
}

async Task<long> Http(string url, long from, long count)
{
    long done = 0;
    var next = from - 1;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        long k;
        while ((k = Interlocked.Increment(ref next)) < from + count)
        {
            if (await TryAnnounce(url, Request(k)))
            {
                Interlocked.Increment(ref done);
            }
        }
    }));
    return done;
}

async Task<double> HttpRate(string url)
{
    long done = 0;
    var stop = Stopwatch.StartNew();
    var rnd = new Random(1);
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
    {
        while (stop.Elapsed.TotalSeconds < seconds)
        {
            if (await TryAnnounce(url, Request(Random.Shared.NextInt64(peers))))
            {
                Interlocked.Increment(ref done);
            }
        }
    }));
    return done / stop.Elapsed.TotalSeconds;
}

async Task<double> UdpRate(string url)
{
    var target = UdpTrackerCodec.Resolve(url, Dns.GetHostAddresses)!;
    long done = 0;
    var stop = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Connect(target);
        var tx = w << 20;
        async Task<byte[]> Exchange(byte[] packet)
        {
            while (true)
            {
                await socket.SendAsync(packet);
                var receive = socket.ReceiveAsync();
                if (await Task.WhenAny(receive, Task.Delay(2000)) == receive)
                {
                    return (await receive).Buffer;
                }
            }
        }

        var connection = UdpTrackerCodec.ParseConnect(await Exchange(UdpTrackerCodec.Connect(++tx)), tx);
        while (stop.Elapsed.TotalSeconds < seconds)
        {
            var id = ++tx;
            UdpTrackerCodec.ParseAnnounce(await Exchange(UdpTrackerCodec.Announce(connection, id, Request(Random.Shared.NextInt64(peers)))), id);
            Interlocked.Increment(ref done);
        }
    }));
    return done / stop.Elapsed.TotalSeconds;
}

static long RssMiB(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
    }

    return 0;
}

var before = pid > 0 ? RssMiB(pid) : 0;
var fill = Stopwatch.StartNew();
await Http(options["http"], 0, peers);
var fillSeconds = fill.Elapsed.TotalSeconds;
var rss = pid > 0 ? RssMiB(pid) : 0;
var httpRate = await HttpRate(options["http"]);
var udpRate = options.ContainsKey("udp") ? await UdpRate(options["udp"]) : 0;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {options.GetValueOrDefault("name", "tracker")} | {httpRate:0} | {udpRate:0} | {peers / fillSeconds:0} | {errors} | {before} | {rss} |"));
