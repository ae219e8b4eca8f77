using System.Net;
using System.Net.Sockets;

namespace Swarm.Protocol.Dht;

/// <summary>Which addresses the DHT accepts for nodes and peers. Loopback and private (LAN) addresses are bogus on the
/// public DHT (a hostile node could point lookups into our own network); they are accepted only for the address
/// classes of the configured bootstrap nodes, so a DHT on one machine or one LAN works.</summary>
public sealed record AddressRules(bool AllowLoopback, bool AllowPrivate)
{
    public static AddressRules Public { get; } = new(false, false);

    /// <summary>The rules for a DHT bootstrapped from <paramref name="bootstrap"/>: each one's class is allowed.</summary>
    public static AddressRules For(IEnumerable<IPAddress> bootstrap)
    {
        var list = bootstrap.Select(Plain).ToList();
        return new(list.Any(IPAddress.IsLoopback), list.Any(a => !IPAddress.IsLoopback(a) && IsLocal(a)));
    }

    /// <summary>Both rules' allowances.</summary>
    public AddressRules Union(AddressRules other) => new(AllowLoopback || other.AllowLoopback, AllowPrivate || other.AllowPrivate);

    /// <summary>Whether a node or peer at <paramref name="endPoint"/> may enter the table, a lookup or a torrent.</summary>
    public bool Accepts(IPEndPoint endPoint)
    {
        var a = Plain(endPoint.Address);
        if (endPoint.Port is 0 or > 65535 || a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || a.Equals(IPAddress.Broadcast) || IsMulticast(a))
        {
            return false;
        }

        if (IPAddress.IsLoopback(a))
        {
            return AllowLoopback;
        }

        return !IsLocal(a) || AllowPrivate;
    }

    /// <summary>Loopback, RFC 1918, CGNAT (100.64/10), link-local, IPv6 unique-local and site-local, 0/8.</summary>
    public static bool IsLocal(IPAddress address)
    {
        var a = Plain(address);
        if (IPAddress.IsLoopback(a))
        {
            return true;
        }

        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = a.GetAddressBytes();
            return b[0] == 10 || b[0] == 0 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xc0) == 64);
        }

        return a.IsIPv6LinkLocal || a.IsIPv6SiteLocal || a.IsIPv6UniqueLocal;
    }

    private static bool IsMulticast(IPAddress a) =>
        a.AddressFamily == AddressFamily.InterNetwork ? a.GetAddressBytes()[0] >= 224 : a.IsIPv6Multicast;

    private static IPAddress Plain(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
}
