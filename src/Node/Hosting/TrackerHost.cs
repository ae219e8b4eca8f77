using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Configuration;
using Swarm.Actors.TrackerServer;
using Swarm.Protocol.Trackers;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Node.Hosting;

/// <summary>The embedded tracker's front ends: <see cref="TrackerHttpServer"/> for HTTP announce and scrape, a UDP
/// socket for BEP 15 (<see cref="UdpTrackerActor"/>). Announces go straight to their swarm when the
/// <see cref="TrackedSwarmIndex"/> knows it, else to the one <see cref="TrackerRegistryActor"/>. Hostile requests get a
/// bencoded failure reason (HTTP 200) or, when the request itself is refused (its head, method or path), a 4xx;
/// never an exception.</summary>
public sealed class TrackerHost : IAsyncDisposable
{
    private readonly TrackerHttpServer? _http;
    private readonly IActorRef _registry;
    private readonly IActorRef _udp;
    private readonly ITimer? _sweep;

    private TrackerHost(TrackerHttpServer? http, IActorRef registry, IActorRef udp, ITimer? sweep, string? httpUrl, string? udpUrl)
    {
        _http = http;
        _registry = registry;
        _udp = udp;
        _sweep = sweep;
        HttpAnnounceUrl = httpUrl;
        UdpAnnounceUrl = udpUrl;
    }

    public string? HttpAnnounceUrl { get; }

    public string? UdpAnnounceUrl { get; }

    /// <param name="httpPort">-1 = no HTTP tracker, 0 = any free port.</param>
    /// <param name="clock">The tracker's time (peer expiry, UDP connection ids, answers' timeout); the system clock by default.</param>
    public static Task<TrackerHost> StartAsync(ActorSystem system, TrackerServerSettings settings, int httpPort, int udpPort, ILoggerFactory loggers, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        if (!IPAddress.TryParse(settings.BindAddress, out var ip))
        {
            throw new ArgumentException($"swarm.tracker-server.bind-address '{settings.BindAddress}' is not an IP address");
        }

        var index = new TrackedSwarmIndex();
        var registry = system.ActorOf(TrackerRegistryActor.Props(settings, clock, index), "tracker");
        IActorRef udp = ActorRefs.Nobody;
        string? udpUrl = null;
        if (udpPort >= 0)
        {
            var socket = new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(new IPEndPoint(ip, udpPort));
            }
            catch (SocketException e)
            {
                socket.Dispose();
                registry.Tell(PoisonPill.Instance);
                throw new IOException($"cannot listen for UDP announces on {ip}:{udpPort}: {e.Message}", e);
            }

            udpUrl = $"udp://{Host(ip)}:{((IPEndPoint)socket.LocalEndPoint!).Port}/announce";
            udp = system.ActorOf(UdpTrackerActor.Props(socket, registry, settings, clock, index), "tracker-udp");
        }

        TrackerHttpServer? http = null;
        ITimer? sweep = null;
        string? httpUrl = null;
        if (httpPort >= 0)
        {
            var answers = new HttpAnswers(system, registry, index, settings, clock);
            try
            {
                http = TrackerHttpServer.Start(new IPEndPoint(ip, httpPort), answers.Handle, settings.HttpRequestTimeout, settings.HttpMaxConnections, loggers.CreateLogger<TrackerHttpServer>());
            }
            catch (IOException)
            {
                udp.Tell(PoisonPill.Instance);
                registry.Tell(PoisonPill.Instance);
                throw;
            }

            var tick = settings.AskTimeout / 4;
            tick = tick > TimeSpan.Zero ? tick : TimeSpan.FromSeconds(1);
            sweep = clock.CreateTimer(_ => answers.Expire(), null, tick, tick);
            httpUrl = $"http://{Host(ip)}:{http.LocalEndPoint.Port}/announce";
        }

        return Task.FromResult(new TrackerHost(http, registry, udp, sweep, httpUrl, udpUrl));
    }

    private static string Host(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();

    public async ValueTask DisposeAsync()
    {
        if (_http is not null)
        {
            await _http.DisposeAsync().ConfigureAwait(false);
        }

        _sweep?.Dispose();
        _udp.Tell(PoisonPill.Instance);
        _registry.Tell(PoisonPill.Instance);
    }

    /// <summary>Answers the HTTP requests: announces told to their swarm with a <see cref="TrackerHttpAnswer"/> as the
    /// sender (no ask), scrapes asked of the registry; the sweep answers "busy" to what waited past the ask timeout.</summary>
    private sealed class HttpAnswers(ActorSystem system, IActorRef registry, TrackedSwarmIndex index, TrackerServerSettings settings, TimeProvider clock)
    {
        private static readonly byte[] Empty = [];
        private readonly IActorRefProvider _provider = ((ExtendedActorSystem)system).Provider;
        private readonly ActorPath _path = registry.Path / "http-answer";
        private readonly PendingAnswers<TrackerHttpAnswer> _waiting = new();

        public ValueTask<TrackerHttpResponse> Handle(TrackerHttpRequest request, IPAddress from)
        {
            // Path and query read in place: no strings cut from the target per announce.
            var target = request.Target.AsSpan();
            var q = target.IndexOf('?');
            var path = q >= 0 ? target[..q] : target;
            var announce = path.SequenceEqual("/announce");
            if (!announce && !path.SequenceEqual("/scrape"))
            {
                return ValueTask.FromResult(new TrackerHttpResponse(404, Empty));
            }

            if (request.Method != "GET")
            {
                return ValueTask.FromResult(new TrackerHttpResponse(405, Empty));
            }

            try
            {
                return announce ? Announce(q >= 0 ? target[q..] : [], from) : Scrape(request.Query);
            }
            catch (TrackerRequestException e)
            {
                return Ok(HttpTrackerServerCodec.Failure(e.Message));
            }
        }

        /// <summary>Answers "busy" to announces still unanswered after the ask timeout.</summary>
        public void Expire()
        {
            _waiting.ExpireSentBefore(clock.GetUtcNow() - settings.AskTimeout);
        }

        private static ValueTask<TrackerHttpResponse> Ok(byte[] body) => ValueTask.FromResult(new TrackerHttpResponse(200, body));

        private ValueTask<TrackerHttpResponse> Announce(ReadOnlySpan<char> query, IPAddress from)
        {
            var request = HttpTrackerServerCodec.ParseAnnounce(query, settings.DefaultNumWant, settings.MaxNumWant);
            var answer = new TrackerHttpAnswer(_path, _provider, clock.GetUtcNow());
            index.Route(request.InfoHash, registry).Tell(new TrackerServerMessages.Announce(request, from), answer);
            // With the swarms on the senders' thread the answer is mostly given by now: only one still owed waits for
            // the sweep (and Respond then completes without a wait).
            if (!answer.IsDone)
            {
                _waiting.Add(answer);
            }

            return Respond(answer, request);
        }

        private static async ValueTask<TrackerHttpResponse> Respond(TrackerHttpAnswer answer, TrackerAnnounce request) =>
            new(200, await answer.Answer.ConfigureAwait(false) switch
            {
                AnnounceAnswer a => HttpTrackerServerCodec.Announce(a.Interval, a.MinInterval, a.Complete, a.Incomplete, a.Peers, request.Compact, request.NoPeerId),
                AnnounceRefused r => HttpTrackerServerCodec.Failure(r.Reason),
                null => HttpTrackerServerCodec.Failure("tracker busy, try again"),
                var other => HttpTrackerServerCodec.Failure($"internal error: {other.GetType().Name}"),
            });

        // Parsed before the wait, so that a refused scrape is caught by Handle like a refused announce.
        private ValueTask<TrackerHttpResponse> Scrape(string query) => Scrape(HttpTrackerServerCodec.ParseScrape(query, settings.MaxScrape));

        private async ValueTask<TrackerHttpResponse> Scrape(IReadOnlyList<Swarm.Protocol.InfoHash> hashes)
        {
            try
            {
                var answer = await registry.Ask<ScrapeAnswer>(new TrackerServerMessages.Scrape(hashes), settings.AskTimeout).ConfigureAwait(false);
                return new(200, HttpTrackerServerCodec.Scrape(answer.Entries));
            }
            catch (AskTimeoutException)
            {
                return new(200, HttpTrackerServerCodec.Failure("tracker busy, try again"));
            }
        }
    }
}
