using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Pattern;
using Swarm.Actors.Configuration;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.TrackerClient;
using Swarm.Protocol;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.TrackerClient.TrackerClientMessages;

namespace Swarm.Actors.Tests.TrackerClient;

/// <summary>The tracker client against a real (minimal) HTTP tracker on loopback; its times come from a hand-moved
/// clock, so the next announce it reports is exact.</summary>
public sealed class TrackerClientTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private static readonly InfoHash Hash = InfoHash.Parse(new string('c', 40));
    private readonly ManualClock _clock = new();

    [Fact]
    public async Task Peers_go_to_the_torrent_and_the_next_announce_is_due_after_the_trackers_interval()
    {
        using var tracker = new FakeHttpTracker(interval: TimeSpan.FromMinutes(30));
        Sys.ActorOf(TrackerClientActor.Props(Hash, [[tracker.Url]], Node(), TestActor));

        var found = ExpectMsg<PeersFound>(Wait);
        Assert.Equal([FakeHttpTracker.Peer], found.Peers);
        var reported = ExpectMsg<AnnounceReported>(Wait);
        Assert.Equal((tracker.Url, null, _clock.GetUtcNow().UtcDateTime + TimeSpan.FromMinutes(30)), (reported.Url, reported.Error, reported.NextAnnounce));
        Assert.Contains("event=started", (await tracker.NextRequestAsync(Wait)).RequestLine, StringComparison.Ordinal);
    }

    [Fact]
    public void When_no_tracker_answers_the_reason_is_reported_and_the_next_round_comes_after_retry_interval()
    {
        var dead = $"http://127.0.0.1:{TestNodes.UnusedPort()}/announce";
        Sys.ActorOf(TrackerClientActor.Props(Hash, [[dead]], Node(), TestActor));

        var reported = ExpectMsg<AnnounceReported>(Wait);
        Assert.Null(reported.Url);
        Assert.StartsWith(dead, reported.Error, StringComparison.Ordinal);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime + TestNodes.Settings.Tracker.RetryInterval, reported.NextAnnounce);
    }

    [Fact]
    public async Task A_client_that_fails_is_started_again_by_its_backoff_supervisor()
    {
        using var tracker = new FakeHttpTracker(interval: TimeSpan.FromMinutes(30));
        var supervisor = Sys.ActorOf(TrackerClientActor.Supervised(Hash, [[tracker.Url]], Node(), TestActor, "tracker"));
        ExpectMsg<PeersFound>(Wait);
        ExpectMsg<AnnounceReported>(Wait);

        var first = (await supervisor.Ask<BackoffSupervisor.CurrentChild>(BackoffSupervisor.GetCurrentChild.Instance, Wait)).Ref;
        first.Tell(Kill.Instance); // fails it (ActorKilledException), as a bug would

        // A fresh client announces again (it starts over with "started").
        ExpectMsg<PeersFound>(Wait);
        ExpectMsg<AnnounceReported>(Wait);
        var second = (await supervisor.Ask<BackoffSupervisor.CurrentChild>(BackoffSupervisor.GetCurrentChild.Instance, Wait)).Ref;
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        var started = 0;
        while (started < 2)
        {
            started += (await tracker.NextRequestAsync(Wait)).RequestLine.Contains("event=started", StringComparison.Ordinal) ? 1 : 0;
        }
    }

    private NodeContext Node()
    {
        var settings = TestNodes.Settings with
        {
            Tracker = TestNodes.Settings.Tracker with { StartupStagger = TimeSpan.Zero, RestartMinBackoff = TimeSpan.FromMilliseconds(100) },
        };
        return NodeContext.Create("tracker-client-test", settings, 6881, _clock);
    }

    /// <summary>Answers every announce with one compact peer and the given interval, and closes the connection.</summary>
    private sealed class FakeHttpTracker : IDisposable
    {
        public static readonly IPEndPoint Peer = new(IPAddress.Parse("10.1.2.3"), 6881);
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly System.Threading.Channels.Channel<Received> _requests = System.Threading.Channels.Channel.CreateUnbounded<Received>();
        private readonly TimeSpan _interval;

        public FakeHttpTracker(TimeSpan interval)
        {
            _interval = interval;
            _listener.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/announce";
            _ = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public async Task<Received> NextRequestAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            return await _requests.Reader.ReadAsync(cts.Token);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task ServeAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    var head = new StringBuilder();
                    var buffer = new byte[4096];
                    while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var n = await stream.ReadAsync(buffer, _stop.Token);
                        if (n == 0)
                        {
                            break;
                        }

                        head.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    }

                    _requests.Writer.TryWrite(new Received(head.ToString().Split("\r\n")[0]));
                    var peer = Peer.Address.GetAddressBytes().Concat(new[] { (byte)(Peer.Port >> 8), (byte)Peer.Port }).ToArray();
                    var body = Encoding.ASCII.GetBytes($"d8:intervali{(int)_interval.TotalSeconds}e5:peers6:").Concat(peer).Concat("e"u8.ToArray()).ToArray();
                    var response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                    await stream.WriteAsync(response.Concat(body).ToArray(), _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // stopped
            }
        }

        public sealed record Received(string RequestLine);
    }
}
