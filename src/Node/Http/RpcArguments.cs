using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Swarm.Node.Http;

/// <summary>Reading a Transmission request's arguments as clients send them: snake_case or the classic names, numbers
/// where strings were meant and the other way round, and the several shapes of "ids".</summary>
public static class RpcArguments
{
    /// <summary>The arguments with snake_case keys also under their classic name: kebab-case for session keys
    /// (speed_limit_down → speed-limit-down) and camelCase for torrent keys (download_limit → downloadLimit).</summary>
    public static JsonObject Normalize(JsonObject args)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in args)
        {
            copy[key] = value?.DeepClone();
        }

        foreach (var (key, value) in args.Where(p => p.Key.Contains('_', StringComparison.Ordinal)).ToList())
        {
            copy.TryAdd(key.Replace('_', '-'), value?.DeepClone());
            copy.TryAdd(TransmissionFields.Canonical(key), value?.DeepClone());
        }

        return copy;
    }

    public static bool? Bool(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => Number(node) != 0,
        JsonValueKind.String => node.GetValue<string>() is "true" or "1",
        _ => null,
    };

    public static long? Long(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.Number => (long)Number(node),
        JsonValueKind.String => long.TryParse(node.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new RpcException($"'{node.GetValue<string>()}' is not a number"),
        _ => null,
    };

    /// <summary>A JSON number as sent (parsed) or as built in code (an int, a long), read the same way.</summary>
    private static double Number(JsonNode node) => double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    public static string? String(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    /// <summary>What an "ids" argument selects.</summary>
    public abstract record IdSelection;

    public sealed record AllTorrents : IdSelection;

    public sealed record RecentlyActive : IdSelection;

    /// <param name="Ids">Numeric ids.</param>
    /// <param name="Hashes">Info-hashes (40 hex digits), lower-case.</param>
    public sealed record Listed(IReadOnlyList<int> Ids, IReadOnlyList<string> Hashes) : IdSelection;

    public static IdSelection Ids(JsonNode? node)
    {
        switch (node?.GetValueKind())
        {
            case null or JsonValueKind.Null:
                return new AllTorrents();
            case JsonValueKind.String when node.GetValue<string>() == "recently-active" || node.GetValue<string>() == "recently_active":
                return new RecentlyActive();
            case JsonValueKind.Array:
                var ids = new List<int>();
                var hashes = new List<string>();
                foreach (var item in node.AsArray())
                {
                    Add(item, ids, hashes);
                }

                return new Listed(ids, hashes);
            default:
                var one = new List<int>();
                var hash = new List<string>();
                Add(node, one, hash);
                return new Listed(one, hash);
        }
    }

    private static void Add(JsonNode? item, List<int> ids, List<string> hashes)
    {
        switch (item?.GetValueKind())
        {
            case JsonValueKind.Number:
                ids.Add((int)Number(item));
                break;
            case JsonValueKind.String:
                var s = item.GetValue<string>();
                if (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    ids.Add(id);
                }
                else if (Protocol.InfoHash.TryParse(s, out var h))
                {
                    hashes.Add(h.Hex);
                }
                else
                {
                    throw new RpcException($"'{s}' is neither a torrent id nor an info-hash");
                }

                break;
            default:
                throw new RpcException("ids must be numbers, info-hashes or \"recently-active\"");
        }
    }
}
