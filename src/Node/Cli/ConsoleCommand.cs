using System.CommandLine;
using Swarm.Actors.Configuration;
using Swarm.Node.ConsoleClient;
using Swarm.Node.Hosting;

namespace Swarm.Node.Cli;

/// <summary>`swarm console [--node HOST:PORT] [--secret S] [COMMAND…]`: one command and exit, or the interactive shell.</summary>
internal static class ConsoleCommand
{
    private static readonly string[] OwnOptions = ["--node", "--secret", "--config"];

    /// <param name="localTried">The fast path (<see cref="OneShotConsole"/>) already asked the node's local socket and
    /// was turned away: the command goes on over remoting without sending it a second time (a refused request counts
    /// against the secret throttle).</param>
    public static Command Build(string[] rawArgs, StopSignals signals, bool localTried = false) => Connected(
        "console",
        "Drive a running node: status, torrents, add, pause, resume, remove, show, peers, watch, limit…",
        new Argument<string[]>("COMMAND") { Description = "A console command and its arguments; none opens the shell ('help' lists them)", Arity = ArgumentArity.ZeroOrMore },
        rawArgs,
        signals,
        tokens => tokens,
        localTried);

    /// <summary>`swarm search WORDS... [--node HOST:PORT] [--json]`: the console's search, as a command of its own.</summary>
    /// <param name="localTried">As for <see cref="Build"/>.</param>
    public static Command Search(string[] rawArgs, StopSignals signals, bool localTried = false) => Connected(
        "search",
        "Search the torrents of every cluster member (add one with `swarm console add INFO-HASH`)",
        new Argument<string[]>("WORDS") { Description = "Every word must appear in the name or a file name", Arity = ArgumentArity.OneOrMore },
        rawArgs,
        signals,
        tokens => ["search", .. tokens],
        localTried);

    /// <summary>A command that talks to a node's console: --node, --secret, --config, and its own words.</summary>
    private static Command Connected(string name, string description, Argument<string[]> words, string[] rawArgs, StopSignals signals, Func<List<string>, List<string>> invocation, bool localTried)
    {
        var node = new Option<string?>("--node") { Description = "The node's console, HOST:PORT (default: this machine's swarm.console port)" };
        var secret = new Option<string?>("--secret") { Description = $"Console secret, if the node requires one (prefer the {ConsoleSettings.SecretVariable} variable: arguments are visible to other users)" };
        var config = new Option<string?>("--config") { Description = "HOCON file layered over hocon/swarm.conf" };
        var cmd = new Command(name, description) { node, secret, config, words };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction((r, ct) => RunAsync(r.GetValue(node), r.GetValue(secret), r.GetValue(config), invocation(CommandTokens(rawArgs, name)), signals, localTried, ct));
        return cmd;
    }

    /// <summary>The console command's own words, in order: every raw argument after `console` except our options.
    /// (Its flags, like --json or --delete-data, are not System.CommandLine options.)</summary>
    internal static List<string> CommandTokens(string[] rawArgs, string command)
    {
        var tokens = new List<string>();
        var i = Array.IndexOf(rawArgs, command) + 1;
        for (; i < rawArgs.Length; i++)
        {
            var a = rawArgs[i];
            if (OwnOptions.Contains(a))
            {
                i++;
            }
            else if (!OwnOptions.Any(o => a.StartsWith(o + "=", StringComparison.Ordinal)))
            {
                tokens.Add(a);
            }
        }

        return tokens;
    }

    private static Task<int> RunAsync(string? nodeOption, string? secretOption, string? configFile, List<string> tokens, StopSignals signals, bool localTried, CancellationToken stop)
    {
        // Not async itself: a one-shot command through the local socket runs to its end without a single await.
        if (!localTried && nodeOption is not null && configFile is null && tokens.Count > 0 && Local(nodeOption, secretOption, tokens, signals, stop) is { } code)
        {
            return Task.FromResult(code);
        }

        return RemotingAsync(nodeOption, secretOption, configFile, tokens, signals, stop);
    }

    /// <summary>Footprint (issue 14): a one-shot command to a node of this user on this machine, through the node's
    /// local socket. Reads no configuration and starts no actor system (Akka is not even loaded), so it costs little
    /// more than the process start. Null when this way does not apply: another host, no socket, `watch` (live, so the
    /// shell's wire), or a refusal while no secret was given here (the configuration may hold one: the remoting way
    /// reads it and asks again; a refused command was not run).</summary>
    /// <param name="refusalIsFinal">The secret given is the configuration's: a refusal is rendered, not retried over remoting.</param>
    internal static int? Local(string target, string? secretOption, List<string> tokens, StopSignals signals, CancellationToken stop, bool refusalIsFinal = false)
    {
        Invocation invocation;
        try
        {
            invocation = ConsoleCommandLine.Parse(tokens);
        }
        catch (ConsoleUsageException)
        {
            // Reported the usual way, after the configuration is read.
            return null;
        }

        if (invocation is not RemoteInvocation command)
        {
            return null;
        }

        // As ConsoleSettings.EffectiveSecret reads it: an empty variable is no secret.
        var given = secretOption ?? (Environment.GetEnvironmentVariable(ConsoleSettings.SecretVariable) is { Length: > 0 } env ? env : null);
        using var link = LocalConsoleLink.TryConnect(target, given ?? string.Empty, stop);
        if (link is null)
        {
            return null;
        }

        try
        {
            // What ConsoleShell.RunAsync does for a remote invocation, so the output is the same by construction.
            var reply = link.Send(command.Command);
            return given is null && !refusalIsFinal && reply is Actors.ConsoleEndpoint.ConsoleMessages.Refused
                ? null
                : ConsoleRenderer.Render(reply, command.Json, Console.Out, Console.Error, TimeProvider.System.GetUtcNow().UtcDateTime);
        }
        catch (Exception e) when (e is ConsoleUsageException or NodeUnreachableException)
        {
            return Failed(e);
        }
        catch (OperationCanceledException) when (signals.Received is { } signal)
        {
            // Ctrl-C while the node works on it: the exit code a signal means, at once (the command may still run there).
            return StopSignals.ExitCodeFor(signal);
        }
    }

    private static async Task<int> RemotingAsync(string? nodeOption, string? secretOption, string? configFile, List<string> tokens, StopSignals signals, CancellationToken stop)
    {
        ConsoleSettings settings;
        TlsSettings? tls;
        Invocation? invocation = null;
        try
        {
            var config = SwarmConfiguration.Load(configFile, new Dictionary<string, string>());
            settings = SwarmSettings.From(config).Console;
            tls = TlsSettings.From(config);
            if (tokens.Count > 0)
            {
                invocation = ConsoleCommandLine.Parse(tokens);
                if (invocation is HelpInvocation h)
                {
                    Console.Out.WriteLine(ConsoleCommandLine.Help(h.Topic));
                    return ExitCodes.Ok;
                }
            }
        }
        catch (Exception e) when (e is ConsoleUsageException or FileNotFoundException or Akka.Configuration.ConfigurationException or ArgumentException)
        {
            Console.Error.WriteLine($"swarm: {e.Message}");
            return ExitCodes.InvalidInput;
        }

        var host = settings.Hostname is "0.0.0.0" or "::" ? "127.0.0.1" : settings.Hostname;
        var target = nodeOption ?? $"{host}:{settings.Port}";
        var secret = secretOption ?? settings.EffectiveSecret;
        // Footprint (issue 14): `swarm console status`, the local node named by the configuration, through its local
        // socket as with --node (whose line reached here only after the socket turned it away, or with --config, which
        // keeps remoting). The configuration's secret is the one remoting would present, so a refusal is final.
        if (nodeOption is null && configFile is null && invocation is not null && Local(target, secret, tokens, signals, stop, refusalIsFinal: true) is { } code)
        {
            return code;
        }

        try
        {
            await using var connection = await ConsoleConnection.ConnectAsync(target, secret, settings, tls);
            var shell = new ConsoleShell(connection, TimeSpan.FromSeconds(1));
            return invocation is null
                ? await shell.InteractiveAsync()
                : await shell.RunAsync(invocation, interactive: false, stop);
        }
        catch (Exception e) when (e is ConsoleUsageException or NodeUnreachableException)
        {
            return Failed(e);
        }
    }

    // Both wires end the same way: a usage error or an unreachable node is one line and its exit code.
    private static int Failed(Exception e)
    {
        Console.Error.WriteLine($"swarm: {e.Message}");
        return e is NodeUnreachableException ? ConsoleExitCodes.Unreachable : ExitCodes.InvalidInput;
    }
}
