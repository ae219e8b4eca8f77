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

/// <summary>The tracker's actors together: who is answered with whom, expiry on the tracker's clock, and the memory
/// bounds under a flood.</summary>
public sealed class TrackerRegistryTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly InfoHash Hash = new(new byte[20]);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

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
        // The swarm's own sweeps come every quarter expiry of real time, so none during the test: it sweeps by hand.
        var clock = new ManualClock();
        var expiry = TimeSpan.FromMinutes(10);
        var tracker = Sys.ActorOf(TrackerRegistryActor.Props(TestNodes.Settings.TrackerServer with { PeerExpiry = expiry }, clock));
        // Each peer comes back once (as an honest client does after its first, short interval): kept for the expiry.
        await Announce(tracker, "10.0.0.1", 1, left: 0);
        await Announce(tracker, "10.0.0.1", 1, left: 0);
        await Announce(tracker, "10.0.0.2", 1, left: 0);
        await Announce(tracker, "10.0.0.2", 1, left: 0, AnnounceEvent.Stopped);
        await Announce(tracker, "10.0.0.9", 1, left: 1);
        Assert.Single((await Announce(tracker, "10.0.0.9", 1, left: 1)).Peers);
        var swarm = await Sys.ActorSelection(tracker.Path / $"swarm-{Hash.Hex}").ResolveOne(Wait);

        clock.Advance(expiry);
        await Sweep(swarm);
        Assert.Equal(2, (await Stats(tracker)).Peers); // silent for exactly the expiry: still kept

        clock.Advance(TimeSpan.FromSeconds(1));
        await Sweep(swarm);
        Assert.Equal(0, (await Stats(tracker)).Peers);

        // Empty for longer than one more expiry, the torrent itself is forgotten.
        Watch(swarm);
        clock.Advance(expiry);
        swarm.Tell(SweepExpiredPeers.Instance);
        ExpectTerminated(swarm, Wait);
        await AwaitAssertAsync(async () => Assert.Equal(0, (await Stats(tracker)).Torrents), Wait);
    }

    [Fact]
    public async Task Floods_meet_the_bounds_and_are_still_answered()
    {
        var settings = TestNodes.Settings.TrackerServer with { MaxPeersPerTorrent = 10, MaxTorrents = 2, MaxPeers = 15 };
        var tracker = Sys.ActorOf(TrackerRegistryActor.Props(settings));
        for (var i = 0; i < 50; i++)
        {
            Assert.IsType<AnnounceAnswer>(await tracker.Ask(new Announce(Request(Hash, 1000 + i, 1), IPAddress.Loopback), Wait));
        }

        Assert.Equal(10, (await Stats(tracker)).Peers);
        var second = new InfoHash(Enumerable.Repeat((byte)1, 20).ToArray());
        for (var i = 0; i < 50; i++)
        {
            await tracker.Ask(new Announce(Request(second, 1000 + i, 1), IPAddress.Loopback), Wait);
        }

        Assert.Equal(15, (await Stats(tracker)).Peers);
        var third = new InfoHash(Enumerable.Repeat((byte)2, 20).ToArray());
        var refused = await tracker.Ask(new Announce(Request(third, 1, 1), IPAddress.Loopback), Wait);
        Assert.Contains("full", Assert.IsType<AnnounceRefused>(refused).Reason);
    }

    [Fact]
    public async Task A_flood_of_new_torrents_from_one_address_leaves_room_for_others()
    {
        var settings = TestNodes.Settings.TrackerServer with { MaxTorrents = 10, MaxTorrentsPerAddress = 3 };
        var tracker = Sys.ActorOf(TrackerRegistryActor.Props(settings));
        var flooder = IPAddress.Parse("127.0.0.3");
        var replies = new List<object>();
        for (var i = 0; i < 20; i++)
        {
            replies.Add(await tracker.Ask(new Announce(Request(RandomHash(), 1000, 1), flooder), Wait));
        }

        Assert.Equal(3, replies.OfType<AnnounceAnswer>().Count());
        Assert.All(replies.Skip(3), r => Assert.Contains("too many new torrents", Assert.IsType<AnnounceRefused>(r).Reason));
        // A torrent the flooder created is still open to it, and anyone else can create new ones.
        Assert.IsType<AnnounceAnswer>(await tracker.Ask(new Announce(Request(RandomHash(), 1000, 1), IPAddress.Parse("127.0.0.2")), Wait));
        Assert.Equal(4, (await Stats(tracker)).Torrents);
    }

    [Fact]
    public async Task Torrents_announced_once_expire_after_the_probation_and_give_their_creator_room_back()
    {
        var clock = new ManualClock();
        var settings = TestNodes.Settings.TrackerServer with { MaxTorrentsPerAddress = 2 };
        var tracker = Sys.ActorOf(TrackerRegistryActor.Props(settings, clock));
        var flooder = IPAddress.Parse("127.0.0.3");
        var first = await tracker.Ask<AnnounceAnswer>(new Announce(Request(RandomHash(), 1000, 1), flooder), Wait);
        Assert.Equal(settings.ProbationInterval, first.Interval); // come back soon, or be forgotten soon
        await tracker.Ask<AnnounceAnswer>(new Announce(Request(RandomHash(), 1000, 1), flooder), Wait);
        Assert.IsType<AnnounceRefused>(await tracker.Ask(new Announce(Request(RandomHash(), 1000, 1), flooder), Wait));

        // An honest torrent: its peer returns after its interval and is then told the long one.
        await Announce(tracker, "10.0.0.1", 1, left: 0);
        Assert.Equal(settings.Interval, (await Announce(tracker, "10.0.0.1", 1, left: 0)).Interval);

        clock.Advance(settings.ProbationExpiry + TimeSpan.FromSeconds(1));
        Sys.ActorSelection(tracker.Path / "swarm-*").Tell(SweepExpiredPeers.Instance);
        await AwaitAssertAsync(async () => Assert.Equal((1, 1), ((await Stats(tracker)).Torrents, (await Stats(tracker)).Peers)), Wait);
        Assert.IsType<AnnounceAnswer>(await tracker.Ask(new Announce(Request(RandomHash(), 1000, 1), flooder), Wait));
    }

    [Fact]
    public async Task One_address_holds_at_most_its_share_of_peers_and_others_are_still_remembered()
    {
        var settings = TestNodes.Settings.TrackerServer with { MaxPeersPerAddress = 4 };
        var tracker = Sys.ActorOf(TrackerRegistryActor.Props(settings));
        for (var port = 1; port <= 10; port++)
        {
            await Announce(tracker, "127.0.0.3", port, left: 1);
        }

        Assert.Equal(4, (await Stats(tracker)).Peers);
        var other = await Announce(tracker, "127.0.0.2", 1, left: 1);
        Assert.Equal(4, other.Peers.Count);
        Assert.Equal(5, (await Stats(tracker)).Peers);

        // Room given back when a peer leaves is the address's again.
        await Announce(tracker, "127.0.0.3", 1, left: 1, AnnounceEvent.Stopped);
        await Announce(tracker, "127.0.0.3", 11, left: 1);
        Assert.Equal(5, (await Stats(tracker)).Peers);
        Assert.Contains(IPEndPoint.Parse("127.0.0.3:11"), (await Announce(tracker, "127.0.0.2", 1, left: 1)).Peers.Select(p => p.EndPoint));
    }

    [Fact]
    public async Task A_scrape_counts_each_swarm_and_zero_for_unknown_torrents()
    {
        var tracker = Sys.ActorOf(TrackerRegistryActor.Props(TestNodes.Settings.TrackerServer));
        await Announce(tracker, "10.0.0.1", 1, left: 0);
        await Announce(tracker, "10.0.0.2", 1, left: 0, AnnounceEvent.Completed);
        await Announce(tracker, "10.0.0.3", 1, left: 7);
        var unknown = new InfoHash(Enumerable.Repeat((byte)9, 20).ToArray());
        var scraped = await tracker.Ask<ScrapeAnswer>(new Scrape([Hash, unknown]), Wait);
        Assert.Equal([new ScrapeEntry(Hash, 2, 1, 1), new ScrapeEntry(unknown, 0, 0, 0)], scraped.Entries);
    }

    /// <summary>A sweep, then an ask the swarm answers after it (one mailbox).</summary>
    private static async Task Sweep(IActorRef swarm)
    {
        swarm.Tell(SweepExpiredPeers.Instance);
        await swarm.Ask<SwarmCountsReply>(GetSwarmCounts.Instance, Wait);
    }

    private static Task<TrackerStatsReply> Stats(IActorRef tracker) => tracker.Ask<TrackerStatsReply>(new GetTrackerStats(), Wait);

    private static async Task<AnnounceAnswer> Announce(IActorRef tracker, string ip, int port, long left, AnnounceEvent ev = AnnounceEvent.None) =>
        await tracker.Ask<AnnounceAnswer>(new Announce(Request(Hash, port, left, ev), IPAddress.Parse(ip)), Wait);

    private static InfoHash RandomHash() => new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));

    private static TrackerAnnounce Request(InfoHash hash, int port, long left, AnnounceEvent ev = AnnounceEvent.None) =>
        new(hash, new byte[20], port, 0, 0, left, ev, 50, true, true);
}
