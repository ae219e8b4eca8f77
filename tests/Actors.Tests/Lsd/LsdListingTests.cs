using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Swarm.Actors.Catalog;
using Swarm.Actors.Configuration;
using Swarm.Actors.Lsd;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Lsd;

/// <summary>LSD asks the catalog for one listing at a time however many torrents become ready (recovery of 1,000
/// torrents asked 1,000 listings of 1,000 statuses each), and still lists once more for those that came meanwhile.</summary>
public sealed class LsdListingTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_request_with_none_out_asks_at_once()
    {
        var (next, ask) = LsdListing.Idle.Requested();
        Assert.True(ask);
        Assert.True(next.InFlight);
    }

    [Fact]
    public void Requests_while_one_is_out_fold_into_one_more_after_it()
    {
        var (listing, _) = LsdListing.Idle.Requested();
        for (var i = 0; i < 1000; i++)
        {
            (listing, var ask) = listing.Requested();
            Assert.False(ask);
        }

        (listing, var again) = listing.Answered();
        Assert.True(again);
        Assert.True(listing.InFlight);
        (listing, again) = listing.Answered();
        Assert.False(again);
        Assert.Equal(LsdListing.Idle, listing);
    }

    [Fact]
    public void Many_torrents_ready_at_once_cost_two_listings()
    {
        var catalog = CreateTestProbe();
        var settings = SwarmSettings.From(ConfigurationFactory.ParseString($$"""
            swarm.lsd { enabled = on, port = {{FreeUdpPort()}}, interface = "127.0.0.1", ttl = 0, interval = 1h }
            """).WithFallback(TestNodes.Config));
        Sys.ActorOf(LsdActor.Props(catalog, NodeContext.Create("lsd-listing", settings, 6881)));

        // The first listing (the start-up announce, sent after subscribing) is out; a thousand torrents become
        // ready before it is answered.
        catalog.ExpectMsg<CatalogMessages.ListTorrents>(Wait);
        var asker = catalog.LastSender;
        for (var i = 0; i < 1000; i++)
        {
            Sys.EventStream.Publish(new TorrentMessages.TorrentReadyForPeers(i.ToString("x40")));
        }

        catalog.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        asker.Tell(new CatalogMessages.TorrentList([]));
        catalog.ExpectMsg<CatalogMessages.ListTorrents>(Wait);
        catalog.Reply(new CatalogMessages.TorrentList([]));
        catalog.ExpectNoMsg(TimeSpan.FromSeconds(1));
    }

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
