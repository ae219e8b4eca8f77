using System.Buffers;
using System.Security.Cryptography;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;
using Swarm.Protocol.Tests.Metainfo;
using Xunit;

namespace Swarm.Protocol.Tests.PeerWire;

/// <summary>BEP 52 hash requests served from piece layers and the answers checked against pieces roots: vectors from
/// torrents python3-libtorrent made in the test, uncles computed here with our MerkleTree.</summary>
public sealed class HashServingTests : IDisposable
{
    private const int Piece = 16384;
    private readonly ContentFolder _content = new();

    public void Dispose() => _content.Dispose();

    /// <summary>A file of <paramref name="pieces"/> 16 KiB pieces (the last one short) and a small one, made by libtorrent.</summary>
    private (TorrentMetainfo Full, TorrentMetainfo Bare) Torrent(int pieces)
    {
        _content.Write("t/big.bin", (pieces * Piece) - 1000, 7);
        _content.Write("t/small.txt", 500, 8);
        var lt = LibtorrentTorrents.Create(Path.Combine(_content.Root, "t"), "v2", Piece);
        var full = MetainfoParser.Parse(lt.Torrent);
        var bare = MetainfoParser.ParseInfoDictionary(lt.Info);
        Assert.NotEmpty(full.V2!.PieceLayers);
        Assert.Empty(bare.V2!.PieceLayers);
        return (full, bare);
    }

    private static V2File Big(TorrentMetainfo m) => m.V2!.Files.Single(f => f.Path[^1] == "big.bin");

    [Theory]
    [InlineData(5)] // one request, no uncles
    [InlineData(1300)] // three requests of 512, each proved by uncles up to the root
    public void LayersServedFromLibtorrentsTorrentAreAssembledAndEqualItsLayers(int pieces)
    {
        var (full, bare) = Torrent(pieces);
        var serving = new HashServing(full);
        var assembly = PieceLayerAssembly.For(bare);
        Assert.False(assembly.IsComplete);
        var requests = assembly.Missing().ToList();
        Assert.Equal((pieces + 511) / 512, requests.Count);
        foreach (var request in requests)
        {
            var reply = Assert.IsType<HashesReply>(serving.Answer(request));
            Assert.Equal((request.Length + HashMessages.UncleCount(request.Length, request.ProofLayers)) * 32, reply.Hashes.Length);
            assembly = assembly.Accept(reply) ?? throw new Xunit.Sdk.XunitException($"a true answer to {request} was refused");
        }

        Assert.True(assembly.IsComplete);
        Assert.Empty(assembly.Missing());
        var attached = assembly.AttachTo(bare);
        Assert.Equal(full.V2!.LayerOf(Big(full)), attached.V2!.LayerOf(Big(attached)));
    }

    [Fact]
    public void ARangeComesWithTheUnclesOurMerkleTreeComputes()
    {
        var (full, _) = Torrent(7);
        var big = Big(full);
        var layer = full.V2!.LayerOf(big)!; // 7 pieces: a width of 8, three layers above the pieces
        var padded = layer.Concat(MerkleTree.Pad(0).ToArray()).ToArray(); // 16 KiB pieces: the piece pad is a leaf pad
        var reply = Assert.IsType<HashesReply>(new HashServing(full).Answer(new HashRequest(big.PiecesRoot!, 0, 2, 2, 2)));

        // proof layers 2 for a range of 2 (its own subtree is 1 layer): uncles at the range's root layer and above.
        Assert.Equal(4 * 32, reply.Hashes.Length);
        Assert.Equal(layer[64..128], reply.Hashes[..64]);
        Assert.Equal(MerkleTree.Root(layer.AsSpan(0, 64), 2, 0), reply.Hashes[64..96]); // pieces 0-1
        Assert.Equal(MerkleTree.Root(padded.AsSpan(128, 128), 4, 0), reply.Hashes[96..128]); // pieces 4-7
        Assert.True(PieceLayerAssembly.Proves(reply.Hashes, new HashRequest(big.PiecesRoot!, 0, 2, 2, 2), big.PiecesRoot));
    }

    [Fact]
    public void AbsurdOrUnknownRequestsAreRejected()
    {
        var (full, _) = Torrent(7);
        var root = Big(full).PiecesRoot!;
        var small = full.V2!.Files.Single(f => f.Path[^1] == "small.txt").PiecesRoot!;
        var serving = new HashServing(full);
        foreach (var r in new[]
        {
            new HashRequest(SHA256.HashData("nothing"u8), 0, 0, 8, 2), // a root of no file
            new HashRequest(small, 0, 0, 1, 0), // a file of one piece has no layer
            new HashRequest(root, 0, 8, 8, 2), // past the layer
            new HashRequest(root, 0, 0, 16, 3), // wider than the layer
            new HashRequest(root, 0, 0, 8, 3), // an uncle above the root
            new HashRequest(root, 4, 0, 1, 0), // above the root
        })
        {
            Assert.IsType<HashReject>(serving.Answer(r));
        }

        // Below the piece layer: the leaves are not kept.
        var (big, _) = Torrent64K();
        Assert.IsType<HashReject>(new HashServing(big).Answer(new HashRequest(Big(big).PiecesRoot!, 0, 0, 4, 1)));
    }

    private (TorrentMetainfo Full, TorrentMetainfo Bare) Torrent64K()
    {
        _content.Write("u/big.bin", 300_000, 9);
        var lt = LibtorrentTorrents.Create(Path.Combine(_content.Root, "u"), "v2", 65536);
        return (MetainfoParser.Parse(lt.Torrent), MetainfoParser.ParseInfoDictionary(lt.Info));
    }

    [Fact]
    public void PieceLayerAnswersAtA64KiBPieceLengthUseThePieceLayer()
    {
        var (full, bare) = Torrent64K();
        var assembly = PieceLayerAssembly.For(bare);
        var request = Assert.Single(assembly.Missing());
        Assert.Equal(2, request.BaseLayer); // 64 KiB = 4 leaves: two layers above them
        Assert.Equal(8, request.Length); // 5 pieces padded to 8
        var reply = Assert.IsType<HashesReply>(new HashServing(full).Answer(request));
        Assert.True(assembly.Accept(reply)!.IsComplete);
    }

    [Fact]
    public void LyingOrUnaskedAnswersAreRefused()
    {
        var (full, bare) = Torrent(1300);
        var assembly = PieceLayerAssembly.For(bare);
        var request = assembly.Missing().Skip(1).First();
        var reply = Assert.IsType<HashesReply>(new HashServing(full).Answer(request));

        var flipped = reply.Hashes.ToArray();
        flipped[100] ^= 1;
        Assert.Null(assembly.Accept(reply with { Hashes = flipped }));
        var uncleFlipped = reply.Hashes.ToArray();
        uncleFlipped[^1] ^= 1;
        Assert.Null(assembly.Accept(reply with { Hashes = uncleFlipped }));
        Assert.Null(assembly.Accept(reply with { Hashes = reply.Hashes[..(512 * 32)], ProofLayers = 8 })); // no proof asked for
        Assert.Null(assembly.Accept(reply with { PiecesRoot = SHA256.HashData("other"u8) }));
        Assert.NotNull(assembly.Accept(reply));
        Assert.False(assembly.Accept(reply)!.IsComplete);
    }

    [Fact]
    public void HashMessagesGoThroughTheWireReaderAndWriter()
    {
        var limits = new PeerWireLimits(16384, 10, 1 << 20);
        var root = SHA256.HashData("root"u8);
        foreach (PeerMessage m in new PeerMessage[]
        {
            new HashRequest(root, 2, 512, 512, 10),
            new HashReject(root, 2, 512, 512, 10),
            new HashesReply(root, 2, 0, 4, 3, new byte[(4 + 2) * 32]),
        })
        {
            var sequence = new ReadOnlySequence<byte>(PeerMessageWriter.ToArray(m));
            Assert.True(PeerMessageReader.TryRead(ref sequence, limits, out var read));
            Assert.Equal(PeerMessageWriter.ToArray(m), PeerMessageWriter.ToArray(read!));
            Assert.True(sequence.IsEmpty);
        }

        // A length prefix no hash message can have is refused from its header alone.
        byte[] header = [0x00, 0x10, 0x00, 0x00, HashMessages.HashesId];
        var oversized = new ReadOnlySequence<byte>(header);
        Assert.Throws<PeerProtocolException>(() => PeerMessageReader.TryRead(ref oversized, limits, out _));
        byte[] longRequest = [0x00, 0x00, 0x00, 0x40, HashMessages.HashRequestId];
        var tooLong = new ReadOnlySequence<byte>(longRequest);
        Assert.Throws<PeerProtocolException>(() => PeerMessageReader.TryRead(ref tooLong, limits, out _));
    }
}
