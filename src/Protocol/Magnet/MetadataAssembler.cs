using System.Security.Cryptography;
using Swarm.Protocol.PeerWire;

namespace Swarm.Protocol.Magnet;

/// <summary>Collects the pieces of an info dictionary fetched with BEP 9 and accepts the whole only if its SHA-1 is
/// the info-hash (or, for a v2-only torrent, its truncated SHA-256): metadata is untrusted until then, whoever sent it.</summary>
public sealed class MetadataAssembler
{
    private readonly InfoHash _expected;
    private readonly byte[] _buffer;
    private readonly bool[] _have;
    private int _missing;

    public MetadataAssembler(InfoHash expected, int totalSize, int maxTotalSize)
    {
        if (totalSize <= 0 || totalSize > maxTotalSize)
        {
            throw new PeerProtocolException($"metadata_size {totalSize} is outside 1..{maxTotalSize} bytes");
        }

        _expected = expected;
        _buffer = new byte[totalSize];
        _have = new bool[MetadataMessage.PieceCount(totalSize)];
        _missing = _have.Length;
    }

    public int TotalSize => _buffer.Length;

    public int PieceCount => _have.Length;

    public bool IsComplete => _missing == 0;

    /// <summary>Takes one data message; a size that differs from the announced one is a protocol violation.</summary>
    public void Add(MetadataMessage data)
    {
        if (data.Type != MetadataMessageType.Data || data.TotalSize != _buffer.Length)
        {
            throw new PeerProtocolException($"ut_metadata data for {data.TotalSize} bytes, but {_buffer.Length} were announced");
        }

        if (!_have[data.Piece])
        {
            data.Data.CopyTo(_buffer.AsSpan(data.Piece * MetadataMessage.PieceLength));
            _have[data.Piece] = true;
            _missing--;
        }
    }

    /// <summary>The verified info dictionary, or an exception naming the mismatch.</summary>
    public byte[] Verified()
    {
        if (!IsComplete)
        {
            throw new InvalidOperationException($"{_missing} metadata piece(s) still missing");
        }

        var actual = new InfoHash(SHA1.HashData(_buffer));
        if (actual.Equals(_expected))
        {
            return _buffer;
        }

        // A v2-only torrent (BEP 52) goes by its SHA-256 truncated to 20 bytes, on the wire and in its magnet.
        var v2 = new InfoHash(SHA256.HashData(_buffer).AsSpan(0, 20));
        return v2.Equals(_expected)
            ? _buffer
            : throw new PeerProtocolException($"the metadata received hashes to {actual.Hex} (SHA-256 {v2.Hex}…), not {_expected.Hex}");
    }
}
