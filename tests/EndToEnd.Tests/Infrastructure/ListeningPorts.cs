using System.Globalization;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>Whether a TCP port is in the LISTEN state, read from the kernel (/proc/net/tcp and tcp6) without connecting
/// to it: a probe connection would itself be a peer that the process under test has to deal with.</summary>
public static class ListeningPorts
{
    private const string ListenState = "0A";

    public static bool IsListening(int port) =>
        new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists).SelectMany(File.ReadLines).Skip(1).Any(line =>
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 3
                && fields[3] == ListenState
                && int.Parse(fields[1][(fields[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == port;
        });

    /// <summary>Waits until <paramref name="port"/> listens, while <paramref name="process"/> runs.</summary>
    public static Task UntilListeningAsync(int port, ManagedProcess process, TimeSpan timeout) =>
        Poll.UntilAsync<bool?>(
            () => Task.FromResult<bool?>(process.HasExited ? throw new InvalidOperationException($"{process} exited before port {port} listened") : IsListening(port)),
            listening => listening == true,
            timeout,
            TimeSpan.FromMilliseconds(50),
            _ => $"port {port} did not listen within {timeout.TotalSeconds:F0}s");
}
