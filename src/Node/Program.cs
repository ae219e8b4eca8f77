using System.CommandLine;
using Swarm.Node.Cli;
using Swarm.Node.Hosting;

namespace Swarm.Node;

public static class Program
{
    /// <summary>Not async itself: an async Main's state machine holds the parser's types as fields, and loading it
    /// loaded System.CommandLine even for the one-shot console that never parses with it (issue 14).</summary>
    public static int Main(string[] args)
    {
        InterpretedDynamicCode.Apply(args);
        using var signals = StopSignals.Install();
        var localTried = false;
        if (OneShotConsole.Recognise(args) is { } oneShot)
        {
            // Footprint (issue 14): a one-shot console command to a node on this machine, before (and usually instead
            // of) building the command tree. Null: the local socket does not apply; the full parser takes it on.
            if (RunOneShot(oneShot, signals) is { } code)
            {
                return code;
            }

            localTried = true;
        }

        if (StartUpWarmUp.AppliesTo(args))
        {
            _ = StartUpWarmUp.Start();
        }

        return ParseAndRunAsync(args, signals, localTried).GetAwaiter().GetResult();
    }

    private static async Task<int> ParseAndRunAsync(string[] args, StopSignals signals, bool localTried)
    {
        var parsed = Root(args, signals, localTried).Parse(args);
        if (parsed.Action is not System.CommandLine.Invocation.AsynchronousCommandLineAction)
        {
            // Short synchronous work (torrent create, info, help): the runtime's default, a signal ends it at once.
            signals.Dispose();
            return await parsed.InvokeAsync();
        }

        // Signals are ours (StopSignals), not System.CommandLine's: its handler completes a task once per signal and
        // threw on the second one.
        var run = parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token);
        if (await Task.WhenAny(run, signals.Abandoned) == run)
        {
            return await run;
        }

        var signal = await signals.Abandoned;
        if (signals.Graceful)
        {
            Console.Error.WriteLine($"swarm: did not stop within {signals.Grace.TotalSeconds:0} s of {signal}; exiting anyway");
            return ExitCodes.Failed;
        }

        return StopSignals.ExitCodeFor(signal);
    }

    /// <summary>Every command of `swarm`. <paramref name="localTried"/>: see <see cref="ConsoleCommand.Build"/>.</summary>
    internal static RootCommand Root(string[] args, StopSignals signals, bool localTried = false) =>
        new("SwarmActors: a BitTorrent node built from Akka.NET actors")
        {
            TorrentCommands.Build(),
            TransferCommands.Get(signals),
            TransferCommands.Seed(signals),
            TransferCommands.Node(signals),
            ConsoleCommand.Build(args, signals, localTried),
            TrackerCommand.Build(),
            TlsCommands.Build(),
            ConsoleCommand.Search(args, signals, localTried),
        };

    /// <summary>The console command's local-socket path as its action would run it. An exception it does not handle
    /// itself ends as System.CommandLine's invocation ends one: "Unhandled exception: " and the exception on standard
    /// error, exit code 1.</summary>
    private static int? RunOneShot(OneShotConsole.Line line, StopSignals signals)
    {
        try
        {
            return ConsoleCommand.Local(line.Node, line.Secret, line.Tokens, signals, signals.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.Write("Unhandled exception: ");
            Console.Error.WriteLine(e);
            return ExitCodes.Failed;
        }
    }
}
