using System.Net;
using System.Text;

namespace Swarm.Protocol.Magnet;

/// <summary>A BEP 9 magnet URI: xt=urn:btih (hex or base32), dn, tr, x.pe.</summary>
public sealed record MagnetLink(InfoHash InfoHash, string? DisplayName, IReadOnlyList<string> Trackers, IReadOnlyList<string> Peers)
{
    public static MagnetLink Parse(string uri)
    {
        if (!uri.StartsWith("magnet:?", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException("not a magnet link: it must start with 'magnet:?'");
        }

        InfoHash? hash = null;
        string? name = null;
        var trackers = new List<string>();
        var peers = new List<string>();
        foreach (var part in uri[8..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var key = part[..eq];
            var value = Uri.UnescapeDataString(part[(eq + 1)..].Replace('+', ' '));
            switch (key)
            {
                case "xt" when value.StartsWith("urn:btih:", StringComparison.OrdinalIgnoreCase):
                    if (!InfoHash.TryParse(value[9..], out var h))
                    {
                        throw new FormatException($"magnet link: '{value[9..]}' is not a 40-hex or 32-base32 info-hash");
                    }

                    hash = h;
                    break;
                case "dn":
                    name = value;
                    break;
                case "tr":
                    trackers.Add(value);
                    break;
                case "x.pe":
                    peers.Add(value);
                    break;
            }
        }

        if (hash is null)
        {
            throw new FormatException("magnet link has no 'xt=urn:btih:' info-hash (v2-only magnets are not supported)");
        }

        return new MagnetLink(hash, name, trackers, peers);
    }

    public override string ToString()
    {
        var sb = new StringBuilder("magnet:?xt=urn:btih:").Append(InfoHash.Hex);
        if (DisplayName is not null)
        {
            sb.Append("&dn=").Append(Uri.EscapeDataString(DisplayName));
        }

        foreach (var t in Trackers)
        {
            sb.Append("&tr=").Append(Uri.EscapeDataString(t));
        }

        foreach (var p in Peers)
        {
            sb.Append("&x.pe=").Append(Uri.EscapeDataString(p));
        }

        return sb.ToString();
    }

    public IEnumerable<IPEndPoint> PeerEndPoints() =>
        Peers.Select(p => IPEndPoint.TryParse(p, out var ep) ? ep : null).OfType<IPEndPoint>();
}
