namespace Swarm.Protocol.Metainfo;

/// <param name="Path">Path components below the torrent's root (for a single-file torrent, just its name), sanitized
/// and made unique as libtorrent makes them: no component is empty, ".", ".." or holds a separator.</param>
/// <param name="Offset">Byte offset of the file within the torrent's concatenated content.</param>
/// <param name="IsPadding">A BEP 47 padding file: zeros that exist only to align the next file; never written to disk.</param>
public sealed record TorrentFile(IReadOnlyList<string> Path, long Length, long Offset, bool IsPadding)
{
    public string JoinedPath => string.Join('/', Path);

    /// <summary>For a symbolic link (BEP 47 attribute 'l'; its length is 0): the path, below the torrent's root, of
    /// the file or folder of this torrent it points to (itself when the torrent named no valid target). Null for
    /// any other file.</summary>
    public IReadOnlyList<string>? SymlinkTarget { get; init; }

    public bool IsSymlink => SymlinkTarget is not null;
}

public sealed record TorrentMetainfo(
    InfoHash InfoHash,
    string Name,
    int PieceLength,
    ReadOnlyMemory<byte> PieceHashes,
    IReadOnlyList<TorrentFile> Files,
    bool IsMultiFile,
    IReadOnlyList<IReadOnlyList<string>> TrackerTiers,
    bool IsPrivate,
    DateTimeOffset? CreationDate,
    string? Comment,
    string? CreatedBy,
    byte[] InfoBytes)
{
    public int PieceCount => V2 is { IsHybrid: false } ? (int)((TotalLength + PieceLength - 1) / PieceLength) : PieceHashes.Length / 20;

    public long TotalLength => Files.Count == 0 ? 0 : Files[^1].Offset + Files[^1].Length;

    public IEnumerable<string> Trackers => TrackerTiers.SelectMany(t => t).Distinct(StringComparer.Ordinal);

    public int PieceSize(int piece) =>
        piece == PieceCount - 1 ? (int)(TotalLength - ((long)piece * PieceLength)) : PieceLength;

    public ReadOnlySpan<byte> PieceHash(int piece) => PieceHashes.Span.Slice(piece * 20, 20);

    // BitTorrent v2 / hybrid (BEP 52): the v2 half of a torrent, null for v1 torrents. A v2-only torrent has no
    // PieceHashes; its InfoHash is the truncated v2 hash, the one the wire and trackers use.
    public TorrentV2? V2 { get; init; }

    /// <summary>1, 2 or "hybrid", as `torrent info --json` reports it.</summary>
    public object Version => V2 switch
    {
        null => 1,
        { IsHybrid: true } => "hybrid",
        _ => 2,
    };

    // issue 17, web seeds (BEP 19)

    /// <summary>The usable http/https URLs of the torrent's `url-list` (see <see cref="Swarm.Protocol.WebSeeds.UrlList"/>).</summary>
    public IReadOnlyList<string> WebSeeds { get; init; } = [];

    /// <summary>Why each unusable `url-list` entry was left out (logged when the torrent starts).</summary>
    public IReadOnlyList<string> WebSeedsDropped { get; init; } = [];
}
