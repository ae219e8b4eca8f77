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

    public override int Identifier => 7001;

    public override string Manifest(object o) =>
        ByType.TryGetValue(o.GetType(), out var m) ? m : throw new ArgumentException($"{o.GetType()} is not a persisted event");

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType());

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!ByManifest.TryGetValue(manifest, out var type))
        {
            throw new SerializationException($"unknown journal manifest '{manifest}' (written by a newer version?)");
        }

        return JsonSerializer.Deserialize(bytes, type) ?? throw new SerializationException($"empty '{manifest}' row");
    }
}
