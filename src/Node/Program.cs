using System.CommandLine;
using Swarm.Node.Cli;
using Swarm.Node.Hosting;

namespace Swarm.Node;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var signals = StopSignals.Install();
        var root = new RootCommand("SwarmActors: a BitTorrent node built from Akka.NET actors")
        {
            TorrentCommands.Build(),
            TransferCommands.Get(signals),
            TransferCommands.Seed(signals),
            TransferCommands.Node(signals),
            ConsoleCommand.Build(args, signals),
            TrackerCommand.Build(),
            TlsCommands.Build(),
            ConsoleCommand.Search(args, signals),
        };
        var parsed = root.Parse(args);
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
}
