namespace Swarm.Node.Cli;

/// <summary>Exit codes scripts rely on.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The transfer or node failed at run time (data mismatch, disk error, port in use).</summary>
    public const int Failed = 1;

    /// <summary>Invalid input: a malformed torrent, a missing file, a bad argument.</summary>
    public const int InvalidInput = 2;
}
