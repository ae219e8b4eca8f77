using System.CommandLine;
using Swarm.Node.Cli;

namespace Swarm.Node;

public static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("SwarmActors: a BitTorrent node built from Akka.NET actors")
        {
            TorrentCommands.Build(),
            TransferCommands.Get(),
            TransferCommands.Seed(),
            TransferCommands.Node(),
            ConsoleCommand.Build(args),
            TrackerCommand.Build(),
            ConsoleCommand.Search(args),
        };
        return root.Parse(args).InvokeAsync();
    }
}
