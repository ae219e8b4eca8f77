using System.Text.Json.Nodes;
using Swarm.Node.Http;
using Xunit;
using static Swarm.Node.Http.RpcArguments;

namespace Swarm.Node.Tests.Http;

/// <summary>The shapes of a request's arguments clients send.</summary>
public sealed class RpcArgumentsTests
{
    private const string Hash = "0123456789abcdef0123456789abcdef01234567";

    [Fact]
    public void Ids_are_all_recently_active_numbers_or_hashes()
    {
        Assert.IsType<AllTorrents>(Ids(null));
        Assert.IsType<RecentlyActive>(Ids(JsonValue.Create("recently-active")));
        var one = Assert.IsType<Listed>(Ids(JsonValue.Create(3)));
        Assert.Equal([3], one.Ids);
        var mixed = Assert.IsType<Listed>(Ids(new JsonArray(1, "2", Hash.ToUpperInvariant())));
        Assert.Equal([1, 2], mixed.Ids);
        Assert.Equal([Hash], mixed.Hashes);
        Assert.Throws<RpcException>(() => Ids(JsonValue.Create("nonsense")));
    }

    [Fact]
    public void Snake_case_keys_are_read_under_their_classic_names()
    {
        var args = Normalize(new JsonObject { ["speed_limit_down"] = 50, ["download_limited"] = true, ["delete-local-data"] = true });
        Assert.Equal(50L, Long(args["speed-limit-down"]));
        Assert.True(Bool(args["downloadLimited"]));
        Assert.True(Bool(args["delete-local-data"]));
        Assert.Null(Long(args["missing"]));
    }

    [Fact]
    public void Torrent_limits_follow_the_limited_switch()
    {
        Assert.Equal(0, TransmissionTorrents.TorrentLimit(false, 100, 50_000));
        Assert.Equal(100_000, TransmissionTorrents.TorrentLimit(true, 100, 0));
        Assert.Equal(50_000, TransmissionTorrents.TorrentLimit(true, null, 50_000));
        Assert.Equal(70_000, TransmissionTorrents.TorrentLimit(null, 70, 50_000));
        Assert.Null(TransmissionTorrents.TorrentLimit(null, 70, 0));
        Assert.Null(TransmissionTorrents.TorrentLimit(null, null, 0));
        Assert.Throws<RpcException>(() => TransmissionTorrents.TorrentLimit(true, -1, 0));
    }
}
