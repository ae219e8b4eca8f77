namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>Hands out loopback addresses other than 127.0.0.1 (all of 127.0.0.0/8 answers on Linux without setup), so
/// each peer of a test listens and dials from an address of its own: rTorrent ignores peers on its own address.</summary>
public static class LoopbackAddress
{
    private static int _last = 1;

    /// <summary>127.0.0.2, 127.0.0.3, … 127.0.0.254, then around again; tests run one at a time (see AssemblyInfo).</summary>
    public static string Next()
    {
        var next = Interlocked.Increment(ref _last);
        return $"127.0.0.{2 + ((next - 2) % 253)}";
    }
}
