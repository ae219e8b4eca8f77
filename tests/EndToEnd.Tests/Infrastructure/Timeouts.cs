namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>Upper bounds for the waits in these tests; generous because the CI machine has two cores.</summary>
public static class Timeouts
{
    /// <summary>A process starting and, for a seeder, verifying a few MiB.</summary>
    public static readonly TimeSpan Start = TimeSpan.FromSeconds(60);

    /// <summary>A whole transfer of a few MiB; Transmission alone needs 10 s before it unchokes anyone.</summary>
    public static readonly TimeSpan Transfer = TimeSpan.FromSeconds(120);

    /// <summary>A process that has said it is done exiting on its own.</summary>
    public static readonly TimeSpan Exit = TimeSpan.FromSeconds(20);

    /// <summary>A command that must refuse its input without touching the network.</summary>
    public static readonly TimeSpan Reject = TimeSpan.FromSeconds(30);

    /// <summary>A peer's announce showing up at the tracker.</summary>
    public static readonly TimeSpan Announce = TimeSpan.FromSeconds(30);
}
