using Akka.Actor;
using Swarm.Actors.Torrent;
using Xunit;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>The torrent's supervision, decided per kind of child by its name.</summary>
public sealed class TorrentChildrenTests
{
    [Fact]
    public void Connections_pieces_and_storage_that_throw_are_stopped()
    {
        Assert.Equal(Directive.Stop, TorrentChildren.Decide(TorrentChildren.Peer(17)));
        Assert.Equal(Directive.Stop, TorrentChildren.Decide(TorrentChildren.Piece(3, 41)));
        Assert.Equal(Directive.Stop, TorrentChildren.Decide(TorrentChildren.Storage));
    }

    [Fact]
    public void Backoff_supervisors_are_restarted()
    {
        Assert.Equal(Directive.Restart, TorrentChildren.Decide(TorrentChildren.JournalSupervisor));
        Assert.Equal(Directive.Restart, TorrentChildren.Decide(TorrentChildren.TrackerSupervisor(2)));
    }

    [Fact]
    public void An_unknown_child_is_stopped()
    {
        Assert.Equal(Directive.Stop, TorrentChildren.Decide("something-else"));
    }

    [Fact]
    public void Names_of_children_of_one_kind_never_repeat()
    {
        Assert.NotEqual(TorrentChildren.Piece(3, 1), TorrentChildren.Piece(3, 2));
        Assert.NotEqual(TorrentChildren.TrackerSupervisor(1), TorrentChildren.TrackerSupervisor(2));
        Assert.NotEqual(TorrentChildren.Peer(1), TorrentChildren.Peer(2));
    }
}
