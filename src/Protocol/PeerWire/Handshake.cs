using System.Text;

namespace Swarm.Protocol.PeerWire;

/// <summary>The 68-byte BitTorrent handshake.</summary>
public sealed record Handshake(InfoHash InfoHash, byte[] PeerId, bool SupportsExtensions, bool SupportsFast)
{
    public const int Length = 68;
    private static readonly byte[] Protocol = Encoding.ASCII.GetBytes("BitTorrent protocol");

    public void Write(Span<byte> destination)
    {
        destination[0] = 19;
        Protocol.CopyTo(destination[1..]);
        var reserved = destination.Slice(20, 8);
        reserved.Clear();
        if (SupportsExtensions)
        {
            reserved[5] |= 0x10; // BEP 10
        }

        if (SupportsFast)
        {
            reserved[7] |= 0x04; // BEP 6
        }

        InfoHash.Span.CopyTo(destination[28..]);
        PeerId.CopyTo(destination[48..]);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        Write(bytes);
        return bytes;
    }

    public static Handshake Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < Length)
        {
            throw new PeerProtocolException($"handshake is {data.Length} bytes, expected {Length}");
        }

        if (data[0] != 19 || !data.Slice(1, 19).SequenceEqual(Protocol))
        {
            throw new PeerProtocolException("not a BitTorrent handshake");
        }

        var reserved = data.Slice(20, 8);
        return new Handshake(
            new InfoHash(data.Slice(28, 20)),
            data.Slice(48, 20).ToArray(),
            (reserved[5] & 0x10) != 0,
            (reserved[7] & 0x04) != 0);
    }

    /// <summary>Azureus-style peer id: -SA0100- followed by 12 random bytes.</summary>
    public static byte[] NewPeerId(string clientPrefix = "-SA0100-")
    {
        var id = new byte[20];
        Encoding.ASCII.GetBytes(clientPrefix).CopyTo(id, 0);
        const string alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for (var i = clientPrefix.Length; i < 20; i++)
        {
            id[i] = (byte)alphabet[Random.Shared.Next(alphabet.Length)];
        }

        return id;
    }

    /// <summary>A readable client name from an Azureus-style id ("-TR3000-" → "TR 3000"), else hex.</summary>
    public static string ClientName(ReadOnlySpan<byte> peerId)
    {
        if (peerId.Length == 20 && peerId[0] == '-' && peerId[7] == '-')
        {
            var code = Encoding.ASCII.GetString(peerId[1..3]);
            var version = Encoding.ASCII.GetString(peerId[3..7]);
            var name = code switch
            {
                "TR" => "Transmission",
                "LT" or "lt" => "libtorrent",
                "qB" => "qBittorrent",
                "AR" => "aria2",
                "SA" => "SwarmActors",
                "UT" => "µTorrent",
                "DE" => "Deluge",
                _ => code,
            };
            return $"{name} {version}";
        }

        if (peerId.Length >= 6 && peerId[0] == 'A' && peerId[1] == '2')
        {
            return "aria2";
        }

        return Convert.ToHexStringLower(peerId[..Math.Min(8, peerId.Length)]);
    }
}
