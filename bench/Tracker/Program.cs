// Announce load generator (issue 14: tracker speed and memory). Run by bench/tracker.sh, not in CI.
//   --http URL --udp URL --pid PID --seconds S --concurrency C --peers P --hashes FILE --name NAME --out FILE
// Peer k is torrent k % T from address 127.1.0.0 + k / T, port 6881: every address holds one peer in each torrent, as
// a client seeding T torrents does, so per-address bounds never decide what is remembered.
// 1. fill: P distinct peers announce once over HTTP, each from its own source address; the tracker's RSS and the
//    peers it reports (scrape) at half and at the end; bytes per remembered peer from the second half.
// 2. HTTP: C workers re-announce random filled peers for S seconds (one connection each, as clients do).
// 3. UDP: C workers (one socket, source address and connection id each) announce for S seconds over BEP 15.
// --phase fill stops after 1; --phase http or udp runs that step alone.
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
var source = new HttpRequestOptionsKey<IPAddress>("source");
// One connection per announce, as BitTorrent clients do (and opentracker closes after each answer anyway), opened from
// the announcing peer's own loopback address.
using var http = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = concurrency,
    UseProxy = false,
    ConnectCallback = async (context, ct) =>
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (context.InitialRequestMessage.Options.TryGetValue(source, out var from))
            {
                socket.Bind(new IPEndPoint(from, 0));
            }

            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    },
})
{
    Timeout = TimeSpan.FromSeconds(10),
};
http.DefaultRequestHeaders.ConnectionClose = true;

AnnounceRequest Request(long k) =>
    new(hashes[k % hashes.Length], PeerId(k), 6881, 0, 0, k % 2 == 0 ? 0 : 1000, AnnounceEvent.None, 50);

IPAddress AddressOf(long k)
{
    var a = k / hashes.Length;
    return new IPAddress([127, (byte)(1 + (a >> 16)), (byte)(a >> 8), (byte)a]);
}

static byte[] PeerId(long k)
{
    var id = "-BENCH0-000000000000"u8.ToArray();
    BitConverter.TryWriteBytes(id.AsSpan(8), k);
    return id;
}

long errors = 0;
var errorKinds = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();

// A refused or reset connection counts as an error, not a crash: trackers shed load differently. Each error is kept by
// its innermost message, to tell a tracker shedding load from a generator failing on its own side.
async Task<bool> TryAnnounce(string url, long k)
{
    try
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, HttpTrackerCodec.BuildAnnounceUri(url, Request(k)));
        message.Options.Set(source, AddressOf(k));
        using var response = await http.SendAsync(message);
        HttpTrackerCodec.ParseAnnounce(await response.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync());
        return true;
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TrackerException)
    {
        Interlocked.Increment(ref errors);
        var inner = e;
        while (inner.InnerException is { } deeper)
        {
            inner = deeper;
        }

        errorKinds.AddOrUpdate($"{inner.GetType().Name}: {inner.Message}", 1, (_, n) => n + 1);
        return false;
    }
}

async Task Fill(string url, long from, long count)
{
    var next = from - 1;
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        long k;
        while ((k = Interlocked.Increment(ref next)) < from + count)
        {
            await TryAnnounce(url, k);
        }
    }));
}

// A tracker shedding load resets connections (opentracker does, right after a fill): a scrape is tried again.
async Task<byte[]> Scrape(Uri uri)
{
    for (var attempt = 1; ; attempt++)
    {
        try
        {
            return await http.GetByteArrayAsync(uri);
        }
        catch (HttpRequestException) when (attempt < 5)
        {
            await Task.Delay(TimeSpan.FromSeconds(attempt));
        }
    }
}

// Peers the tracker says it holds: seeders and leechers over every torrent, from its own scrape.
async Task<long> Remembered(string url)
{
    long sum = 0;
    foreach (var hash in hashes)
    {
        sum += HttpTrackerCodec.ParseScrape(await Scrape(HttpTrackerCodec.BuildScrapeUri(url, [hash])!)).Sum(e => (long)e.Seeders + e.Leechers);
    }

    return sum;
}

// The tracker's CPU time (user + system, clock ticks of 10 ms) from /proc: on a shared machine the rate follows the
// generator's share of the cores as much as the tracker's cost, CPU per announce follows the tracker's cost alone.
static long CpuTicks(int pid)
{
    if (pid <= 0)
    {
        return 0;
    }

    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
}

long done = 0;

async Task<double> HttpRate(string url)
{
    done = 0;
    var stop = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
    {
        while (stop.Elapsed.TotalSeconds < seconds)
        {
            if (await TryAnnounce(url, Random.Shared.NextInt64(peers)))
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
    done = 0;
    var stop = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async w =>
    {
        using var socket = new UdpClient(new IPEndPoint(new IPAddress([127, 250, 0, (byte)(1 + w)]), 0));
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
            // This worker's address is one peer per torrent; it re-announces in a random one.
            var request = Request(Random.Shared.NextInt64(peers)) with { PeerId = PeerId(-1 - w) };
            UdpTrackerCodec.ParseAnnounce(await Exchange(UdpTrackerCodec.Announce(connection, id, request)), id);
            Interlocked.Increment(ref done);
        }
    }));
    return done / stop.Elapsed.TotalSeconds;
}

static long RssKiB(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
    }

    return 0;
}

var url = options["http"];
// --phase http|udp: one rate alone, printed and written to --out as one number (bench/tracker.sh alternates trackers
// phase by phase, so that a shared machine's changing load falls on both alike).
var phase = options.GetValueOrDefault("phase", "all");
if (phase is "http" or "udp")
{
    var cpuBefore = CpuTicks(pid);
    var rate = phase == "http" ? await HttpRate(url) : await UdpRate(options["udp"]);
    var cpuMicros = done > 0 ? (CpuTicks(pid) - cpuBefore) * 10_000.0 / done : double.NaN;
    var kinds = string.Join("; ", errorKinds.OrderByDescending(k => k.Value).Take(3).Select(k => $"{k.Value}x {k.Key}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{options.GetValueOrDefault("name", "tracker")} {phase} {rate:0} announces/s, {cpuMicros:0.0} us tracker CPU per announce, {errors} errors {kinds}"));
    if (options.TryGetValue("out", out var rateFile))
    {
        File.AppendAllText(rateFile, string.Create(CultureInfo.InvariantCulture, $"{rate:0.0}\n"));
        File.AppendAllText(rateFile + ".cpu", string.Create(CultureInfo.InvariantCulture, $"{cpuMicros:0.00}\n"));
    }

    return;
}

var before = pid > 0 ? RssKiB(pid) : 0;
var fill = Stopwatch.StartNew();
await Fill(url, 0, peers / 2);
var fillWatch = fill.Elapsed;
// The scrape comes before the RSS at both points: the first scrape's code and allocations are the tracker warming up,
// not peers remembered, and read after the half-way RSS they were counted in the second half's bytes.
var rememberedHalf = await Remembered(url);
var rssHalf = pid > 0 ? RssKiB(pid) : 0;
var scrapeWatch = fill.Elapsed;
await Fill(url, peers / 2, peers - (peers / 2));
var fillSeconds = fillWatch.TotalSeconds + (fill.Elapsed - scrapeWatch).TotalSeconds;
var remembered = await Remembered(url);
var rss = pid > 0 ? RssKiB(pid) : 0;
var perPeer = remembered > rememberedHalf ? (rss - rssHalf) * 1024.0 / (remembered - rememberedHalf) : double.NaN;
var httpRate = phase == "fill" ? 0 : await HttpRate(url);
var udpRate = phase != "fill" && options.ContainsKey("udp") ? await UdpRate(options["udp"]) : 0;
var name = options.GetValueOrDefault("name", "tracker");
if (errors > 0)
{
    Console.Error.WriteLine($"{name} fill errors: {string.Join("; ", errorKinds.OrderByDescending(k => k.Value).Take(3).Select(k => $"{k.Value}x {k.Key}"))}");
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {name} | {httpRate:0} | {udpRate:0} | {peers / fillSeconds:0} | {errors} | {remembered} | {before / 1024} | {rss / 1024} | {perPeer:0} |"));
if (options.TryGetValue("out", out var outFile))
{
    File.WriteAllText(outFile, string.Create(CultureInfo.InvariantCulture, $"{httpRate:0.0} {udpRate:0.0} {perPeer:0.0} {remembered}\n"));
}
