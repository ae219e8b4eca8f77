using System.Buffers;
using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace Swarm.Actors.Persistence;

/// <summary>JSON with short, stable manifests for journal and snapshot rows. Hyperion would write CLR type names,
/// which break when a type moves; these manifests are a contract with every journal already on disk.</summary>
public sealed class PersistedEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private static readonly Dictionary<string, Type> ByManifest = new(StringComparer.Ordinal)
    {
        ["ta1"] = typeof(TorrentAdded),
        ["tr1"] = typeof(TorrentRemoved),
        ["pv1"] = typeof(PiecesVerified),
        ["rc1"] = typeof(PiecesRechecked),
        ["tp1"] = typeof(TorrentPaused),
        ["tu1"] = typeof(TorrentResumed),
        ["ts1"] = typeof(TorrentSnapshot),
        ["cs1"] = typeof(CatalogSnapshot),
        ["rl1"] = typeof(RateLimitsChanged),
        ["ma1"] = typeof(MagnetAdded),
        ["fc1"] = typeof(TorrentFilesCreated),
    };

    private static readonly Dictionary<Type, string> ByType = ByManifest.ToDictionary(kv => kv.Value, kv => kv.Key);

    /// <summary>An entry whose info dictionary is at least this large is written through a buffer sized for it.</summary>
    private const int LargeEntryBytes = 256 * 1024;

    /// <summary>Room for an entry's other fields (trackers, paths, web seeds) beside its base64 bytes; more only grows
    /// the buffer once.</summary>
    private const int SpareBytes = 64 * 1024;

    public override int Identifier => 7001;

    public override string Manifest(object o) =>
        ByType.TryGetValue(o.GetType(), out var m) ? m : throw new ArgumentException($"{o.GetType()} is not a persisted event");

    public override byte[] ToBinary(object obj)
    {
        if (obj is not TorrentAdded added || added.InfoDictionary.Length < LargeEntryBytes)
        {
            return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), PersistedEventJson.Default);
        }

        // Issue 14 (piece count): the info dictionary of 262,144 pieces is 5 MiB, 7 MiB in base64. The default writer
        // grows its buffer by doubling (a seeder's heap after start held 8, 2 and 1 MiB of them, dead large objects
        // that only a full collection frees, which a download rarely runs); one buffer sized for the base64 writes it
        // once. Same bytes.
        var buffer = new ArrayBufferWriter<byte>(Base64Length(added.InfoDictionary) + Base64Length(added.PieceLayers) + SpareBytes);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, added, PersistedEventJson.Default.TorrentAdded);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static int Base64Length(byte[]? bytes) => bytes is null ? 0 : (bytes.Length + 2) / 3 * 4;

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!ByManifest.TryGetValue(manifest, out var type))
        {
            throw new SerializationException($"unknown journal manifest '{manifest}' (written by a newer version?)");
        }

        // Reflection, as before: the generated contract sets an init-only member a row lacks (web seeds, in rows written
        // before them) to null instead of leaving its initial value (tested).
        return JsonSerializer.Deserialize(bytes, type) ?? throw new SerializationException($"empty '{manifest}' row");
    }
}
