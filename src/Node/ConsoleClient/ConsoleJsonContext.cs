using System.Text.Json.Serialization;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>The `--json` output of every console reply, from serialization code generated at build time (issue 14):
/// the reflection-based serializer builds (and JIT-compiles) its metadata for a record the first time it writes one,
/// a cost a one-shot `--json` command paid on every run. Same options as <see cref="ConsoleRenderer.Json"/> (camelCase,
/// indented), so the same bytes; a reply type missing here is still written by the reflection-based serializer.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(Refused))]
[JsonSerializable(typeof(CommandFailed))]
[JsonSerializable(typeof(Done))]
[JsonSerializable(typeof(NodeStatus))]
[JsonSerializable(typeof(TorrentListing))]
[JsonSerializable(typeof(PeerListing))]
[JsonSerializable(typeof(TorrentDetailJson))]
[JsonSerializable(typeof(Limits))]
[JsonSerializable(typeof(SearchListing))]
[JsonSerializable(typeof(ClusterInfo))]
[JsonSerializable(typeof(ClusterTorrentListing))]
[JsonSerializable(typeof(ReplicaInfo))]
[JsonSerializable(typeof(DhtInfo))]
internal sealed partial class ConsoleJsonContext : JsonSerializerContext;
