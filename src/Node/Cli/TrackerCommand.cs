using System.CommandLine;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Configuration;
using Swarm.Node.Hosting;

namespace Swarm.Node.Cli;

/// <summary>`swarm tracker [--http-port N] [--udp-port N] [--bind IP]`: the embedded tracker on its own.</summary>
internal static class TrackerCommand
{
    public static Command Build()
    {
        var config = new Option<string?>("--config") { Description = "HOCON file layered over hocon/swarm.conf" };
        var http = new Option<int?>("--http-port") { Description = "HTTP announce port (0 = any free port, -1 = no HTTP; default swarm.tracker-server.http-port)" };
        var udp = new Option<int?>("--udp-port") { Description = "UDP announce port (BEP 15; 0 = any free port, -1 = no UDP)" };
        var bind = new Option<string?>("--bind") { Description = "Address to listen on (default 127.0.0.1)" };
        var cmd = new Command("tracker", "Run the embedded BitTorrent tracker (HTTP and UDP announce, scrape)") { config, http, udp, bind };
        cmd.SetAction((r, ct) => RunAsync(r.GetValue(config), r.GetValue(http), r.GetValue(udp), r.GetValue(bind)));
        return cmd;
    }

    private static async Task<int> RunAsync(string? configFile, int? httpPort, int? udpPort, string? bind)
    {
        Config config;
        TrackerServerSettings settings;
        try
        {
            var overrides = new Dictionary<string, string>();
            if (bind is not null)
            {
                overrides["swarm.tracker-server.bind-address"] = SwarmConfiguration.Quote(bind);
            }

            config = SwarmConfiguration.Load(configFile, overrides);
            settings = SwarmSettings.From(config).TrackerServer;
        }
        catch (Exception e) when (e is FileNotFoundException or ConfigurationException)
        {
            Console.Error.WriteLine($"swarm: {e.Message}");
            return ExitCodes.InvalidInput;
        }

        using var loggers = LoggerFactory.Create(b => b.UseSwarmConsole());
        var systemConfig = ConfigurationFactory.ParseString("""akka.loggers = ["Swarm.Node.Hosting.AkkaLogBridge, swarm"]""").WithFallback(config);
        var system = ActorSystem.Create("swarm-tracker", ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(systemConfig), new LoggerFactorySetup(loggers)));
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stopped.TrySetResult();
        });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            c.Cancel = true;
            stopped.TrySetResult();
        });
        try
        {
            // The tracker reads time from the clock it is given (expiry, probation, connection ids): the system clock here.
            await using var tracker = await TrackerHost.StartAsync(system, settings, httpPort ?? settings.HttpPort, udpPort ?? settings.UdpPort, loggers, TimeProvider.System);
            Print(tracker);
            await stopped.Task;
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            Console.Error.WriteLine($"swarm: {e.Message}");
            return e is IOException ? ExitCodes.Failed : ExitCodes.InvalidInput;
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>`http URL` and `udp URL` on stdout, once each front end accepts announces.</summary>
    public static void Print(TrackerHost tracker)
    {
        if (tracker.HttpAnnounceUrl is { } h)
        {
            Console.Out.WriteLine($"http {h}");
        }

        if (tracker.UdpAnnounceUrl is { } u)
        {
            Console.Out.WriteLine($"udp {u}");
        }

        Console.Out.Flush();
    }
}
