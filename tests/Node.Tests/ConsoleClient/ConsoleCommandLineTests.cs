using Swarm.Node.ConsoleClient;
using Xunit;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Tests.ConsoleClient;

public sealed class ConsoleCommandLineTests
{
    [Theory]
    [InlineData("stauts", "status")]
    [InlineData("torrent", "torrents")]
    [InlineData("puase", "pause")]
    [InlineData("rem", "remove")]
    [InlineData("loglevel", "log-level")]
    public void Unknown_commands_suggest_the_nearest(string typed, string expected)
    {
        var e = Assert.Throws<ConsoleUsageException>(() => ConsoleCommandLine.Parse([typed]));
        Assert.Equal($"unknown command '{typed}'. Did you mean '{expected}'?", e.Message);
    }

    [Fact]
    public void Nonsense_gets_no_suggestion() =>
        Assert.Equal("unknown command 'xyzzyplugh'; try 'help'", Assert.Throws<ConsoleUsageException>(() => ConsoleCommandLine.Parse(["xyzzyplugh"])).Message);

    [Fact]
    public void Commands_map_to_their_requests_and_json_is_accepted_anywhere()
    {
        Assert.Equal(new RemoteInvocation(new GetNodeStatus(), true), ConsoleCommandLine.Parse(["--json", "status"]));
        Assert.Equal(new RemoteInvocation(new PauseTorrent("ab12"), false), ConsoleCommandLine.Parse(["pause", "ab12"]));
        Assert.Equal(new RemoteInvocation(new RemoveNodeTorrent("ab12", true), true), ConsoleCommandLine.Parse(["remove", "--delete-data", "ab12", "--json"]));
        Assert.Equal(new WatchInvocation(null, false), ConsoleCommandLine.Parse(["watch"]));
        Assert.Equal(new RemoteInvocation(new SetLimits("ab12", 5 << 20, 0), false), ConsoleCommandLine.Parse(["limit", "ab12", "--down", "5M", "--up", "none"]));
        Assert.Equal(new RemoteInvocation(new SetLimits(null, null, 512 << 10), false), ConsoleCommandLine.Parse(["limit", "--up", "512k"]));
        Assert.Equal(new RemoteInvocation(new ListClusterTorrents(), true), ConsoleCommandLine.Parse(["torrents", "--cluster", "--json"]));
        Assert.Equal(new RemoteInvocation(new GetCluster(), false), ConsoleCommandLine.Parse(["cluster"]));
        var search = Assert.IsType<Search>(Assert.IsType<RemoteInvocation>(ConsoleCommandLine.Parse(["search", "ubuntu", "iso"])).Command);
        Assert.Equal(["ubuntu", "iso"], search.Words);
        Assert.Equal(new RemoteInvocation(new Replicas("ab12", null), false), ConsoleCommandLine.Parse(["replicas", "ab12"]));
        Assert.Equal(new RemoteInvocation(new Replicas("ab12", 3), true), ConsoleCommandLine.Parse(["replicas", "ab12", "3", "--json"]));
    }

    [Theory]
    [InlineData("replicas ab12 -1")]
    [InlineData("replicas ab12 many")]
    [InlineData("replicas ab12 101")]
    public void Bad_replication_factors_are_refused(string line) =>
        Assert.Contains("replication factor", Assert.Throws<ConsoleUsageException>(() => ConsoleCommandLine.Parse(ConsoleCommandLine.Tokenize(line))).Message);

    [Theory]
    [InlineData("pause")]
    [InlineData("show")]
    [InlineData("remove a b")]
    [InlineData("status extra")]
    [InlineData("log-level")]
    [InlineData("add")]
    public void Missing_or_extra_arguments_show_the_usage(string line)
    {
        var e = Assert.Throws<ConsoleUsageException>(() => ConsoleCommandLine.Parse(ConsoleCommandLine.Tokenize(line)));
        Assert.StartsWith("usage: ", e.Message);
    }

    [Fact]
    public void Add_reads_the_torrent_file_and_resolves_the_folder_locally()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, [1, 2, 3]);
            var parsed = Assert.IsType<RemoteInvocation>(ConsoleCommandLine.Parse(["add", file, "-o", "downloads"]));
            var add = Assert.IsType<AddTorrentFile>(parsed.Command);
            Assert.Equal(new byte[] { 1, 2, 3 }, add.TorrentFile);
            Assert.Equal(Path.GetFullPath("downloads"), add.SavePath);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Add_sends_links_and_hashes_to_the_node_and_refuses_missing_files()
    {
        Assert.IsType<AddByLink>(((RemoteInvocation)ConsoleCommandLine.Parse(["add", "magnet:?xt=urn:btih:abc"])).Command);
        Assert.IsType<AddByLink>(((RemoteInvocation)ConsoleCommandLine.Parse(["add", new string('a', 40)])).Command);
        var e = Assert.Throws<ConsoleUsageException>(() => ConsoleCommandLine.Parse(["add", "/no/such/file.torrent"]));
        Assert.Equal("no such file: '/no/such/file.torrent'", e.Message);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("none", 0L)]
    [InlineData("1024", 1024L)]
    [InlineData("500k", 500L << 10)]
    [InlineData("1.5M", 3L << 19)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("5MB/s", 5L << 20)]
    public void Rates_accept_binary_suffixes(string text, long expected) => Assert.Equal(expected, ConsoleCommandLine.ParseRate(text));

    [Theory]
    [InlineData("fast")]
    [InlineData("-5")]
    [InlineData("5x")]
    [InlineData("")]
    [InlineData("99999999999G")]
    public void Bad_rates_are_refused(string text) => Assert.Throws<ConsoleUsageException>(() => ConsoleCommandLine.ParseRate(text));

    [Fact]
    public void Quotes_keep_spaces_and_unterminated_quotes_are_errors()
    {
        Assert.Equal(["show", "my file.iso", "--json"], ConsoleCommandLine.Tokenize("  show \"my file.iso\"   --json "));
        Assert.Equal(["add", "it's.torrent"], ConsoleCommandLine.Tokenize("add \"it's.torrent\""));
        Assert.Equal(["pause", ""], ConsoleCommandLine.Tokenize("pause ''"));
        Assert.Throws<ConsoleUsageException>(() => ConsoleCommandLine.Tokenize("show \"unfinished"));
    }

    [Fact]
    public void Help_lists_every_command_and_explains_one()
    {
        var all = ConsoleCommandLine.Help(null);
        Assert.All(ConsoleCommandLine.Commands, c => Assert.Contains(c.Usage, all));
        Assert.StartsWith("usage: remove TORRENT [--delete-data]", ConsoleCommandLine.Help("remove"));
        Assert.Contains("Did you mean 'watch'", Assert.Throws<ConsoleUsageException>(() => ConsoleCommandLine.Help("wach")).Message);
    }
}
