using System.Globalization;
using System.Text;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>Bad console input (unknown command, missing argument, missing file): exit code 2.</summary>
internal sealed class ConsoleUsageException(string message) : Exception(message);

/// <summary>What one console line asks for.</summary>
internal abstract record Invocation(bool Json);

internal sealed record RemoteInvocation(IConsoleCommand Command, bool Json) : Invocation(Json);

internal sealed record WatchInvocation(string? Torrent, bool Json) : Invocation(Json);

internal sealed record HelpInvocation(string? Topic) : Invocation(false);

internal sealed record ExitInvocation() : Invocation(false);

/// <param name="TakesTorrent">Its first argument is a torrent (info-hash prefix or name): completed from the node.</param>
internal sealed record CommandSpec(string Name, string Usage, string Summary, bool TakesTorrent = false, bool ShellOnly = false);

/// <summary>Parses console lines (one-shot arguments or shell lines) into invocations. Pure: no I/O except reading the
/// .torrent file that `add` sends.</summary>
internal static class ConsoleCommandLine
{
    public static IReadOnlyList<CommandSpec> Commands { get; } =
    [
        new("status", "status [--json]", "The node: uptime, peer port, torrents, rates, journal, cluster role"),
        new("torrents", "torrents [--cluster] [--json]", "Every torrent: id, name, size, progress, state, rates, peers, replicas; --cluster: every member's"),
        new("add", "add FILE.torrent|MAGNET|INFO-HASH [-o DIR] [--json]", "Add a torrent (by info-hash: from a cluster member); DIR is a folder on the node"),
        new("pause", "pause TORRENT [--json]", "Stop transferring (state is kept across restarts)", TakesTorrent: true),
        new("resume", "resume TORRENT [--json]", "Start transferring again", TakesTorrent: true),
        new("remove", "remove TORRENT [--delete-data] [--json]", "Remove from the node; --delete-data also deletes its files", TakesTorrent: true),
        new("show", "show TORRENT [--json]", "Pieces, files, trackers and peers of one torrent", TakesTorrent: true),
        new("peers", "peers TORRENT [--json]", "Connected peers: client, rates, choke state", TakesTorrent: true),
        new("watch", "watch [TORRENT] [--json]", "Live progress and rates until a key or Ctrl-C", TakesTorrent: true),
        new("recheck", "recheck TORRENT [--json]", "Hash all data on disk again", TakesTorrent: true),
        new("limit", "limit [TORRENT] [--down RATE] [--up RATE] [--json]", "Show or set rate limits (node-wide without TORRENT); RATE like 500k, 5M, none", TakesTorrent: true),
        new("search", "search WORDS... [--json]", "Torrents of every member whose name or files contain all the words, most copies first"),
        new("cluster", "cluster [--json]", "Members: address, status, reachability, leader, torrents"),
        new("replicas", "replicas TORRENT [R] [--json]", "Complete copies across the cluster; R sets the replication factor (0 = default)"),
        new("dht", "dht [--json]", "The DHT: routing table per bucket, torrents announced, recent lookups"),
        new("log-level", "log-level debug|info|warning|error", "Change the node's log level at run time"),
        new("shutdown", "shutdown", "Stop the node cleanly"),
        new("help", "help [COMMAND]", "This list, or one command's usage"),
        new("exit", "exit", "Leave the shell (also quit, Ctrl-D)", ShellOnly: true),
    ];

    public static Invocation Parse(IReadOnlyList<string> tokens)
    {
        var json = tokens.Any(t => t == "--json");
        var args = tokens.Where(t => t != "--json").ToList();
        if (args.Count == 0)
        {
            throw new ConsoleUsageException("no command given; try 'help'");
        }

        var name = args[0].ToLowerInvariant();
        var rest = args.Skip(1).ToList();
        return name switch
        {
            "status" => Remote(new GetNodeStatus(), rest, 0),
            "torrents" or "list" or "ls" => rest.Remove("--cluster") ? Remote(new ListClusterTorrents(), rest, 0) : Remote(new ListNodeTorrents(), rest, 0),
            "cluster" => Remote(new GetCluster(), rest, 0),
            "dht" => Remote(new GetDht(), rest, 0),
            "search" or "find" => rest.Count > 0 ? new RemoteInvocation(new Search([.. rest]), json) : throw Usage("search"),
            "replicas" => ParseReplicas(rest, json),
            "add" => ParseAdd(rest, json),
            "pause" => Remote(new PauseTorrent(Torrent(name, rest)), rest, 1, json),
            "resume" => Remote(new ResumeTorrent(Torrent(name, rest)), rest, 1, json),
            "recheck" => Remote(new RecheckTorrent(Torrent(name, rest)), rest, 1, json),
            "show" => Remote(new ShowTorrent(Torrent(name, rest)), rest, 1, json),
            "peers" => Remote(new ListPeers(Torrent(name, rest)), rest, 1, json),
            "remove" or "rm" => ParseRemove(rest, json),
            "watch" => new WatchInvocation(Optional(name, rest), json),
            "limit" => ParseLimit(rest, json),
            "log-level" => rest.Count == 1 ? new RemoteInvocation(new SetLogLevel(rest[0]), json) : throw Usage(name),
            "shutdown" => Remote(new Shutdown(), rest, 0, json),
            "help" or "?" => new HelpInvocation(rest.FirstOrDefault()),
            "exit" or "quit" => new ExitInvocation(),
            _ => throw new ConsoleUsageException(Nearest(name) is { } near
                ? $"unknown command '{args[0]}'. Did you mean '{near}'?"
                : $"unknown command '{args[0]}'; try 'help'"),
        };

        RemoteInvocation Remote(IConsoleCommand command, List<string> extra, int expected, bool asJson = false)
        {
            if (extra.Count != expected)
            {
                throw Usage(name);
            }

            return new RemoteInvocation(command, json || asJson);
        }
    }

    public static string Help(string? topic)
    {
        if (topic is not null)
        {
            var spec = Commands.FirstOrDefault(c => c.Name.Equals(topic, StringComparison.OrdinalIgnoreCase));
            return spec is null
                ? throw new ConsoleUsageException($"no command '{topic}'{(Nearest(topic) is { } n ? $". Did you mean '{n}'?" : string.Empty)}")
                : $"usage: {spec.Usage}\n  {spec.Summary}";
        }

        var sb = new StringBuilder("commands (TORRENT = info-hash prefix or exact name):\n");
        var width = Commands.Max(c => c.Usage.Length);
        foreach (var c in Commands)
        {
            sb.Append("  ").Append(c.Usage.PadRight(width)).Append("  ").AppendLine(c.Summary);
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>The known command closest to <paramref name="name"/> (edit distance at most 2, or a unique prefix).</summary>
    public static string? Nearest(string name)
    {
        var lower = name.ToLowerInvariant();
        var prefixed = Commands.Where(c => c.Name.StartsWith(lower, StringComparison.Ordinal)).ToList();
        if (lower.Length > 0 && prefixed.Count == 1)
        {
            return prefixed[0].Name;
        }

        var best = Commands.Select(c => (c.Name, Distance: Levenshtein(lower, c.Name))).MinBy(x => x.Distance);
        return best.Distance <= Math.Max(2, lower.Length / 3) ? best.Name : null;
    }

    /// <summary>Splits a shell line into words; double or single quotes keep spaces (paths, names).</summary>
    public static List<string> Tokenize(string line)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var inToken = false;
        char? quote = null;
        foreach (var ch in line)
        {
            if (quote is { } q)
            {
                if (ch == q)
                {
                    quote = null;
                }
                else
                {
                    current.Append(ch);
                }
            }
            else if (ch is '"' or '\'')
            {
                quote = ch;
                inToken = true;
            }
            else if (char.IsWhiteSpace(ch))
            {
                if (inToken)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    inToken = false;
                }
            }
            else
            {
                current.Append(ch);
                inToken = true;
            }
        }

        if (quote is not null)
        {
            throw new ConsoleUsageException("unterminated quote");
        }

        if (inToken)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    /// <summary>Bytes per second: a number with an optional binary suffix (k, M, G; KiB, MB…), or none/unlimited/0.</summary>
    public static long ParseRate(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t is "none" or "unlimited" or "off" or "0")
        {
            return 0;
        }

        if (t.EndsWith("/s", StringComparison.Ordinal))
        {
            t = t[..^2];
        }

        var digits = t.TakeWhile(c => char.IsDigit(c) || c == '.').Count();
        var unit = t[digits..].Trim() switch
        {
            "" or "b" => 1L,
            "k" or "kb" or "kib" => 1L << 10,
            "m" or "mb" or "mib" => 1L << 20,
            "g" or "gb" or "gib" => 1L << 30,
            _ => 0L,
        };
        if (unit == 0 || !double.TryParse(t[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < 0 || value * unit > long.MaxValue / 2)
        {
            throw new ConsoleUsageException($"'{text}' is not a rate (e.g. 500k, 5M, 1.5G, none)");
        }

        return (long)(value * unit);
    }

    private static RemoteInvocation ParseAdd(List<string> rest, bool json)
    {
        string? output = null;
        var positional = new List<string>();
        for (var i = 0; i < rest.Count; i++)
        {
            if (rest[i] is "-o" or "--output")
            {
                output = i + 1 < rest.Count ? rest[++i] : throw new ConsoleUsageException("-o needs a folder");
            }
            else if (rest[i].StartsWith('-') && rest[i].Length > 1)
            {
                throw new ConsoleUsageException($"add: unknown option '{rest[i]}'");
            }
            else
            {
                positional.Add(rest[i]);
            }
        }

        if (positional.Count != 1)
        {
            throw Usage("add");
        }

        var source = positional[0];
        var savePath = output is null ? null : Path.GetFullPath(output);
        if (source.StartsWith("magnet:", StringComparison.OrdinalIgnoreCase) || (!File.Exists(source) && Protocol.InfoHash.TryParse(source, out _)))
        {
            return new RemoteInvocation(new AddByLink(source, savePath), json);
        }

        if (!File.Exists(source))
        {
            throw new ConsoleUsageException(Directory.Exists(source) ? $"'{source}' is a folder, not a .torrent file" : $"no such file: '{source}'");
        }

        return new RemoteInvocation(new AddTorrentFile(File.ReadAllBytes(source), savePath), json);
    }

    private static RemoteInvocation ParseReplicas(List<string> rest, bool json)
    {
        if (rest.Count is < 1 or > 2 || rest[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw Usage("replicas");
        }

        int? factor = null;
        if (rest.Count == 2)
        {
            factor = int.TryParse(rest[1], NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r <= 100
                ? r
                : throw new ConsoleUsageException($"replication factor '{rest[1]}' is not a number from 0 to 100");
        }

        return new RemoteInvocation(new Replicas(rest[0], factor), json);
    }

    private static RemoteInvocation ParseRemove(List<string> rest, bool json)
    {
        var delete = rest.Remove("--delete-data");
        var unknown = rest.FirstOrDefault(r => r.StartsWith("--", StringComparison.Ordinal));
        if (unknown is not null)
        {
            throw new ConsoleUsageException($"remove: unknown option '{unknown}'");
        }

        return rest.Count == 1 ? new RemoteInvocation(new RemoveNodeTorrent(rest[0], delete), json) : throw Usage("remove");
    }

    private static RemoteInvocation ParseLimit(List<string> rest, bool json)
    {
        long? down = null;
        long? up = null;
        string? torrent = null;
        for (var i = 0; i < rest.Count; i++)
        {
            switch (rest[i])
            {
                case "--down" or "-d":
                    down = ParseRate(i + 1 < rest.Count ? rest[++i] : throw new ConsoleUsageException("--down needs a rate"));
                    break;
                case "--up" or "-u":
                    up = ParseRate(i + 1 < rest.Count ? rest[++i] : throw new ConsoleUsageException("--up needs a rate"));
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal):
                    throw new ConsoleUsageException($"limit: unknown option '{option}'");
                default:
                    torrent = torrent is null ? rest[i] : throw Usage("limit");
                    break;
            }
        }

        return new RemoteInvocation(new SetLimits(torrent, down, up), json);
    }

    private static string Torrent(string command, List<string> rest) =>
        rest.Count >= 1 && !rest[0].StartsWith("--", StringComparison.Ordinal) ? rest[0] : throw Usage(command);

    private static string? Optional(string command, List<string> rest) => rest.Count switch
    {
        0 => null,
        1 => rest[0],
        _ => throw Usage(command),
    };

    private static ConsoleUsageException Usage(string command) =>
        new($"usage: {Commands.First(c => c.Name == command).Usage}");

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
