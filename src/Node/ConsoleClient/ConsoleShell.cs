using Swarm.Node.Cli;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>Runs console invocations against one node: a single one (`swarm console COMMAND…`) or an interactive
/// shell reading lines from the terminal (with editing, history, completion) or from redirected standard input.</summary>
/// <param name="clock">This console's clock (the system's unless a test gives one).</param>
internal sealed class ConsoleShell(IConsoleLink connection, TimeSpan watchInterval, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private IReadOnlyList<TorrentSummary> _known = [];
    private DateTimeOffset _knownAt = DateTimeOffset.MinValue;

    /// <summary>Runs one invocation and returns its exit code.</summary>
    public async Task<int> RunAsync(Invocation invocation, bool interactive, CancellationToken stop)
    {
        switch (invocation)
        {
            case HelpInvocation h:
                Console.Out.WriteLine(ConsoleCommandLine.Help(h.Topic));
                return ExitCodes.Ok;
            case ExitInvocation:
                return ExitCodes.Ok;
            case WatchInvocation w:
                return await WatchView.RunAsync(connection, w.Torrent, w.Json, watchInterval, keysStop: interactive, _clock, stop).ConfigureAwait(false);
            case RemoteInvocation r:
                var reply = await connection.SendAsync(r.Command).ConfigureAwait(false);
                if (reply is TorrentListing listing)
                {
                    Remember(listing.Torrents);
                }

                return ConsoleRenderer.Render(reply, r.Json, Console.Out, Console.Error, _clock.GetUtcNow().UtcDateTime);
            default:
                throw new InvalidOperationException($"unhandled invocation {invocation}");
        }
    }

    /// <summary>The shell: returns 0 at `exit` or end of input, or the code of a refused or lost connection.</summary>
    public async Task<int> InteractiveAsync()
    {
        var terminal = !Console.IsInputRedirected && !Console.IsOutputRedirected;
        var greeting = await connection.SendAsync(new GetNodeStatus()).ConfigureAwait(false);
        if (greeting is not NodeStatus status)
        {
            return ConsoleRenderer.Render(greeting, false, Console.Out, Console.Error, _clock.GetUtcNow().UtcDateTime);
        }

        LineEditor? editor = null;
        if (terminal)
        {
            Console.Out.WriteLine($"connected to node {status.NodeId[..8]} at {connection.Target} ({status.Torrents} torrent(s)); 'help' lists commands, 'exit' leaves");
            editor = new LineEditor(HistoryFile(), Complete);
        }

        var prompt = $"swarm {connection.Target}> ";
        while (true)
        {
            string? line;
            if (editor is not null)
            {
                Console.TreatControlCAsInput = true;
                line = editor.ReadLine(prompt);
            }
            else
            {
                line = await Console.In.ReadLineAsync().ConfigureAwait(false);
            }

            if (line is null)
            {
                return ExitCodes.Ok;
            }

            List<string> tokens;
            Invocation invocation;
            try
            {
                tokens = ConsoleCommandLine.Tokenize(line);
                if (tokens.Count == 0 || tokens[0].StartsWith('#'))
                {
                    continue;
                }

                invocation = ConsoleCommandLine.Parse(tokens);
            }
            catch (ConsoleUsageException e)
            {
                Console.Error.WriteLine($"swarm: {e.Message}");
                continue;
            }

            if (invocation is ExitInvocation)
            {
                return ExitCodes.Ok;
            }

            try
            {
                // In the shell, Ctrl-C arrives as a key: it stops `watch` like any other key.
                if (await RunAsync(invocation, terminal, CancellationToken.None).ConfigureAwait(false) == ConsoleExitCodes.Refused)
                {
                    return ConsoleExitCodes.Refused;
                }
            }
            catch (NodeUnreachableException e)
            {
                Console.Error.WriteLine($"swarm: {e.Message}");
            }
            catch (ConsoleUsageException e)
            {
                Console.Error.WriteLine($"swarm: {e.Message}");
            }
        }
    }

    private void Remember(IReadOnlyList<TorrentSummary> torrents)
    {
        _known = torrents;
        _knownAt = _clock.GetUtcNow();
    }

    /// <summary>Tab completion: command names first, then torrents (info-hash prefixes and names) or, for `add`, paths.</summary>
    private IReadOnlyList<string> Complete(string line, int cursor)
    {
        var before = line[..cursor];
        var words = before.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var atNewWord = before.Length == 0 || before.EndsWith(' ');
        var index = atNewWord ? words.Length : words.Length - 1;
        if (index == 0)
        {
            return [.. ConsoleCommandLine.Commands.Select(c => c.Name)];
        }

        var command = ConsoleCommandLine.Commands.FirstOrDefault(c => c.Name == words[0].ToLowerInvariant());
        if (command is null)
        {
            return [];
        }

        if (command.Name == "add")
        {
            return Paths(atNewWord ? string.Empty : words[^1]);
        }

        if (command.Name == "help")
        {
            return [.. ConsoleCommandLine.Commands.Select(c => c.Name)];
        }

        if (!command.TakesTorrent || index != 1)
        {
            return [];
        }

        if (_clock.GetUtcNow() - _knownAt > TimeSpan.FromSeconds(3))
        {
            try
            {
                if (connection.SendAsync(new ListNodeTorrents()).GetAwaiter().GetResult() is TorrentListing l)
                {
                    Remember(l.Torrents);
                }
            }
            catch (NodeUnreachableException)
            {
            }
        }

        return [.. _known.Select(t => t.InfoHash[..8]), .. _known.Where(t => !t.Name.Contains(' ', StringComparison.Ordinal)).Select(t => t.Name)];
    }

    private static IReadOnlyList<string> Paths(string partial)
    {
        try
        {
            var dir = Path.GetDirectoryName(partial);
            var folder = string.IsNullOrEmpty(dir) ? "." : dir;
            if (!Directory.Exists(folder))
            {
                return [];
            }

            return [.. Directory.EnumerateFileSystemEntries(folder)
                .Where(p => Directory.Exists(p) || p.EndsWith(".torrent", StringComparison.OrdinalIgnoreCase))
                .Select(p => (string.IsNullOrEmpty(dir) ? Path.GetFileName(p) : Path.Combine(dir, Path.GetFileName(p))) + (Directory.Exists(p) ? "/" : string.Empty))
                .Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string HistoryFile() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "swarm", "console-history");
}
