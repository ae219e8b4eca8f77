using System.Security.Cryptography;
using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Metainfo;

/// <param name="CreationDate">Written as `creation date`; left out when null (this library reads no clock: the caller
/// passes its own time).</param>
public sealed record TorrentBuildOptions(
    IReadOnlyList<string> Trackers,
    int? PieceLength = null,
    bool IsPrivate = false,
    string? Comment = null,
    string CreatedBy = "SwarmActors",
    DateTimeOffset? CreationDate = null)
{
    /// <summary>Issue 17: BEP 19 web seeds, written as `url-list`: a string for one URL, a list for several (as
    /// mktorrent's -w writes them).</summary>
    public IReadOnlyList<string> WebSeeds { get; init; } = [];
}

/// <summary>A file of a torrent being created: its path inside the torrent (one component per folder level) and its
/// length.</summary>
public sealed record TorrentBuildFile(IReadOnlyList<string> Path, long Length);

/// <summary>Encodes v1 metainfo from what its creator found and hashed: the name, the files in torrent order and the
/// piece hashes. Reading files from disk is the creator's job; the result matches mktorrent's info dictionary for the
/// same files in the same order.</summary>
public static class TorrentBuilder
{
    public const int HashLength = 20;

    /// <summary>The torrent's metainfo.</summary>
    /// <param name="files">The content's files in torrent order. A single-file torrent has exactly one.</param>
    /// <param name="isFolder">A folder torrent (a `files` list); otherwise one file and its `length`.</param>
    /// <param name="pieceHashes">The SHA-1 of each piece of the files' concatenated content, one after the other.</param>
    public static byte[] Create(string name, IReadOnlyList<TorrentBuildFile> files, bool isFolder, int pieceLength, ReadOnlySpan<byte> pieceHashes, TorrentBuildOptions options)
    {
        if (!isFolder && files.Count != 1)
        {
            throw new ArgumentException($"a single-file torrent holds one file, not {files.Count}", nameof(files));
        }

        var total = files.Sum(f => f.Length);
        if (total == 0)
        {
            throw new ArgumentException($"'{name}' holds no data to share", nameof(files));
        }

        CheckPieceLength(pieceLength);
        if (pieceHashes.Length != PieceCount(total, pieceLength) * HashLength)
        {
            throw new ArgumentException($"{pieceHashes.Length} bytes of piece hashes for {PieceCount(total, pieceLength)} pieces", nameof(pieceHashes));
        }

        var entries = new List<(string, BValue?)>
        {
            ("name", new BString(name)),
            ("piece length", new BInteger(pieceLength)),
            ("pieces", new BString(pieceHashes.ToArray())),
            ("private", options.IsPrivate ? new BInteger(1) : null),
        };
        if (isFolder)
        {
            entries.Add(("files", new BList(files.Select(f => (BValue)BDictionary.From(
                ("length", new BInteger(f.Length)),
                ("path", new BList(f.Path.Select(c => (BValue)new BString(c)).ToList())))).ToList())));
        }
        else
        {
            entries.Add(("length", new BInteger(total)));
        }

        var info = BDictionary.From([.. entries]);
        var root = BDictionary.From(
            ("announce", options.Trackers.Count > 0 ? new BString(options.Trackers[0]) : null),
            ("announce-list", options.Trackers.Count > 1 ? new BList(options.Trackers.Select(t => (BValue)new BList([new BString(t)])).ToList()) : null),
            ("comment", options.Comment is null ? null : new BString(options.Comment)),
            ("created by", new BString(options.CreatedBy)),
            ("creation date", options.CreationDate is { } date ? new BInteger(date.ToUnixTimeSeconds()) : null),
            ("info", info),
            ("url-list", WebSeedList(options.WebSeeds)));
        return BencodeWriter.Encode(root);
    }

    /// <summary>A single-file torrent of content held in memory.</summary>
    public static byte[] Create(string name, ReadOnlySpan<byte> content, TorrentBuildOptions options)
    {
        var pieceLength = PieceLengthFor(content.Length, options.PieceLength);
        return Create(name, [new TorrentBuildFile([name], content.Length)], isFolder: false, pieceLength, HashPieces(content, pieceLength), options);
    }

    /// <summary>The requested piece length once checked, or one chosen for <paramref name="totalLength"/>.</summary>
    public static int PieceLengthFor(long totalLength, int? requested)
    {
        var pieceLength = requested ?? AutoPieceLength(totalLength);
        CheckPieceLength(pieceLength);
        return pieceLength;
    }

    /// <summary>About 1,000–2,000 pieces, between 16 KiB and 16 MiB, like mainstream clients choose.</summary>
    public static int AutoPieceLength(long totalLength)
    {
        var length = 16 * 1024;
        while (length < 16 * 1024 * 1024 && totalLength / length > 2000)
        {
            length *= 2;
        }

        return length;
    }

    public static int PieceCount(long totalLength, int pieceLength) => (int)((totalLength + pieceLength - 1) / pieceLength);

    /// <summary>Writes one piece's SHA-1 into <paramref name="hash"/> (<see cref="HashLength"/> bytes).</summary>
    public static void HashPiece(ReadOnlySpan<byte> piece, Span<byte> hash) => SHA1.HashData(piece, hash);

    /// <summary>The piece hashes of content held in memory.</summary>
    public static byte[] HashPieces(ReadOnlySpan<byte> content, int pieceLength)
    {
        var count = PieceCount(content.Length, pieceLength);
        var hashes = new byte[count * HashLength];
        for (var piece = 0; piece < count; piece++)
        {
            var offset = piece * pieceLength;
            HashPiece(content.Slice(offset, Math.Min(pieceLength, content.Length - offset)), hashes.AsSpan(piece * HashLength, HashLength));
        }

        return hashes;
    }

    /// <summary>BEP 19's `url-list` as mktorrent writes it (null when there is none), each URL checked first.</summary>
    internal static BValue? WebSeedList(IReadOnlyList<string> seeds)
    {
        foreach (var seed in seeds)
        {
            if (WebSeeds.UrlList.Check(seed) is { } reason)
            {
                throw new ArgumentException($"web seed '{seed}': {reason}");
            }
        }

        return seeds.Count switch
        {
            0 => null,
            1 => new BString(seeds[0]),
            _ => new BList(seeds.Select(s => (BValue)new BString(s)).ToList()),
        };
    }

    private static void CheckPieceLength(int pieceLength)
    {
        if (pieceLength < MetainfoParser.MinPieceLength || pieceLength > MetainfoParser.MaxPieceLength || (pieceLength & (pieceLength - 1)) != 0)
        {
            throw new ArgumentException($"piece length {pieceLength} is not a power of two between {MetainfoParser.MinPieceLength} and {MetainfoParser.MaxPieceLength}");
        }
    }
}
