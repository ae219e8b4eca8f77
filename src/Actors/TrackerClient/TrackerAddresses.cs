using System.Net;
using System.Net.Sockets;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerClient;

/// <summary>Which tracker addresses an announce may connect to: with <c>swarm.tracker.refuse-private-addresses</c> on,
/// none that is loopback, private, link-local or otherwise local, so that a torrent (or a tracker's redirect) cannot
/// make the node send requests into the network it runs in. Checked on the addresses a host name resolved to, at
/// connect time, so a name that resolves differently later is caught too.</summary>
public static class TrackerAddresses
{
    /// <summary>Loopback (127/8, ::1), "this network" (0/8, ::; Linux connects 0.0.0.0 to itself), RFC 1918 private,
    /// carrier-grade NAT (100.64/10), link-local (169.254/16, fe80::/10), IPv6 unique-local (fc00::/7) and
    /// site-local (fec0::/10), multicast and broadcast; a v4-mapped IPv6 address is judged as its IPv4 address.</summary>
    public static bool IsLocal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] is 0 or 10 or 127 or >= 224
                || (b[0] == 100 && (b[1] & 0xC0) == 64)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && (b[1] & 0xF0) == 16)
                || (b[0] == 192 && b[1] == 168);
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return IPAddress.IsLoopback(address)
                || address.Equals(IPAddress.IPv6None)
                || address.IsIPv6LinkLocal
                || address.IsIPv6SiteLocal
                || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC;
        }

        return true; // neither IPv4 nor IPv6: nothing an announce should reach
    }

    /// <summary>The addresses an announce to <paramref name="host"/> may connect to: all of them, or with
    /// <paramref name="refuseLocal"/> only the public ones; a tracker error when none is left.</summary>
    public static IPAddress[] Allowed(string host, IPAddress[] resolved, bool refuseLocal)
    {
        if (!refuseLocal)
        {
            return resolved;
        }

        var allowed = resolved.Where(a => !IsLocal(a)).ToArray();
        return allowed.Length > 0 || resolved.Length == 0
            ? allowed
            : throw new TrackerException($"tracker host {host} resolves to a local address ({resolved[0]}), refused by swarm.tracker.refuse-private-addresses");
    }
}
