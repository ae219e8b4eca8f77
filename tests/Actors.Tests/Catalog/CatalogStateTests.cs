using System.Text.Json;
using Swarm.Actors.Catalog;
using Swarm.Actors.Persistence;
using Xunit;

namespace Swarm.Actors.Tests.Catalog;

/// <summary>The catalog's journaled state without any actor: each event, the snapshot rule, snapshots both ways.</summary>
public sealed class CatalogStateTests
{
    private static readonly TorrentAdded A = new("aa", "g1", [1, 2, 3], [["http://t/announce"]], "/data/a", Sequential: true, SeedOnly: false);
    private static readonly TorrentAdded B = new("bb", "g2", [4], [], "/data/b", Sequential: false, SeedOnly: true) { Replica = true };
    private static readonly MagnetAdded M = new("cc", "magnet:?xt=urn:btih:cc", "/data/c");

    [Fact]
    public void A_torrent_added_is_in_the_catalog_and_added_again_replaces_its_entry()
    {
        var state = CatalogState.Empty.Apply(A);
        Assert.Same(A, state.Torrents["aa"]);

        var again = A with { Generation = "g9" };
        Assert.Equal("g9", state.Apply(again).Torrents["aa"].Generation);
        Assert.Empty(CatalogState.Empty.Magnets);
    }

    [Fact]
    public void A_magnet_waits_until_its_torrent_is_added()
    {
        var pending = CatalogState.Empty.Apply(M);
        Assert.Same(M, pending.Magnets["cc"]);
        Assert.True(pending.Knows("cc"));
        Assert.Empty(pending.Torrents);

        var resolved = pending.Apply(A with { InfoHash = "cc" });
        Assert.Empty(resolved.Magnets);
        Assert.True(resolved.Torrents.ContainsKey("cc"));
    }

    [Fact]
    public void Removal_takes_out_a_torrent_or_a_pending_magnet_and_nothing_else()
    {
        var state = CatalogState.Empty.Apply(A).Apply(B).Apply(M);

        var withoutA = state.Apply(new TorrentRemoved("aa"));
        Assert.Equal(["bb"], withoutA.Torrents.Keys);
        Assert.Same(M, withoutA.Magnets["cc"]);

        var withoutM = withoutA.Apply(new TorrentRemoved("cc"));
        Assert.Empty(withoutM.Magnets);
        Assert.False(withoutM.Knows("cc"));
        Assert.Equal(withoutM, withoutM.Apply(new TorrentRemoved("zz")));
    }

    [Fact]
    public void Limits_go_to_the_node_or_to_a_known_torrent_and_are_ignored_for_an_unknown_one()
    {
        var state = CatalogState.Empty.Apply(A);

        var node = state.Apply(new RateLimitsChanged(null, 100, 200));
        Assert.Equal(new RateLimitsChanged(null, 100, 200), node.NodeLimits);
        Assert.Equal((0L, 0L), (node.Torrents["aa"].DownloadLimit, node.Torrents["aa"].UploadLimit));

        var torrent = node.Apply(new RateLimitsChanged("aa", 5, 6));
        Assert.Equal((5L, 6L), (torrent.Torrents["aa"].DownloadLimit, torrent.Torrents["aa"].UploadLimit));
        Assert.Equal(node.NodeLimits, torrent.NodeLimits);

        Assert.Equal(torrent, torrent.Apply(new RateLimitsChanged("zz", 7, 8)));
    }

    [Fact]
    public void Apply_never_changes_the_state_it_is_called_on()
    {
        var before = CatalogState.Empty.Apply(A).Apply(M);
        _ = before.Apply(new TorrentRemoved("aa")).Apply(B).Apply(new RateLimitsChanged(null, 1, 1));
        Assert.Equal(["aa"], before.Torrents.Keys);
        Assert.Equal(["cc"], before.Magnets.Keys);
        Assert.Null(before.NodeLimits);
    }

    [Fact]
    public void Something_that_is_not_a_catalog_event_is_refused()
    {
        Assert.Throws<ArgumentException>(() => CatalogState.Empty.Apply(new PiecesVerified([1])));
    }

    [Fact]
    public void A_snapshot_is_due_every_n_rows_and_after_every_removal()
    {
        Assert.True(CatalogState.SnapshotDue(A, 100, 100));
        Assert.True(CatalogState.SnapshotDue(M, 200, 100));
        Assert.False(CatalogState.SnapshotDue(A, 101, 100));
        Assert.False(CatalogState.SnapshotDue(new RateLimitsChanged(null, 1, 1), 99, 100));
        Assert.True(CatalogState.SnapshotDue(new TorrentRemoved("aa"), 7, 100));
    }

    [Fact]
    public void A_snapshot_holds_the_whole_state_and_reads_back_to_it()
    {
        var state = CatalogState.Empty.Apply(A).Apply(B).Apply(M).Apply(new RateLimitsChanged(null, 10, 20)).Apply(new RateLimitsChanged("bb", 1, 2));

        var snapshot = state.ToSnapshot();
        var back = CatalogState.From(snapshot);

        Assert.Equal(Json(state), Json(back));
        Assert.Equal(state.NodeLimits, back.NodeLimits);
        Assert.Equal(["aa", "bb"], back.Torrents.Keys.Order());
        Assert.Equal(2, back.Torrents["bb"].UploadLimit);
        Assert.True(back.Torrents["bb"].Replica);
        Assert.Same(M, Assert.Single(back.Magnets.Values));
    }

    [Fact]
    public void A_snapshot_through_the_journal_serializer_reads_back_to_the_same_state()
    {
        var state = CatalogState.Empty.Apply(A).Apply(M).Apply(new RateLimitsChanged(null, 3, 4));
        var bytes = JsonSerializer.SerializeToUtf8Bytes(state.ToSnapshot());

        var back = CatalogState.From(JsonSerializer.Deserialize<CatalogSnapshot>(bytes)!);

        Assert.Equal(Json(state), Json(back));
    }

    [Fact]
    public void A_snapshot_written_before_magnets_or_node_limits_were_kept_reads_with_none()
    {
        var old = JsonSerializer.Deserialize<CatalogSnapshot>("""{"Torrents":[{"InfoHash":"aa","Generation":"g1","InfoDictionary":"AQID","Trackers":[],"SavePath":"/data/a","Sequential":false,"SeedOnly":false}]}""")!;

        var state = CatalogState.From(old);

        Assert.Empty(state.Magnets);
        Assert.Null(state.NodeLimits);
        Assert.Equal([1, 2, 3], state.Torrents["aa"].InfoDictionary);
        Assert.False(state.Torrents["aa"].Replica);
    }

    [Fact]
    public void Recovery_from_a_snapshot_and_the_rows_after_it_equals_replaying_every_row()
    {
        IPersistedEvent[] history = [A, M, new RateLimitsChanged(null, 1, 2), B, new TorrentRemoved("aa"), new RateLimitsChanged("bb", 9, 9), A with { InfoHash = "cc" }];
        var replayed = history.Aggregate(CatalogState.Empty, (s, e) => s.Apply(e));

        var atThree = history.Take(3).Aggregate(CatalogState.Empty, (s, e) => s.Apply(e));
        var recovered = history.Skip(3).Aggregate(CatalogState.From(atThree.ToSnapshot()), (s, e) => s.Apply(e));

        Assert.Equal(Json(replayed), Json(recovered));
        Assert.Equal(["bb", "cc"], recovered.Torrents.Keys.Order());
        Assert.Empty(recovered.Magnets);
    }

    /// <summary>The state as the journal would hold it, in a stable order (dictionaries do not keep one).</summary>
    private static string Json(CatalogState s) => JsonSerializer.Serialize(new
    {
        Torrents = s.Torrents.Values.OrderBy(t => t.InfoHash, StringComparer.Ordinal),
        Magnets = s.Magnets.Values.OrderBy(m => m.InfoHash, StringComparer.Ordinal),
        s.NodeLimits,
    });

    [Fact]
    public void A_history_read_in_bulk_replays_as_the_snapshot_then_the_events_after_it()
    {
        // What JournalPrefetch hands the catalog (issue 14): the latest snapshot first, then the rows after it.
        var snapshot = CatalogState.Empty.Apply(A).Apply(M).Apply(new RateLimitsChanged(null, 1, 2)).ToSnapshot();
        IPersistedEvent[] history = [snapshot, B, new TorrentRemoved("aa"), new RateLimitsChanged("bb", 5, 6)];

        var replayed = CatalogState.Replay(history);

        Assert.Equal(["bb"], replayed.Torrents.Keys);
        Assert.Equal((5L, 6L), (replayed.Torrents["bb"].DownloadLimit, replayed.Torrents["bb"].UploadLimit));
        Assert.Same(M, replayed.Magnets["cc"]);
        Assert.Equal(new RateLimitsChanged(null, 1, 2), replayed.NodeLimits);
        Assert.Equal(CatalogState.Empty, CatalogState.Replay([]));
        Assert.Throws<ArgumentException>(() => CatalogState.Replay([new PiecesVerified([1])]));
    }
}
