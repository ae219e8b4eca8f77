using System.Buffers.Binary;

namespace Swarm.Protocol.PeerWire;

/// <summary>BEP 52 `hash request`: a range of one layer of a file's merkle tree, with the uncle hashes that prove it.</summary>
/// <param name="PiecesRoot">The file's 32-byte root.</param>
/// <param name="BaseLayer">The layer the hashes come from, 0 being the 16 KiB leaves.</param>
/// <param name="Index">The first hash of the range: a multiple of <paramref name="Length"/>.</param>
/// <param name="Length">How many hashes: a power of two.</param>
/// <param name="ProofLayers">As libtorrent counts them: layers above the base layer whose proof is wanted; the
/// range's own <c>log2(Length)</c> layers need none, so <see cref="HashMessages.UncleCount"/> uncles come back.</param>
public sealed record HashRequest(byte[] PiecesRoot, int BaseLayer, int Index, int Length, int ProofLayers) : PeerMessage;

/// <summary>BEP 52 `hashes`: the range asked for, then its uncle hashes, 32 bytes each.</summary>
public sealed record HashesReply(byte[] PiecesRoot, int BaseLayer, int Index, int Length, int ProofLayers, byte[] Hashes) : PeerMessage;

/// <summary>BEP 52 `hash reject`: the request, returned unanswered.</summary>
public sealed record HashReject(byte[] PiecesRoot, int BaseLayer, int Index, int Length, int ProofLayers) : PeerMessage;

/// <summary>Encodes and decodes BEP 52's hash messages (ids 21–23), refusing absurd ranges before anything is
/// allocated for them: at most <see cref="MaxHashes"/> hashes, a power-of-two length the index is a multiple of, and
/// layers a tree of any file a torrent may hold can have.</summary>
public static class HashMessages
{
    public const byte HashRequestId = 21;
    public const byte HashesId = 22;
    public const byte HashRejectId = 23;

    /// <summary>libtorrent's limit on one request: 8192 hashes, 256 KiB of them.</summary>
    public const int MaxHashes = 8192;

    /// <summary>A tree over files of up to 2^48 bytes in 16 KiB leaves has 34 layers above them.</summary>
    public const int MaxLayer = 40;

    private const int HashLength = 32;

    /// <summary>The most bytes a `hashes` message may carry after its id: header, range and one uncle per layer.</summary>
    public const int MaxHashesBody = HeaderLength + (HashLength * (MaxHashes + MaxLayer + 1));

    /// <summary>The bytes of a `hash request` or `hash reject` after its id.</summary>
    public const int RequestBody = HeaderLength;

    /// <summary>How many uncle hashes answer <paramref name="proofLayers"/> for a range of <paramref name="length"/>
    /// hashes: libtorrent's rule (what it sends and expects), one per layer above the range's own subtree.</summary>
    public static int UncleCount(int length, int proofLayers) =>
        Math.Max(0, proofLayers - System.Numerics.BitOperations.Log2((uint)length) + 1);
    private const int HeaderLength = HashLength + 16;

    public static byte[] Encode(PeerMessage message)
    {
        var (id, root, baseLayer, index, length, proof, hashes) = message switch
        {
            HashRequest r => (HashRequestId, r.PiecesRoot, r.BaseLayer, r.Index, r.Length, r.ProofLayers, Array.Empty<byte>()),
            HashReject r => (HashRejectId, r.PiecesRoot, r.BaseLayer, r.Index, r.Length, r.ProofLayers, Array.Empty<byte>()),
            HashesReply r => (HashesId, r.PiecesRoot, r.BaseLayer, r.Index, r.Length, r.ProofLayers, r.Hashes),
            _ => throw new ArgumentException($"{message.GetType().Name} is not a hash message", nameof(message)),
        };
        Check(root.Length, baseLayer, index, length, proof);
        var frame = new byte[4 + 1 + HeaderLength + hashes.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        frame[4] = id;
        root.CopyTo(frame, 5);
        var at = 5 + HashLength;
        foreach (var value in new[] { baseLayer, index, length, proof })
        {
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(at), value);
            at += 4;
        }

        hashes.CopyTo(frame, at);
        return frame;
    }

    /// <summary>The message of id <paramref name="id"/> whose payload (after the id) is <paramref name="body"/>.</summary>
    public static PeerMessage Decode(byte id, ReadOnlySpan<byte> body)
    {
        if (body.Length < HeaderLength)
        {
            throw new PeerProtocolException($"hash message {id} is {body.Length} bytes, shorter than its {HeaderLength}-byte header");
        }

        var root = body[..HashLength].ToArray();
        var baseLayer = BinaryPrimitives.ReadInt32BigEndian(body[HashLength..]);
        var index = BinaryPrimitives.ReadInt32BigEndian(body[(HashLength + 4)..]);
        var length = BinaryPrimitives.ReadInt32BigEndian(body[(HashLength + 8)..]);
        var proof = BinaryPrimitives.ReadInt32BigEndian(body[(HashLength + 12)..]);
        Check(root.Length, baseLayer, index, length, proof);
        var rest = body[HeaderLength..];
        switch (id)
        {
            case HashRequestId or HashRejectId:
                if (!rest.IsEmpty)
                {
                    throw new PeerProtocolException($"hash message {id} carries {rest.Length} bytes after its header");
                }

                return id == HashRequestId ? new HashRequest(root, baseLayer, index, length, proof) : new HashReject(root, baseLayer, index, length, proof);
            case HashesId:
                // The range, then at most the uncles its proof layers ask for (a proof may be cut short).
                if (rest.Length % HashLength != 0 || rest.Length / HashLength < length || rest.Length / HashLength > length + UncleCount(length, proof))
                {
                    throw new PeerProtocolException($"'hashes' carries {rest.Length} bytes for {length} hashes and {proof} proof layers");
                }

                return new HashesReply(root, baseLayer, index, length, proof, rest.ToArray());
            default:
                throw new PeerProtocolException($"message {id} is not a hash message");
        }
    }

    private static void Check(int rootLength, int baseLayer, int index, int length, int proof)
    {
        if (rootLength != HashLength)
        {
            throw new PeerProtocolException($"a pieces root is {HashLength} bytes, not {rootLength}");
        }

        if (length < 1 || length > MaxHashes || (length & (length - 1)) != 0)
        {
            throw new PeerProtocolException($"a hash range of {length} hashes is not a power of two up to {MaxHashes}");
        }

        if (index < 0 || index % length != 0)
        {
            throw new PeerProtocolException($"a hash range starting at {index} is not aligned to its length {length}");
        }

        if (baseLayer < 0 || baseLayer > MaxLayer || proof < 0 || proof > MaxLayer)
        {
            throw new PeerProtocolException($"base layer {baseLayer} or {proof} proof layers is beyond any file's tree ({MaxLayer} layers)");
        }
    }
}
