using System.Globalization;
using System.Text;

namespace Swarm.Protocol.Trackers;

/// <summary>Reads an HTTP announce's query string in one pass over its characters: each parameter the tracker uses is
/// located, and only those are percent-decoded, into stack room (the peer id into the one array the announce keeps).
/// The tracker's HTTP rate is decided per request, and a list of decoded pairs with a string and an array each was
/// most of the parse's cost. The rules are <see cref="HttpTrackerServerCodec.ParseAnnounce(string?, int, int)"/>'s:
/// every key and value must be well-formed percent-encoded ASCII (unknown ones too), a parameter it uses may appear
/// once, keys are compared after decoding ('+' is a space).</summary>
internal static class AnnounceQuery
{
    // The parameters read, in the order their absence or repetition is reported.
    private static readonly byte[][] Keys =
    [
        "info_hash"u8.ToArray(), "peer_id"u8.ToArray(), "port"u8.ToArray(), "numwant"u8.ToArray(), "event"u8.ToArray(),
        "uploaded"u8.ToArray(), "downloaded"u8.ToArray(), "left"u8.ToArray(), "compact"u8.ToArray(), "no_peer_id"u8.ToArray(),
    ];

    private const int InfoHashKey = 0;
    private const int PeerIdKey = 1;
    private const int PortKey = 2;
    private const int NumWantKey = 3;
    private const int EventKey = 4;
    private const int UploadedKey = 5;
    private const int DownloadedKey = 6;
    private const int LeftKey = 7;
    private const int CompactKey = 8;
    private const int NoPeerIdKey = 9;

    // Longest key compared: "downloaded". A longer key is checked for well-formedness and otherwise skipped.
    private const int MaxKeyLength = 10;

    // Stack room for a decoded number, event or flag; a longer one (leading zeros, say) is decoded into an array.
    private const int ValueRoom = 64;

    public static TrackerAnnounce Parse(ReadOnlySpan<char> query, int defaultNumWant, int maxNumWant)
    {
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }

        if (query.Length > HttpTrackerServerCodec.MaxQueryLength)
        {
            throw new TrackerRequestException($"query string longer than {HttpTrackerServerCodec.MaxQueryLength} bytes");
        }

        // Where each parameter's (still encoded) value starts and ends; -1 = absent. A second occurrence is kept as
        // "twice" and reported when that parameter is read, as the list-based parse did.
        Span<int> start = stackalloc int[Keys.Length];
        Span<int> end = stackalloc int[Keys.Length];
        Span<bool> twice = stackalloc bool[Keys.Length];
        start.Fill(-1);
        Span<byte> key = stackalloc byte[MaxKeyLength];
        var at = 0;
        while (at < query.Length)
        {
            var length = query[at..].IndexOf('&');
            length = length < 0 ? query.Length - at : length;
            var part = query.Slice(at, length);
            if (!part.IsEmpty)
            {
                var eq = part.IndexOf('=');
                var keyLength = Decode(eq < 0 ? part : part[..eq], key);
                var valueStart = eq < 0 ? at + length : at + eq + 1;
                Decode(query[valueStart..(at + length)], []);
                var which = keyLength <= MaxKeyLength ? Known(key[..keyLength]) : -1;
                if (which >= 0)
                {
                    twice[which] |= start[which] >= 0;
                    start[which] = valueStart;
                    end[which] = at + length;
                }
            }

            at += length + 1;
        }

        ReadOnlySpan<char> Value(int which, ReadOnlySpan<char> query, Span<int> start, Span<int> end, Span<bool> twice) =>
            twice[which] ? throw new TrackerRequestException($"{Name(which)} given more than once") : query[start[which]..end[which]];

        if (start[InfoHashKey] < 0)
        {
            throw new TrackerRequestException("missing info_hash");
        }

        Span<byte> hash = stackalloc byte[InfoHash.Length];
        var hashLength = Decode(Value(InfoHashKey, query, start, end, twice), hash);
        if (hashLength != InfoHash.Length)
        {
            throw new TrackerRequestException($"info_hash is {hashLength} bytes, not 20");
        }

        if (start[PeerIdKey] < 0)
        {
            throw new TrackerRequestException("missing peer_id");
        }

        var peerId = new byte[20];
        var peerIdLength = Decode(Value(PeerIdKey, query, start, end, twice), peerId);
        if (peerIdLength != 20)
        {
            throw new TrackerRequestException($"peer_id is {peerIdLength} bytes, not 20");
        }

        var port = Number(PortKey, query, start, end, twice) ?? throw new TrackerRequestException("missing port");
        if (port is < 1 or > 65535)
        {
            throw new TrackerRequestException($"port {port} is not a usable port");
        }

        var numWant = Number(NumWantKey, query, start, end, twice) is { } n ? (int)Math.Clamp(n, 0, maxNumWant) : defaultNumWant;
        var ev = AnnounceEvent.None;
        if (start[EventKey] >= 0)
        {
            var encoded = Value(EventKey, query, start, end, twice);
            Span<byte> text = encoded.Length <= ValueRoom ? stackalloc byte[ValueRoom] : new byte[encoded.Length];
            var textLength = Decode(encoded, text);
            ev = text[..textLength] switch
            {
                [] => AnnounceEvent.None,
                var t when t.SequenceEqual("empty"u8) || t.SequenceEqual("paused"u8) => AnnounceEvent.None, // paused: BEP 21, a partial seed stays in the swarm
                var t when t.SequenceEqual("started"u8) => AnnounceEvent.Started,
                var t when t.SequenceEqual("completed"u8) => AnnounceEvent.Completed,
                var t when t.SequenceEqual("stopped"u8) => AnnounceEvent.Stopped,
                _ => (AnnounceEvent)(-1),
            };
            if ((int)ev < 0)
            {
                throw new TrackerRequestException($"unknown event '{Text(encoded)}'");
            }
        }

        var uploaded = NonNegative(UploadedKey, query, start, end, twice);
        var downloaded = NonNegative(DownloadedKey, query, start, end, twice);
        var left = NonNegative(LeftKey, query, start, end, twice);
        var compact = start[CompactKey] < 0 || !Is(Value(CompactKey, query, start, end, twice), "0"u8);
        var noPeerId = start[NoPeerIdKey] >= 0 && Is(Value(NoPeerIdKey, query, start, end, twice), "1"u8);
        return new TrackerAnnounce(new InfoHash(hash), peerId, (int)port, uploaded, downloaded, left, ev, numWant, compact, noPeerId);

        long? Number(int which, ReadOnlySpan<char> query, Span<int> start, Span<int> end, Span<bool> twice)
        {
            if (start[which] < 0)
            {
                return null;
            }

            var encoded = Value(which, query, start, end, twice);
            Span<byte> text = encoded.Length <= ValueRoom ? stackalloc byte[ValueRoom] : new byte[encoded.Length];
            var length = Decode(encoded, text);
            return long.TryParse(text[..length], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw new TrackerRequestException($"{Name(which)} '{Text(encoded)}' is not a number");
        }

        long NonNegative(int which, ReadOnlySpan<char> query, Span<int> start, Span<int> end, Span<bool> twice) =>
            Number(which, query, start, end, twice) switch
            {
                null => 0,
                < 0 => throw new TrackerRequestException($"{Name(which)} is negative"),
                var v => v.Value,
            };
    }

    private static int Known(ReadOnlySpan<byte> key)
    {
        for (var i = 0; i < Keys.Length; i++)
        {
            if (key.SequenceEqual(Keys[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Name(int which) => Encoding.ASCII.GetString(Keys[which]);

    private static bool Is(ReadOnlySpan<char> encoded, ReadOnlySpan<byte> expected)
    {
        Span<byte> text = stackalloc byte[8];
        var length = Decode(encoded, text);
        return length == expected.Length && text[..length].SequenceEqual(expected);
    }

    // The decoded value as the error message shows it (Latin-1, as the list-based parse did).
    private static string Text(ReadOnlySpan<char> encoded)
    {
        var bytes = new byte[Decode(encoded, [])];
        Decode(encoded, bytes);
        return Encoding.Latin1.GetString(bytes);
    }

    /// <summary>Percent-decodes <paramref name="s"/> (%XX to the byte, '+' to a space, other ASCII as itself) into
    /// <paramref name="into"/> as far as it has room, and returns the decoded length; a broken escape or a non-ASCII
    /// character is refused wherever it is.</summary>
    public static int Decode(ReadOnlySpan<char> s, Span<byte> into)
    {
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            byte b;
            if (c == '%')
            {
                if (i + 2 >= s.Length || Hex(s[i + 1]) is not (>= 0 and var high) || Hex(s[i + 2]) is not (>= 0 and var low))
                {
                    throw new TrackerRequestException("malformed percent-encoding in the query string");
                }

                b = (byte)((high << 4) | low);
                i += 2;
            }
            else if (c > 0x7f)
            {
                throw new TrackerRequestException("non-ASCII character in the query string");
            }
            else
            {
                b = c == '+' ? (byte)' ' : (byte)c;
            }

            if (n < into.Length)
            {
                into[n] = b;
            }

            n++;
        }

        return n;
    }

    private static int Hex(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
