using System.Net;
using System.Net.Sockets;

namespace Swarm.Node.Hosting;

/// <summary>Akka's DotNetty transport binds with SO_REUSEPORT on Linux, so a second node given the same cluster or
/// console port would start and silently share it with the first. The port is therefore tried first with a plain
/// socket, which fails as it should.</summary>
internal static class PortCheck
{
    public static void EnsureFree(IPAddress ip, int port, string what)
    {
        if (port == 0)
        {
            return;
        }

        using var probe = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(ip, port));
        }
        catch (SocketException e)
        {
            throw new IOException($"cannot listen for the {what} on {ip}:{port}: {e.Message}", e);
        }
    }
}
