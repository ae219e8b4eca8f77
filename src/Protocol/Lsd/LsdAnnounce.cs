using System.Globalization;
using System.Text;

namespace Swarm.Protocol.Lsd;

/// <summary>A BEP 14 local service discovery announce: an HTTP-like BT-SEARCH datagram naming the sender's peer port,
/// one or more info-hashes and a cookie (so a node can recognise its own announces, which multicast loops back).
/// Decoding is strict about size and shape and returns null for anything else: a datagram is dropped, never answered.</summary>
public sealed record LsdAnnounce(int Port, IReadOnlyList<InfoHash> InfoHashes, string? Cookie)
{
    private const string RequestLine = "BT-SEARCH * HTTP/1.1";

    /// <summary>The datagram, addressed (Host header) to <paramref name="host"/>, e.g. "239.192.152.143:6771".</summary>
    public byte[] Encode(string host)
    {
        var sb = new StringBuilder();
        sb.Append(RequestLine).Append("\r\n");
        sb.Append("Host: ").Append(host).Append("\r\n");
        sb.Append("Port: ").Append(Port.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (var hash in InfoHashes)
        {
            sb.Append("Infohash: ").Append(hash.Hex).Append("\r\n");
        }

        if (Cookie is not null)
        {
            sb.Append("cookie: ").Append(Cookie).Append("\r\n");
        }

        sb.Append("\r\n\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    /// <summary>Parses a datagram of at most <paramref name="maxLength"/> bytes, keeping at most
    /// <paramref name="maxInfoHashes"/> distinct info-hashes; null when it is not a valid BT-SEARCH announce (wrong
    /// request line, no valid port, no valid info-hash, too long, not ASCII).</summary>
    public static LsdAnnounce? Decode(ReadOnlySpan<byte> datagram, int maxLength, int maxInfoHashes)
    {
        if (datagram.Length > maxLength || datagram.IndexOfAnyExceptInRange((byte)0, (byte)127) >= 0)
        {
            return null;
        }

        var lines = Encoding.ASCII.GetString(datagram).Split("\r\n");
        if (lines.Length < 2 || lines[0] != RequestLine)
        {
            return null;
        }

        int? port = null;
        string? cookie = null;
        var hashes = new List<InfoHash>();
        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue; // the blank lines that end it
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Port", StringComparison.OrdinalIgnoreCase))
            {
                port = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536 ? p : null;
            }
            else if (name.Equals("Infohash", StringComparison.OrdinalIgnoreCase))
            {
                if (value.Length == 40 && InfoHash.TryParse(value, out var hash) && hashes.Count < maxInfoHashes && !hashes.Contains(hash))
                {
                    hashes.Add(hash);
                }
            }
            else if (name.Equals("cookie", StringComparison.OrdinalIgnoreCase))
            {
                cookie = value;
            }
        }

        return port is { } valid && hashes.Count > 0 ? new LsdAnnounce(valid, hashes, cookie) : null;
    }
}
