using System.Text.Json;
using Akka.Configuration;
using Swarm.Actors.Persistence;
using Swarm.Protocol.Mse;

namespace Swarm.Node.Hosting;

/// <summary>Start-up (issue 14): one-time initialisations that a `get`, `seed` or `node` meets on its main thread or on
/// its path to the first peer, done first on the spare core while the main thread parses the command line, loads the
/// torrent and builds the host. Each is a type's static state or a shared cache, so the owner later finds it done (or
/// waits for it on the type's initialisation lock instead of doing it twice). Best effort: what fails here is done,
/// and reported, again by its owner.</summary>
internal static class StartUpWarmUp
{
    /// <summary>The commands that run a node in this process.</summary>
    public static bool AppliesTo(IReadOnlyList<string> args) => args.Count > 0 && args[0] is "get" or "seed" or "node";

    /// <summary>Starts the warm-up on the thread pool and returns at once.</summary>
    public static Task Start() => Task.Run(Run);

    internal static void Run()
    {
        Try(static () =>
        {
            // Akka's HOCON reads every duration through a Regex built with RegexOptions.Compiled: in `seed` and `node`
            // its IL is emitted and compiled optimised at the first GetTimeSpan, ≈ 40 ms that SwarmSettings.From spent
            // on the main thread before the peer port was bound (`get` interprets it: InterpretedDynamicCode).
            _ = ConfigurationFactory.ParseString("warm-up = 1s").GetTimeSpan("warm-up");
        });
        Try(static () =>
        {
            // MSE (encryption prefer, the default): the first dial parses the 768-bit prime and runs BigInteger's
            // modular exponentiation between connect() and its first byte.
            _ = DiffieHellman.FromPrivateKey([2]).PublicKey;
        });
        Try(static () =>
        {
            // The catalog journals a new torrent before starting it: its first row builds the entry's JSON contract.
            _ = JsonSerializer.SerializeToUtf8Bytes(new TorrentAdded("", "", [], [], "", false, false), PersistedEventJson.Default.TorrentAdded);
        });
    }

    private static void Try(Action warm)
    {
        try
        {
            warm();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort (see the class).
        }
    }
}
