using System.Globalization;
using CsCheck;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Protocol.Tests;

/// <summary>The one-pass announce query reader (<see cref="HttpTrackerServerCodec.ParseAnnounce(string?, int, int)"/>)
/// against the list-based parse it replaced, kept here as the reference: for any query built from the parameters a
/// tracker reads, unknown ones, repeats, percent-encoded keys, '+', broken escapes and non-ASCII, both give the same
/// announce or refuse it with the same reason.</summary>
public sealed class AnnounceQueryTests
{
    private static readonly string[] Keys =
    [
        "info_hash", "peer_id", "port", "numwant", "event", "uploaded", "downloaded", "left", "compact", "no_peer_id",
        "info%5Fhash", "peer%5fid", "por%74", "key", "ip", "supportcrypto", "x+y", "downloadedx", "%e9", "a%4", "",
    ];

    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.Byte.Array[20].Select(b => string.Concat(b.Select(x => $"%{x:X2}"))),
        Gen.Byte.Array[19].Select(b => string.Concat(b.Select(x => $"%{x:x2}")) + "a"),
        Gen.Byte.Array[0, 25].Select(b => string.Concat(b.Select(x => $"%{x:X2}"))),
        Gen.Long[-5, 70000].Select(n => n.ToString(CultureInfo.InvariantCulture)),
        Gen.Long.Select(n => n.ToString(CultureInfo.InvariantCulture)),
        Any("", "0", "1", "+1", "%2B7", "00000000000000000000000000000000000000000000000000000000000000000000000000042",
            "started", "stopped", "completed", "paused", "empty", "st%61rted", "boom", "%", "%4", "%g0", "é", "a+b", "9999999999999999999999"));

    private static readonly Gen<string> Query = Gen.Select(Any(Keys), Gen.Bool, Value)
        .Select((k, eq, v) => eq ? $"{k}={v}" : k).Array[0, 14]
        .Select(parts => "?" + string.Join('&', parts));

    private static readonly Gen<string> WellFormed = Gen.Select(Gen.Byte.Array[20], Gen.Byte.Array[20], Gen.Int[1, 65535], Query)
        .Select((h, p, port, rest) => $"?info_hash={Encode(h)}&peer_id={Encode(p)}&port={port}&" + rest[1..]);

    [Fact]
    public void Any_query_parses_as_the_list_based_parse_did()
    {
        Gen.OneOf(Query, WellFormed).Sample(query => Assert.Equal(Outcome(() => Reference.ParseAnnounce(query, 50, 200)), Outcome(() => HttpTrackerServerCodec.ParseAnnounce(query, 50, 200))), iter: 5000);
    }

    private static Gen<string> Any(params string[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static string Encode(byte[] bytes) => string.Concat(bytes.Select(x => $"%{x:X2}"));

    private static string Outcome(Func<TrackerAnnounce> parse)
    {
        try
        {
            var a = parse();
            return $"{a.InfoHash} {Convert.ToHexString(a.PeerId)} {a.Port} {a.Uploaded} {a.Downloaded} {a.Left} {a.Event} {a.NumWant} {a.Compact} {a.NoPeerId}";
        }
        catch (TrackerRequestException e)
        {
            return "refused: " + e.Message;
        }
    }

    /// <summary>The announce parse as it was before the one-pass reader, over the list of decoded pairs that scrape still
    /// reads (<see cref="HttpTrackerServerCodec.QueryPairs"/>).</summary>
    private static class Reference
    {
        public static TrackerAnnounce ParseAnnounce(string? rawQuery, int defaultNumWant, int maxNumWant)
        {
            var q = HttpTrackerServerCodec.QueryPairs(rawQuery);
            var hash = Single(q, "info_hash") ?? throw new TrackerRequestException("missing info_hash");
            if (hash.Length != InfoHash.Length)
            {
                throw new TrackerRequestException($"info_hash is {hash.Length} bytes, not 20");
            }

            var peerId = Single(q, "peer_id") ?? throw new TrackerRequestException("missing peer_id");
            if (peerId.Length != 20)
            {
                throw new TrackerRequestException($"peer_id is {peerId.Length} bytes, not 20");
            }

            var port = Number(q, "port") ?? throw new TrackerRequestException("missing port");
            if (port is < 1 or > 65535)
            {
                throw new TrackerRequestException($"port {port} is not a usable port");
            }

            var numWant = Number(q, "numwant") is { } n ? (int)Math.Clamp(n, 0, maxNumWant) : defaultNumWant;
            var ev = Text(q, "event") switch
            {
                null or "" or "empty" => AnnounceEvent.None,
                "started" => AnnounceEvent.Started,
                "completed" => AnnounceEvent.Completed,
                "stopped" => AnnounceEvent.Stopped,
                "paused" => AnnounceEvent.None, // BEP 21: a partial seed; it stays in the swarm
                var other => throw new TrackerRequestException($"unknown event '{other}'"),
            };
            return new TrackerAnnounce(
                new InfoHash(hash),
                peerId,
                (int)port,
                NonNegative(q, "uploaded"),
                NonNegative(q, "downloaded"),
                NonNegative(q, "left"),
                ev,
                numWant,
                Text(q, "compact") != "0",
                Text(q, "no_peer_id") == "1");
        }

        private static byte[]? Single(List<KeyValuePair<string, byte[]>> q, string key)
        {
            byte[]? found = null;
            foreach (var kv in q.Where(kv => kv.Key == key))
            {
                found = found is null ? kv.Value : throw new TrackerRequestException($"{key} given more than once");
            }

            return found;
        }

        private static string? Text(List<KeyValuePair<string, byte[]>> q, string key) =>
            Single(q, key) is { } v ? System.Text.Encoding.Latin1.GetString(v) : null;

        private static long? Number(List<KeyValuePair<string, byte[]>> q, string key)
        {
            var text = Text(q, key);
            if (text is null)
            {
                return null;
            }

            return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new TrackerRequestException($"{key} '{text}' is not a number");
        }

        private static long NonNegative(List<KeyValuePair<string, byte[]>> q, string key) =>
            Number(q, key) switch
            {
                null => 0,
                < 0 => throw new TrackerRequestException($"{key} is negative"),
                var n => n.Value,
            };
    }
}
