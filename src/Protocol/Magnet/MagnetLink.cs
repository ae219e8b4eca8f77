using System.Net;
using System.Text;

namespace Swarm.Protocol.Magnet;

/// <summary>A BEP 9 magnet URI: xt=urn:btih (hex or base32), xt=urn:btmh (BEP 52 v2: a SHA-256 multihash), dn, tr,
/// x.pe. <see cref="InfoHash"/> is the hash the swarm is found and joined by: the v1 hash, or for a v2-only link the
/// truncated v2 hash, as libtorrent uses it.</summary>
public sealed record MagnetLink(InfoHash InfoHash, string? DisplayName, IReadOnlyList<string> Trackers, IReadOnlyList<string> Peers)
{
    /// <summary>The multihash prefix of a SHA-256 digest (code 0x12, 32 bytes): the only v2 `btmh` there is.</summary>
    private const string Sha256Multihash = "1220";

    /// <summary>The full v2 info-hash when the link names one (v2-only or hybrid).</summary>
    public InfoHashV2? InfoHashV2 { get; init; }

    /// <summary>A link naming only a v2 hash: printed without a btih, which other clients would take for a v1 hash.</summary>
    public bool IsV2Only => InfoHashV2 is { } v2 && v2.Truncated.Equals(InfoHash) && !HasV1;

    private bool HasV1 { get; init; }

    public static MagnetLink Parse(string uri)
    {
        if (!uri.StartsWith("magnet:?", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException("not a magnet link: it must start with 'magnet:?'");
        }

        InfoHash? hash = null;
        InfoHashV2? v2 = null;
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
                case "xt" when value.StartsWith("urn:btmh:", StringComparison.OrdinalIgnoreCase):
                    var multihash = value[9..];
                    if (!multihash.StartsWith(Sha256Multihash, StringComparison.Ordinal) || !Protocol.InfoHashV2.TryParse(multihash[Sha256Multihash.Length..], out var h2))
                    {
                        throw new FormatException($"magnet link: '{multihash}' is not a SHA-256 multihash ('1220' and 64 hex digits)");
                    }

                    v2 = h2;
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

        if (hash is null && v2 is null)
        {
            throw new FormatException("magnet link has no 'xt=urn:btih:' or 'xt=urn:btmh:' info-hash");
        }

        return new MagnetLink(hash ?? v2!.Truncated, name, trackers, peers) { InfoHashV2 = v2, HasV1 = hash is not null };
    }

    public override string ToString()
    {
        var sb = new StringBuilder("magnet:?");
        if (!IsV2Only)
        {
            sb.Append("xt=urn:btih:").Append(InfoHash.Hex);
        }

        if (InfoHashV2 is { } v2)
        {
            sb.Append(IsV2Only ? string.Empty : "&").Append("xt=urn:btmh:").Append(Sha256Multihash).Append(v2.Hex);
        }

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
