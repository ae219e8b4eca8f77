using System.Net;
using System.Net.Sockets;

namespace Swarm.Protocol.Pex;

/// <summary>How much one connection may teach us through ut_pex.</summary>
/// <param name="MinInterval">Messages closer together than this are ignored (honest peers send one a minute).</param>
/// <param name="MaxPerConnection">Peers taken from one connection over its life.</param>
public sealed record PexIntakeLimits(TimeSpan MinInterval, int MaxPerConnection);

/// <summary>The rule for peers learnt from one connection's ut_pex messages: a rate limit on messages, a cap over the
/// connection's life, no addresses that cannot be peers (unspecified, multicast, broadcast), loopback only from a
/// loopback peer (a stranger must not steer our dials to our own machine), no seeds when we are a seed (two seeds have
/// nothing to trade), and peers the sender reached itself first.</summary>
public sealed record PexIntake
{
    public static PexIntake Empty { get; } = new();

    /// <summary>Peers taken from this connection so far.</summary>
    public int Learnt { get; private init; }

    /// <summary>Messages ignored for coming too soon or after the cap.</summary>
    public int Ignored { get; private init; }

    public DateTimeOffset? LastAccepted { get; private init; }

    public (PexIntake Next, IReadOnlyList<IPEndPoint> Peers) Take(PexMessage message, IPAddress sender, bool weAreSeed, DateTimeOffset now, PexIntakeLimits limits)
    {
        var room = limits.MaxPerConnection - Learnt;
        if (room <= 0 || (LastAccepted is { } last && now - last < limits.MinInterval))
        {
            return (this with { Ignored = Ignored + 1 }, []);
        }

        var senderLoopback = IPAddress.IsLoopback(Normal(sender));
        var peers = message.Added
            .Where(p => !(weAreSeed && p.Flags.HasFlag(PexFlags.Seed)))
            .Select(p => (EndPoint: new IPEndPoint(Normal(p.EndPoint.Address), p.EndPoint.Port), p.Flags))
            .Where(p => Dialable(p.EndPoint.Address, senderLoopback))
            .OrderByDescending(p => p.Flags.HasFlag(PexFlags.Reachable))
            .Select(p => p.EndPoint)
            .Distinct()
            .Take(room)
            .ToList();
        return (this with { Learnt = Learnt + peers.Count, LastAccepted = now }, peers);
    }

    private static IPAddress Normal(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;

    private static bool Dialable(IPAddress a, bool senderLoopback)
    {
        if (IPAddress.IsLoopback(a))
        {
            return senderLoopback;
        }

        if (a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || a.Equals(IPAddress.Broadcast))
        {
            return false;
        }

        return a.AddressFamily == AddressFamily.InterNetwork
            ? a.GetAddressBytes()[0] is < 224 and not 0 // not multicast (224/4) or reserved (240/4), not 0/8
            : !a.IsIPv6Multicast;
    }
}
