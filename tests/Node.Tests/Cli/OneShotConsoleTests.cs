using System.CommandLine.Invocation;
using Swarm.Node.Cli;
using Swarm.Node.Hosting;
using Xunit;

namespace Swarm.Node.Tests.Cli;

/// <summary>The one-shot console's fast path (issue 14) takes a line only when the full parser (the real command tree
/// of `swarm`) reads it the same way: the console (or search) command's action, no parse error, the same --node and --secret,
/// no --config, and the same console words.</summary>
public sealed class OneShotConsoleTests
{
    public static TheoryData<string> Taken =>
    [
        "console --node 127.0.0.1:4050 status",
        "console --node 127.0.0.1:4050 status --json",
        "console --secret s3cret --node localhost:4050 torrents --json",
        "console --node [::1]:4050 --secret s3cret torrents --cluster",
        "console --node 127.0.0.1:4050 show ab12cd34",
        "console --node 127.0.0.1:4050 add /tmp/a.torrent -o /tmp/out",
        "console --node 127.0.0.1:4050 add /tmp/a.torrent --output /tmp/out --json",
        "console --node 127.0.0.1:4050 limit ab12 --down 5M --up none",
        "console --node 127.0.0.1:4050 limit -d 5M -u 1k",
        "console --node 127.0.0.1:4050 remove ab12 --delete-data",
        "console --node 127.0.0.1:4050 search console node",
        "console --node 127.0.0.1:4050 help status",
        "console --node 127.0.0.1:4050 watch",
        "console --node 127.0.0.1:4050 statsu",
        "console status --node 127.0.0.1:4050",
        "console pause --node 10.0.0.5:4050 ab12",
        "search ubuntu --node 127.0.0.1:4050",
        "search --node 127.0.0.1:4050 ubuntu server --json",
        "search --secret s3cret ubuntu --node 127.0.0.1:4050",
    ];

    public static TheoryData<string> LeftToTheParser =>
    [
        "console --node 127.0.0.1:4050",
        "console status",
        "console --node 127.0.0.1:4050 --config a.conf status",
        "console --node=127.0.0.1:4050 status",
        "console --node:127.0.0.1:4050 status",
        "console --secret=s --node 127.0.0.1:4050 status",
        "console --node 127.0.0.1:4050 --node 127.0.0.1:4051 status",
        "console --node 127.0.0.1:4050 --secret a --secret b status",
        "console --node 127.0.0.1:4050 status --help",
        "console --node 127.0.0.1:4050 status -h",
        "console --node 127.0.0.1:4050 status -?",
        "console --node 127.0.0.1:4050 status /?",
        "console --node 127.0.0.1:4050 status /h",
        "console --node 127.0.0.1:4050 @more.rsp",
        "console --node 127.0.0.1:4050 -- status",
        "console --node --json status",
        "console --node 127.0.0.1:4050 --secret -s status",
        "console --node 127.0.0.1:4050 status --version",
        "console --node 127.0.0.1:4050 remove ab12 --delete",
        "console --node",
        "Console --node 127.0.0.1:4050 status",
        "search ubuntu",
        "search --node 127.0.0.1:4050",
        "search --node 127.0.0.1:4050 --json",
        "search --node 127.0.0.1:4050 ubuntu --help",
        "search --node=127.0.0.1:4050 ubuntu",
        "--help",
        "[diagram] console --node 127.0.0.1:4050 status",
    ];

    [Theory]
    [MemberData(nameof(Taken))]
    public void A_line_it_takes_is_the_console_action_of_the_full_parser_with_the_same_values(string line)
    {
        var args = line.Split(' ');
        var taken = OneShotConsole.Recognise(args);
        Assert.NotNull(taken);

        using var signals = StopSignals.Install();
        var parsed = Program.Root(args, signals).Parse(args);
        Assert.Empty(parsed.Errors);
        var command = args[0];
        Assert.Equal(command, parsed.CommandResult.Command.Name);
        Assert.IsAssignableFrom<AsynchronousCommandLineAction>(parsed.Action);
        Assert.Equal(parsed.GetValue<string?>("--node"), taken.Node);
        Assert.Equal(parsed.GetValue<string?>("--secret"), taken.Secret);
        Assert.Null(parsed.GetValue<string?>("--config"));
        // The words the command's action hands to the console (`search` prefixes its own name).
        Assert.Equal(command == "search" ? ["search", .. ConsoleCommand.CommandTokens(args, command)] : ConsoleCommand.CommandTokens(args, command), taken.Tokens);
        Assert.DoesNotContain("--node", taken.Tokens);
        Assert.DoesNotContain(taken.Node, taken.Tokens);
    }

    [Theory]
    [MemberData(nameof(LeftToTheParser))]
    public void Help_options_response_files_other_forms_and_repeats_are_left_to_the_full_parser(string line) =>
        Assert.Null(OneShotConsole.Recognise(line.Split(' ')));

    [Fact]
    public void The_console_words_keep_their_order_without_the_console_options() =>
        Assert.Equal(
            ["limit", "ab12", "--down", "5M", "--json"],
            OneShotConsole.Recognise(["console", "limit", "--secret", "s", "ab12", "--down", "5M", "--node", "127.0.0.1:1", "--json"])!.Tokens);
}
