using Microsoft.Extensions.Logging;
using Swarm.Node.Hosting;
using Xunit;

namespace Swarm.Node.Tests.Hosting;

public sealed class LogLinesTests
{
    private static readonly DateTime At = new(2026, 11, 29, 18, 26, 43, 652, DateTimeKind.Local);

    [Theory]
    [InlineData("akka://swarm/user/node/torrents", "node/torrents")]
    [InlineData("akka.tcp://swarm@127.0.0.1:4060/user/node/cluster", "node/cluster")]
    [InlineData("akka://swarm/system/remoting-terminator", "system/remoting-terminator")]
    [InlineData("CoordinatedShutdown (akka://swarm)", "CoordinatedShutdown")]
    [InlineData("akka://swarm/user/node/torrents/torrent-376640819b61a9ef74dff6590dce18a4a07192da-32b3e0e5/peer-1", "node/torrents/torrent-37664081…-32b3e0e5/peer-1")]
    [InlineData(null, "akka")]
    public void A_source_is_named_below_its_system(string? source, string expected) =>
        Assert.Equal(expected, LogLines.Source(source));

    [Fact]
    public void An_event_is_one_line_with_time_level_source_and_message()
    {
        var line = LogLines.Compose(At, LogLevel.Information, "node/torrents", "recovered 1 torrent(s)", null, stackTrace: false);
        Assert.Equal("18:26:43.652 info  [node/torrents] recovered 1 torrent(s)\n", line);
    }

    [Fact]
    public void Line_breaks_and_terminal_controls_in_a_message_cannot_forge_lines_or_reach_the_terminal()
    {
        var line = LogLines.Compose(At, LogLevel.Warning, "node/torrents", "torrent \u001b[31mred\u001b[0m\n18:00:00.000 error [x] forged", null, stackTrace: false);
        Assert.Equal("18:26:43.652 warn  [node/torrents] torrent \\u001b[31mred\\u001b[0m\\n18:00:00.000 error [x] forged\n", line);
    }

    [Fact]
    public void An_exception_ends_the_line_unless_stack_traces_are_asked_for()
    {
        var error = new IOException("disk full");
        Assert.Equal("18:26:43.652 error [storage] write failed (IOException: disk full)\n", LogLines.Compose(At, LogLevel.Error, "storage", "write failed", error, stackTrace: false));
        var traced = LogLines.Compose(At, LogLevel.Error, "storage", "write failed", error, stackTrace: true);
        Assert.StartsWith("18:26:43.652 error [storage] write failed\nSystem.IO.IOException: disk full", traced, StringComparison.Ordinal);
    }
}
