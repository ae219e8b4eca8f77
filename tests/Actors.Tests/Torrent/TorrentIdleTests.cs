using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.Configuration;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Torrent.TorrentMessages;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>An idle torrent (no connections, nothing to dial yet) keeps no periodic timers, and wakes on each event that
/// gives it work: new candidates, a candidate's backoff ending, a resume, an incoming peer. Timers are seen through
/// <see cref="CountingScheduler"/>; candidate backoff runs on a hand-moved clock.</summary>
public sealed class TorrentIdleTests(ITestOutputHelper output)
    : Akka.TestKit.Xunit2.TestKit(CountingScheduler.Config.WithFallback(TestNodes.Config), output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly ManualClock _clock = new();

    private CountingScheduler Scheduler => (CountingScheduler)Sys.Scheduler;

    /// <summary>Connections that never handshake stay open until the test lets them go.</summary>
    private static SwarmSettings Settings => TestNodes.Settings with
    {
        Peer = TestNodes.Settings.Peer with { HandshakeTimeout = TimeSpan.FromMinutes(5) },
    };

    [Fact]
    public async Task An_idle_seeding_torrent_keeps_no_periodic_timer_and_still_answers_status()
    {
        using var torrent = new TestTorrent(length: 64 << 10, pieceLength: 1 << 14);
        var actor = Start(torrent, "idle");
        await AwaitAssertAsync(async () => Assert.Equal(TorrentState.Seeding, (await Status(actor)).State), Wait);

        AwaitAssert(() => Assert.Equal(0, Scheduler.Running(Of(actor))), Wait);
        var status = await Status(actor);
        Assert.Equal((TorrentState.Seeding, torrent.Metainfo.PieceCount, 0), (status.State, status.VerifiedPieces, status.Peers.Count));
    }

    [Fact]
    public async Task New_candidates_wake_it_a_backoff_ending_wakes_it_while_asleep_and_so_does_a_resume()
    {
        using var torrent = new TestTorrent(length: 64 << 10, pieceLength: 1 << 14);
        using var peer = new SilentPeer();
        var actor = Start(torrent, "wake");
        await AwaitAssertAsync(async () => Assert.Equal(TorrentState.Seeding, (await Status(actor)).State), Wait);
        AwaitAssert(() => Assert.Equal(0, Scheduler.Running(Of(actor))), Wait);

        // A candidate arrives: dialled, and the timers run while the connection lasts.
        actor.Tell(new AddPeers([peer.EndPoint], "the test"));
        await peer.AcceptedAsync(1, Wait);
        AwaitAssert(() => Assert.True(Scheduler.Running(Of(actor)) > 0), Wait);

        // The connection fails: nothing left to do until the candidate's backoff ends, so the torrent sleeps.
        peer.Refuse();
        AwaitAssert(() => Assert.Equal(0, Scheduler.Running(Of(actor))), Wait);
        Assert.Empty((await Status(actor)).Peers);

        // The backoff ends (on the torrent's clock): the sleeping torrent dials again, and is awake while connected.
        var dials = peer.Accepted;
        peer.Hold();
        _clock.Advance(Settings.Peer.RetryFailedAfter);
        await peer.AcceptedAsync(dials + 1, Wait);
        AwaitAssert(() => Assert.True(Scheduler.Running(Of(actor)) > 0), Wait);

        // Paused: no timers. Resumed once the backoff is over: it dials at once, and its timers run again.
        actor.Tell(new Pause("test"));
        AwaitAssert(() => Assert.Equal(0, Scheduler.Running(Of(actor))), Wait);
        await AwaitAssertAsync(async () => Assert.Empty((await Status(actor)).Peers), Wait);
        dials = peer.Accepted;
        _clock.Advance(Settings.Peer.RetryFailedAfter);
        actor.Tell(new Resume());
        await peer.AcceptedAsync(dials + 1, Wait);
        AwaitAssert(() => Assert.True(Scheduler.Running(Of(actor)) > 0), Wait);
    }

    [Fact]
    public async Task An_incoming_peer_wakes_an_idle_seeder_which_serves_it_and_sleeps_again_once_it_left()
    {
        using var torrent = new TestTorrent(length: 256 << 10, pieceLength: 1 << 14);
        var (seeder, seederListen, _) = TestNodes.Start(Sys, "idle-seeder", Settings);
        var hash = (await seeder.Ask<CatalogMessages.TorrentAccepted>(new CatalogMessages.AddTorrent(torrent.Metainfo, torrent.SeedDir, new TorrentOptions(SeedOnly: true)), Wait)).InfoHash;
        await TestNodes.AwaitStatus(seeder, hash, s => s.State == TorrentState.Seeding, Wait, Wait);
        Func<ActorPath, bool> seederTorrent = p => p.ToStringWithoutAddress().StartsWith("/user/idle-seeder/", StringComparison.Ordinal) && p.Name.Contains(hash, StringComparison.Ordinal);
        AwaitAssert(() => Assert.Equal(0, Scheduler.Running(seederTorrent)), Wait);
        Assert.Equal(0, Scheduler.Started(seederTorrent));

        var (leecher, _, _) = TestNodes.Start(Sys, "idle-leecher", Settings);
        var outDir = torrent.NewDir("out");
        await leecher.Ask<CatalogMessages.TorrentAccepted>(new CatalogMessages.AddTorrent(torrent.Metainfo, outDir, new TorrentOptions(Peers: [seederListen])), Wait);
        await TestNodes.AwaitStatus(leecher, hash, s => s.State == TorrentState.Seeding, Wait, Wait);
        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(outDir, "content.bin")));
        Assert.True(Scheduler.Started(seederTorrent) > 0); // woken by the incoming connection

        this.StopAndWait(leecher, Wait);
        AwaitAssert(() => Assert.Equal(0, Scheduler.Running(seederTorrent)), Wait);
        Assert.Equal(TorrentState.Seeding, (await TestNodes.AwaitStatus(seeder, hash, s => s.Peers.Count == 0, Wait, Wait)).State);
    }

    private static Func<ActorPath, bool> Of(IActorRef actor) => p => p.Equals(actor.Path);

    private IActorRef Start(TestTorrent torrent, string journal) =>
        Sys.ActorOf(TorrentActor.Props(
            torrent.Metainfo,
            torrent.SeedDir,
            new TorrentOptions(SeedOnly: true),
            NodeContext.Create($"idle-{Guid.NewGuid():N}", Settings, 0, _clock),
            $"idle/{journal}"));

    private static Task<TorrentStatus> Status(IActorRef torrent) => torrent.Ask<TorrentStatus>(new GetStatus(), Wait);

    /// <summary>A peer on loopback that accepts connections and never answers the handshake: it holds them open, or,
    /// once told to refuse, closes them (and every later one) at once.</summary>
    private sealed class SilentPeer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _held = [];
        private readonly Lock _gate = new();
        private bool _refuse;
        private int _accepted;

        public SilentPeer()
        {
            _listener.Start();
            EndPoint = (IPEndPoint)_listener.LocalEndpoint;
            _ = Task.Run(AcceptAsync);
        }

        public IPEndPoint EndPoint { get; }

        public int Accepted => Volatile.Read(ref _accepted);

        public async Task AcceptedAsync(int count, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Accepted < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{Accepted} connection(s) within {timeout}, expected {count}");
                await Task.Delay(50);
            }
        }

        public void Refuse()
        {
            lock (_gate)
            {
                _refuse = true;
                CloseHeld();
            }
        }

        public void Hold()
        {
            lock (_gate)
            {
                _refuse = false;
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            lock (_gate)
            {
                CloseHeld();
            }
        }

        private void CloseHeld()
        {
            foreach (var c in _held)
            {
                c.Dispose();
            }

            _held.Clear();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync();
                    lock (_gate)
                    {
                        if (_refuse)
                        {
                            client.Dispose();
                        }
                        else
                        {
                            _held.Add(client);
                        }
                    }

                    Interlocked.Increment(ref _accepted);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // stopped
            }
        }
    }
}
