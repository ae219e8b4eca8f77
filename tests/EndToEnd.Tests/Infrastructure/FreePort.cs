using System.Net;
using System.Net.Sockets;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>Hands out loopback ports that are free for both TCP and UDP (opentracker binds both).</summary>
public static class FreePort
{
    private static readonly HashSet<int> Issued = [];

    public static int Next()
    {
        lock (Issued)
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var port = BindTcpEphemeral();
                // The kernel may hand the same ephemeral port out again once it is released.
                if (Issued.Contains(port) || !UdpIsFree(port))
                {
                    continue;
                }

                Issued.Add(port);
                return port;
            }
        }

        throw new InvalidOperationException("No free loopback port found in 100 attempts.");
    }

    private static int BindTcpEphemeral()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static bool UdpIsFree(int port)
    {
        try
        {
            using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
