using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerClient;

/// <summary>The HTTP clients announces go out on. Redirects are not followed by the handler (the announcer follows
/// them under <see cref="TrackerRedirects"/>), bodies are not decompressed (no gzip bomb), response headers are capped,
/// and every connection is opened here: from the node's bound address (`--bind`, so a tracker records where we
/// listen) and, with <c>refuse-private-addresses</c>, only to public addresses (<see cref="TrackerAddresses"/>).</summary>
public static class TrackerHttp
{
    /// <summary>Largest response head accepted, in KiB (a tracker's is a few hundred bytes).</summary>
    private const int MaxResponseHeadersKiB = 16;

    // HttpClient pools connections and is meant to live for the process: one per source address and policy.
    private static readonly ConcurrentDictionary<(IPAddress? Source, bool RefuseLocal), HttpClient> Clients = new();

    /// <summary>The client for announces leaving from <paramref name="source"/> (null: the system picks), refusing
    /// local tracker addresses when <paramref name="refuseLocal"/>.</summary>
    public static HttpClient For(IPAddress? source, bool refuseLocal) => Clients.GetOrAdd((source, refuseLocal), k => Create(k.Source, k.RefuseLocal));

    private static HttpClient Create(IPAddress? source, bool refuseLocal) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxResponseHeadersLength = MaxResponseHeadersKiB,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, source, refuseLocal, ct),
    });

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint target, IPAddress? source, bool refuseLocal, CancellationToken ct)
    {
        // Only addresses of the source's family can be reached from it.
        var resolved = IPAddress.TryParse(target.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(target.Host, source?.AddressFamily ?? AddressFamily.Unspecified, ct).ConfigureAwait(false);
        if (source is not null)
        {
            resolved = [.. resolved.Where(a => a.AddressFamily == source.AddressFamily)];
        }

        var addresses = TrackerAddresses.Allowed(target.Host, resolved, refuseLocal);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        // Unbound: a dual-mode socket reaches IPv4 and IPv6 addresses alike, as SocketsHttpHandler's own connect does.
        var socket = source is null ? new Socket(SocketType.Stream, ProtocolType.Tcp) : OutgoingSockets.Tcp(source.AddressFamily, source);
        socket.NoDelay = true;
        try
        {
            await socket.ConnectAsync(addresses, target.Port, ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The tracker's own error when the connect refused its address, else <paramref name="e"/>.</summary>
    public static Exception Unwrap(HttpRequestException e) => e.InnerException as TrackerException ?? (Exception)e;
}
