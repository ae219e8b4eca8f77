using System.Net;
using Akka.Actor;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.TrackerServer;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Actors.Tests.TrackerServer;

/// <summary>The tracker's swarm state: who is answered with whom, expiry, and the memory bounds under a flood.</summary>
public sealed class TrackerRegistryTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly InfoHash Hash = new(new byte[20]);

    [Fact]
    public async Task Peers_learn_each_other_and_a_seed_is_given_only_leechers()
    {
        var tracker = Sys.ActorOf(TrackerRegistryActor.Props(TestNodes.Settings.TrackerServer));
        Assert.Empty((await Announce(tracker, "10.0.0.1", 1000, left: 0)).Peers);
        Assert.Empty((await Announce(tracker, "10.0.0.2", 1000, left: 0)).Peers); // seeds among themselves: nothing
        var leecher = await Announce(tracker, "10.0.0.3", 1000, left: 5);
        Assert.Equal(2, leecher.Peers.Count);
        Assert.Equal((2, 1), (leecher.Complete, leecher.Incomplete));
        var seed = await Announce(tracker, "10.0.0.1", 1000, left: 0);
        Assert.Equal([IPEndPoint.Parse("10.0.0.3:1000")], seed.Peers.Select(p => p.EndPoint));
    }

    [Fact]
    public async Task A_stopped_peer_is_forgotten_and_silent_ones_expire()
    {
        var settings = TestNodes.Settings.TrackerServer with { PeerExpiry = TimeSpan.FromSeconds(1) };
        var tracker = Sys.ActorOf(TrackerRegistryActor.Props(settings));
        await Announce(tracker, "10.0.0.1", 1, left: 0);
        await Announce(tracker, "10.0.0.2", 1, left: 0);
        await Announce(tracker, "10.0.0.2", 1, left: 0, AnnounceEvent.Stopped);
        Assert.Single((await Announce(tracker, "10.0.0.9", 1, left: 1)).Peers);

        await AwaitAssertAsync(async () => Assert.Equal(0, (await tracker.Ask<TrackerStats>(new GetTrackerStats())).Peers), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Floods_meet_the_bounds_and_are_still_answered()
    {
        var settings = TestNodes.Settings.TrackerServer with { MaxPeersPerTorrent = 10, MaxTorrents = 2, MaxPeers = 15 };
        var tracker = Sys.ActorOf(TrackerRegistryActor.Props(settings));
        for (var i = 0; i < 50; i++)
        {
            Assert.IsType<AnnounceAnswer>(await tracker.Ask(new Announce(Request(Hash, 1000 + i, 1), IPAddress.Loopback), TimeSpan.FromSeconds(5)));
        }

        Assert.Equal(10, (await tracker.Ask<TrackerStats>(new GetTrackerStats())).Peers);
        var second = new InfoHash(Enumerable.Repeat((byte)1, 20).ToArray());
        for (var i = 0; i < 50; i++)
        {
            await tracker.Ask(new Announce(Request(second, 1000 + i, 1), IPAddress.Loopback), TimeSpan.FromSeconds(5));
        }

        Assert.Equal(15, (await tracker.Ask<TrackerStats>(new GetTrackerStats())).Peers);
        var third = new InfoHash(Enumerable.Repeat((byte)2, 20).ToArray());
        var refused = await tracker.Ask(new Announce(Request(third, 1, 1), IPAddress.Loopback), TimeSpan.FromSeconds(5));
        Assert.Contains("full", Assert.IsType<AnnounceRefused>(refused).Reason);
    }

    private static async Task<AnnounceAnswer> Announce(IActorRef tracker, string ip, int port, long left, AnnounceEvent ev = AnnounceEvent.None) =>
        await tracker.Ask<AnnounceAnswer>(new Announce(Request(Hash, port, left, ev), IPAddress.Parse(ip)), TimeSpan.FromSeconds(5));

    private static TrackerAnnounce Request(InfoHash hash, int port, long left, AnnounceEvent ev = AnnounceEvent.None) =>
        new(hash, new byte[20], port, 0, 0, left, ev, 50, true, true);
}
