namespace Swarm.Node.Cli;

/// <summary>Footprint (issue 14): recognises the one-shot console lines, `swarm console --node HOST:PORT [--secret S]
/// COMMAND…` and `swarm search --node HOST:PORT WORDS…`, that System.CommandLine would hand to the command's action as
/// they are, so that <see cref="Program"/> can send them through the node's local socket without building the whole command tree (every
/// subcommand with its options: about 13 ms of a 40 ms budget). It answers only for lines it is sure of: `console` or
/// `search` first, `--node` and `--secret` at most once each with a plain value, and words that are no option of
/// System.CommandLine's (its help aliases, `--opt=value` and `--opt:value` forms, response files, `--`, --config) are
/// left to the full parser, which reads them as before. What runs is the console command's own local-socket path
/// (<see cref="ConsoleCommand.Local"/>) with the words <see cref="ConsoleCommand.CommandTokens"/> picks, so the output
/// and exit code are those of the full parser by construction.</summary>
internal static class OneShotConsole
{
    /// <summary>The console commands' own flags (not System.CommandLine options): they reach the command unchanged.</summary>
    private static readonly HashSet<string> CommandFlags = new(StringComparer.Ordinal)
    {
        "--json", "--cluster", "--delete-data", "-o", "--output", "--down", "-d", "--up", "-u",
    };

    /// <summary>System.CommandLine's help aliases that start with neither '-' nor '@' (it reads them anywhere).</summary>
    private static readonly HashSet<string> SlashHelp = new(StringComparer.Ordinal) { "/h", "/?" };

    /// <summary>A line the fast path takes: the node, the secret given on the command line, the console words.</summary>
    internal sealed record Line(string Node, string? Secret, List<string> Tokens);

    /// <summary>The line, or null when the full parser must read <paramref name="args"/>.</summary>
    public static Line? Recognise(string[] args)
    {
        if (args.Length < 2 || args[0] is not ("console" or "search"))
        {
            return null;
        }

        string? node = null;
        string? secret = null;
        var words = 0;
        var plain = 0;
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "--node" or "--secret")
            {
                var given = arg == "--node" ? node : secret;
                if (given is not null || i + 1 >= args.Length || !Plain(args[i + 1]))
                {
                    // Repeated (an error there), or a value the parser might read as something else.
                    return null;
                }

                if (arg == "--node")
                {
                    node = args[++i];
                }
                else
                {
                    secret = args[++i];
                }
            }
            else if (Plain(arg))
            {
                words++;
                plain++;
            }
            else if (CommandFlags.Contains(arg))
            {
                words++;
            }
            else
            {
                return null;
            }
        }

        if (node is null || words == 0)
        {
            return null;
        }

        // `swarm search WORDS…` is the console's `search WORDS…`; its parser wants at least one word that is no flag.
        return args[0] == "console"
            ? new Line(node, secret, ConsoleCommand.CommandTokens(args, "console"))
            : plain == 0 ? null : new Line(node, secret, ["search", .. ConsoleCommand.CommandTokens(args, "search")]);
    }

    /// <summary>A word the parser passes through as an argument: not empty, no option or response-file prefix, no
    /// help alias, not another console option.</summary>
    private static bool Plain(string arg) => arg.Length > 0 && arg[0] is not ('-' or '@') && !SlashHelp.Contains(arg);
}
