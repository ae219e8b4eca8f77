using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Swarm.Actors;

/// <summary>Sockets that leave from the node's bound address (`--bind`), so a tracker or peer records the address we
/// listen on and not whichever one the routing table picks: rTorrent, which binds its own address, can only reach
/// a seeder that announced from where it listens. A null source leaves the choice to the system.</summary>
public static class OutgoingSockets
{
    // HttpClient pools connections and is meant to live for the process: one per source address.
    private static readonly ConcurrentDictionary<IPAddress, HttpClient> HttpClients = new();

    /// <summary>A TCP socket for <paramref name="family"/>, bound to <paramref name="source"/> (port 0) when that
    /// address is of the same family; connect it next.</summary>
    public static Socket Tcp(AddressFamily family, IPAddress? source)
    {
        var socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            BindTo(socket, source);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A UDP client for <paramref name="family"/>, bound to <paramref name="source"/> when that address is
    /// of the same family.</summary>
    public static UdpClient Udp(AddressFamily family, IPAddress? source) =>
        source is not null && source.AddressFamily == family ? new UdpClient(new IPEndPoint(source, 0)) : new UdpClient(family);

    /// <summary>An HTTP client whose connections leave from <paramref name="source"/>; the same client for the same
    /// address, and <paramref name="unbound"/> when there is no source address.</summary>
    public static HttpClient Http(IPAddress? source, HttpClient unbound) =>
        source is null ? unbound : HttpClients.GetOrAdd(source, CreateHttp);

    private static void BindTo(Socket socket, IPAddress? source)
    {
        if (source is not null && source.AddressFamily == socket.AddressFamily)
        {
            socket.Bind(new IPEndPoint(source, 0));
        }
    }

    private static HttpClient CreateHttp(IPAddress source) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, ct) =>
        {
            // Only addresses of the source's family can be reached from it.
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, source.AddressFamily, ct).ConfigureAwait(false);
            if (addresses.Length == 0)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }

            var socket = Tcp(source.AddressFamily, source);
            socket.NoDelay = true; // as SocketsHttpHandler's own connect does
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}
