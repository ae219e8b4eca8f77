using Akka.Actor;
using Akka.Configuration;

#pragma warning disable CA1050 // The runtime finds a startup hook by this exact name, outside any namespace.

/// <summary>A foreign actor system: plain Akka remoting, no certificate, nothing of swarm's. The tests run it inside a
/// network namespace as a child process (`dotnet exec` of this assembly with DOTNET_STARTUP_HOOKS naming it, since a
/// thread of the test process cannot move its sockets into a namespace). It sends Identify to every actor path in
/// SWARM_FOREIGN_PATHS and prints "identified PATH" or "unanswered PATH" for each, then exits.</summary>
internal static class StartupHook
{
    public const string PathsVariable = "SWARM_FOREIGN_PATHS";
    public const string HostVariable = "SWARM_FOREIGN_HOST";

    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(PathsVariable) is not { Length: > 0 } paths)
        {
            return;
        }

        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp {
              hostname = "{{Environment.GetEnvironmentVariable(HostVariable) ?? "127.0.0.1"}}"
              port = 0
            }
            """);
        using var system = ActorSystem.Create("foreign", config);
        foreach (var path in paths.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            ActorIdentity? identity = null;
            try
            {
                identity = system.ActorSelection(path).Ask<ActorIdentity>(new Identify(path), TimeSpan.FromSeconds(15)).GetAwaiter().GetResult();
            }
            catch (AskTimeoutException)
            {
            }

            Console.Out.WriteLine($"{(identity?.Subject is null ? "unanswered" : "identified")} {path}");
            Console.Out.Flush();
        }

        system.Terminate().Wait(TimeSpan.FromSeconds(5));
        Environment.Exit(0);
    }
}
