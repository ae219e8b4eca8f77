namespace Swarm.Protocol;

/// <summary>The 20-byte SHA-1 of a torrent's info dictionary; the identity of a torrent on the wire.</summary>
public sealed class InfoHash : IEquatable<InfoHash>
{
    public const int Length = 20;
    private readonly byte[] _bytes;
    private string? _hex;

    public InfoHash(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"an info-hash is {Length} bytes, not {bytes.Length}", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    // Written on first read, not in the constructor: a tracker parses a hash per announce and rarely shows one. Two
    // threads racing here write equal strings.
    public string Hex => _hex ??= Convert.ToHexStringLower(_bytes);

    public ReadOnlySpan<byte> Span => _bytes;

    public static InfoHash Parse(string text)
    {
        if (TryParse(text, out var hash))
        {
            return hash;
        }

        throw new FormatException($"'{text}' is not an info-hash (40 hex digits or 32 base32 characters)");
    }

    public static bool TryParse(string? text, out InfoHash hash)
    {
        hash = null!;
        if (text is null)
        {
            return false;
        }

        if (text.Length == 40)
        {
            try
            {
                hash = new InfoHash(Convert.FromHexString(text));
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        if (text.Length == 32 && Base32.TryDecode(text, out var raw) && raw.Length == Length)
        {
            hash = new InfoHash(raw);
            return true;
        }

        return false;
    }

    public bool Equals(InfoHash? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is InfoHash h && Equals(h);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    public override string ToString() => Hex;
}

/// <summary>RFC 4648 base32 without padding, as used by magnet links.</summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static bool TryDecode(string text, out byte[] bytes)
    {
        var output = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var ch in text.TrimEnd('='))
        {
            var v = Alphabet.IndexOf(char.ToUpperInvariant(ch));
            if (v < 0)
            {
                bytes = [];
                return false;
            }

            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        bytes = [.. output];
        return true;
    }

    public static string Encode(ReadOnlySpan<byte> data)
    {
        var sb = new System.Text.StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                sb.Append(Alphabet[(buffer >> bits) & 31]);
            }

            buffer &= (1 << bits) - 1;
        }

        if (bits > 0)
        {
            sb.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return sb.ToString();
    }
}

/// <summary>BitTorrent v2 (BEP 52): the 32-byte SHA-256 of a torrent's info dictionary. The wire, trackers and DHT
/// carry its first 20 bytes (<see cref="Truncated"/>), which is also how a v2-only torrent is keyed here.</summary>
public sealed class InfoHashV2 : IEquatable<InfoHashV2>
{
    public const int Length = 32;
    private readonly byte[] _bytes;

    public InfoHashV2(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"a v2 info-hash is {Length} bytes, not {bytes.Length}", nameof(bytes));
        }

        _bytes = bytes.ToArray();
        Hex = Convert.ToHexStringLower(_bytes);
        Truncated = new InfoHash(_bytes.AsSpan(0, InfoHash.Length));
    }

    public string Hex { get; }

    public ReadOnlySpan<byte> Span => _bytes;

    /// <summary>The first 20 bytes: the hash in handshakes, tracker announces and DHT lookups.</summary>
    public InfoHash Truncated { get; }

    public static InfoHashV2 Of(ReadOnlySpan<byte> infoBytes) => new(System.Security.Cryptography.SHA256.HashData(infoBytes));

    public static bool TryParse(string? text, out InfoHashV2 hash)
    {
        hash = null!;
        if (text is not { Length: Length * 2 })
        {
            return false;
        }

        try
        {
            hash = new InfoHashV2(Convert.FromHexString(text));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public bool Equals(InfoHashV2? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => obj is InfoHashV2 h && Equals(h);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    public override string ToString() => Hex;
}
