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
        AnswerProgress(new TransferProgress(0, 0, 1000));

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
        AnswerProgress(new TransferProgress(0, 0, 1000));

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
        AnswerProgress(new TransferProgress(0, 0, 1000));
        ExpectMsg<PeersFound>(Wait);
        ExpectMsg<AnnounceReported>(Wait);

        var first = (await supervisor.Ask<BackoffSupervisor.CurrentChild>(BackoffSupervisor.GetCurrentChild.Instance, Wait)).Ref;
        first.Tell(Kill.Instance); // fails it (ActorKilledException), as a bug would

        // A fresh client announces again (it starts over with "started").
        AnswerProgress(new TransferProgress(0, 0, 1000));
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

    [Fact]
    public async Task A_client_announces_only_with_its_torrents_figures_and_a_restarted_one_asks_for_them_again()
    {
        using var tracker = new FakeHttpTracker(interval: TimeSpan.FromMinutes(30));
        var supervisor = Sys.ActorOf(TrackerClientActor.Supervised(Hash, [[tracker.Url]], Node(), TestActor, "tracker"));

        // Its first round is due at once (no stagger), yet it waits for the figures.
        ExpectMsg<TransferProgressWanted>(Wait);
        var first = LastSender;
        var early = tracker.NextRequestAsync(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => early);
        first.Tell(new TransferProgress(Uploaded: 5, Downloaded: 7, Left: 1000));
        var announce = await tracker.NextRequestAsync(Wait);
        Assert.Equal(1000, announce.Left);
        Assert.Contains("uploaded=5&downloaded=7", announce.RequestLine, StringComparison.Ordinal);
        ExpectMsg<PeersFound>(Wait);
        ExpectMsg<AnnounceReported>(Wait);

        // A restarted client remembers nothing: it asks again, and announces what the torrent says, not left=0.
        first.Tell(Kill.Instance);
        ExpectMsg<TransferProgressWanted>(Wait);
        Assert.NotEqual(first, LastSender);
        LastSender.Tell(new TransferProgress(Uploaded: 9, Downloaded: 600, Left: 400));
        var again = await tracker.NextRequestAsync(Wait);
        if (again.RequestLine.Contains("event=stopped", StringComparison.Ordinal))
        {
            again = await tracker.NextRequestAsync(Wait); // the failed client's farewell, with its own figures
        }

        Assert.Contains("event=started", again.RequestLine, StringComparison.Ordinal);
        Assert.Equal(400, again.Left);
        Assert.Equal(LastSender, (await supervisor.Ask<BackoffSupervisor.CurrentChild>(BackoffSupervisor.GetCurrentChild.Instance, Wait)).Ref);
    }

    /// <summary>The client asks its torrent (here the test) for its figures before it announces.</summary>
    private void AnswerProgress(TransferProgress progress)
    {
        ExpectMsg<TransferProgressWanted>(Wait);
        LastSender.Tell(progress);
    }

    private NodeContext Node()
    {
        var settings = TestNodes.Settings with
        {
            Tracker = TestNodes.Settings.Tracker with { StartupStagger = TimeSpan.Zero, RestartMinBackoff = TimeSpan.FromMilliseconds(100) },
        };
        return NodeContext.Create("tracker-client-test", settings, 6881, _clock);
    }
}
