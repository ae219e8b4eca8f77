using System.Security.Cryptography;

namespace Swarm.Protocol.Metainfo;

/// <summary>What one piece must hash to: its v1 SHA-1, its v2 merkle root, or both for a hybrid. A v2 piece is the
/// root of its 16 KiB-leaf subtree, checked against the file's piece layer; a file of one piece or less has no layer
/// and its piece is checked against the file's pieces root. A v2-only piece whose layer is unknown never matches:
/// nothing vouches for its bytes.</summary>
/// <param name="Sha1">The v1 hash, null for a v2-only torrent.</param>
/// <param name="V2Root">The root the piece's file bytes must hash to, null for v1 (or a hybrid piece of pad bytes
/// only, or whose layer is unknown: its SHA-1 vouches for it).</param>
/// <param name="V2Length">How many of the piece's bytes belong to its file (the rest are pad zeros).</param>
/// <param name="V2Width">The leaf count the root was made over: a power of two.</param>
public sealed record PieceExpectation(byte[]? Sha1, byte[]? V2Root, int V2Length, long V2Width, bool Unverifiable = false)
{
    public static PieceExpectation V1(byte[] sha1) => new(sha1, null, 0, 1);

    public static PieceExpectation For(TorrentMetainfo meta, int piece)
    {
        var sha1 = meta.PieceHashes.Length > 0 ? meta.PieceHash(piece).ToArray() : null;
        if (meta.V2 is not { } v2)
        {
            return new(sha1, null, 0, 1);
        }

        var offset = (long)piece * meta.PieceLength;
        var index = v2.FileOfPiece(offset);
        if (index < 0)
        {
            return new(sha1, null, 0, 1, Unverifiable: sha1 is null);
        }

        var file = v2.Files[index];
        var within = offset - v2.Offsets[index];
        var length = (int)Math.Min(meta.PieceLength, file.Length - within);
        if (file.Length <= meta.PieceLength)
        {
            return new(sha1, file.PiecesRoot, length, MerkleTree.NextPowerOfTwo(MerkleTree.BlockCount(file.Length)));
        }

        if (v2.LayerOf(file) is not { } layer)
        {
            return new(sha1, null, 0, 1, Unverifiable: sha1 is null);
        }

        var root = layer.AsSpan((int)(within / meta.PieceLength) * MerkleTree.HashLength, MerkleTree.HashLength).ToArray();
        return new(sha1, root, length, meta.PieceLength / MerkleTree.BlockLength);
    }

    /// <summary>Whether the whole piece held in <paramref name="piece"/> is the one expected.</summary>
    public bool Matches(ReadOnlySpan<byte> piece)
    {
        if (V2Root is null && Sha1 is not null && !Unverifiable)
        {
            // A v1 piece, the common case, in one call (issue 14): the incremental path makes a hasher object with a
            // finalizable native handle and a hash array per piece, 4,096 of each per GiB, 65,536 in 16 KiB pieces.
            Span<byte> sha1 = stackalloc byte[SHA1.HashSizeInBytes];
            SHA1.HashData(piece, sha1);
            return sha1.SequenceEqual(Sha1);
        }

        using var hasher = Start();
        hasher.Append(piece);
        return hasher.Matches();
    }

    /// <summary>Hashing a piece read a part at a time (pieces may be far larger than a read buffer).</summary>
    public PieceHasher Start() => new(this);
}

/// <summary>Feeds a piece's bytes, in order, to its SHA-1 and to the SHA-256 of its 16 KiB leaves.</summary>
public sealed class PieceHasher : IDisposable
{
    private readonly PieceExpectation _expected;
    private readonly IncrementalHash? _sha1;
    private readonly IncrementalHash? _leaf;
    private readonly List<byte[]> _leaves = [];
    private long _position;
    private int _inLeaf;

    internal PieceHasher(PieceExpectation expected)
    {
        _expected = expected;
        _sha1 = expected.Sha1 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        _leaf = expected.V2Root is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        _sha1?.AppendData(data);
        if (_leaf is not null)
        {
            // Only the file's own bytes are leaves; pad zeros after them are not hashed.
            var take = (int)Math.Clamp(_expected.V2Length - _position, 0, data.Length);
            for (var rest = data[..take]; !rest.IsEmpty;)
            {
                var n = Math.Min(MerkleTree.BlockLength - _inLeaf, rest.Length);
                _leaf.AppendData(rest[..n]);
                _inLeaf += n;
                rest = rest[n..];
                if (_inLeaf == MerkleTree.BlockLength)
                {
                    _leaves.Add(_leaf.GetHashAndReset());
                    _inLeaf = 0;
                }
            }
        }

        _position += data.Length;
    }

    public bool Matches()
    {
        if (_expected.Unverifiable)
        {
            return false;
        }

        if (_sha1 is not null && !_sha1.GetHashAndReset().AsSpan().SequenceEqual(_expected.Sha1))
        {
            return false;
        }

        if (_leaf is null)
        {
            return true;
        }

        if (_inLeaf > 0)
        {
            _leaves.Add(_leaf.GetHashAndReset());
            _inLeaf = 0;
        }

        if (_position < _expected.V2Length || _leaves.Count > _expected.V2Width)
        {
            return false;
        }

        var nodes = new byte[_leaves.Count * MerkleTree.HashLength];
        for (var i = 0; i < _leaves.Count; i++)
        {
            _leaves[i].CopyTo(nodes, i * MerkleTree.HashLength);
        }

        return MerkleTree.Root(nodes, _expected.V2Width, 0).AsSpan().SequenceEqual(_expected.V2Root);
    }

    public void Dispose()
    {
        _sha1?.Dispose();
        _leaf?.Dispose();
    }
}
