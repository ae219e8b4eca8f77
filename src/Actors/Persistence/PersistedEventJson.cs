using System.Text.Json.Serialization;

namespace Swarm.Actors.Persistence;

/// <summary>Start-up (issue 14): the journal rows' JSON contracts for writing, generated at build time. The reflection-based
/// serializer built each type's contract at its first row, emitting IL for its accessors: the catalog entry of every
/// `get` (≈ 40 ms of CPU on the path to its first peer) and the first <see cref="PiecesVerified"/> mid-transfer. Default
/// options, as <see cref="PersistedEventSerializer"/> used before: the rows are byte for byte the same (tested). Metadata
/// only: the generated fast path wrote a null <see cref="TorrentAdded.PieceLayers"/> as "" where the journal has null.</summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(TorrentAdded))]
[JsonSerializable(typeof(TorrentRemoved))]
[JsonSerializable(typeof(PiecesVerified))]
[JsonSerializable(typeof(PiecesRechecked))]
[JsonSerializable(typeof(TorrentPaused))]
[JsonSerializable(typeof(TorrentResumed))]
[JsonSerializable(typeof(TorrentSnapshot))]
[JsonSerializable(typeof(CatalogSnapshot))]
[JsonSerializable(typeof(RateLimitsChanged))]
[JsonSerializable(typeof(MagnetAdded))]
[JsonSerializable(typeof(TorrentFilesCreated))]
public sealed partial class PersistedEventJson : JsonSerializerContext;
