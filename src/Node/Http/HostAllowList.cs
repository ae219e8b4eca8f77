using System.Net;

namespace Swarm.Node.Http;

/// <summary>Which Host headers the HTTP surface answers, so that a web page on another site cannot drive the node by
/// DNS rebinding (a name of the attacker's resolving to 127.0.0.1): the bind address, the loopback names, and the
/// names configured in swarm.rpc.allowed-hosts. On a wildcard bind any IP literal is accepted too (rebinding needs a
/// name; the machine's addresses are not all known here).</summary>
public sealed class HostAllowList
{
    private static readonly string[] Loopback = ["localhost", "127.0.0.1", "::1"];

    private readonly HashSet<string> _names;
    private readonly bool _anyAddress;

    public HostAllowList(IPAddress bind, IEnumerable<string> configured)
    {
        _anyAddress = bind.Equals(IPAddress.Any) || bind.Equals(IPAddress.IPv6Any);
        _names = new HashSet<string>(Loopback.Concat(configured.Select(Normalize)), StringComparer.OrdinalIgnoreCase);
        if (!_anyAddress)
        {
            _names.Add(bind.ToString());
        }
    }

    /// <summary>Whether a request with this Host header (host, host:port, [v6]:port; null when absent) is answered.</summary>
    public bool Allows(string? hostHeader)
    {
        if (HostOf(hostHeader) is not { Length: > 0 } host)
        {
            return false;
        }

        return _names.Contains(host) || (_anyAddress && IPAddress.TryParse(host, out _));
    }

    /// <summary>The host part of a Host header, without port or IPv6 brackets, lower-case and without a trailing dot;
    /// null when it is not a host.</summary>
    public static string? HostOf(string? hostHeader)
    {
        if (string.IsNullOrWhiteSpace(hostHeader))
        {
            return null;
        }

        var h = hostHeader.Trim();
        if (h.StartsWith('['))
        {
            var close = h.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }

            var rest = h[(close + 1)..];
            return rest.Length == 0 || (rest[0] == ':' && IsPort(rest[1..])) ? Normalize(h[1..close]) : null;
        }

        var colon = h.LastIndexOf(':');
        if (colon >= 0)
        {
            if (h.IndexOf(':', StringComparison.Ordinal) != colon || !IsPort(h[(colon + 1)..]))
            {
                return null; // a bare IPv6 address without brackets, or a bad port
            }

            h = h[..colon];
        }

        return Normalize(h);
    }

    private static bool IsPort(string s) => s.Length is > 0 and <= 5 && s.All(char.IsAsciiDigit);

    private static string Normalize(string host) => host.Trim().TrimEnd('.').Trim('[', ']').ToLowerInvariant();
}
