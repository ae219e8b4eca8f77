using System.Buffers.Binary;
using Swarm.Protocol.PeerWire;
using Xunit;

namespace Swarm.Protocol.Tests;

/// <summary>BEP 52 hash request / hashes / hash reject: round trips, the frame layout, and absurd ranges refused.</summary>
public sealed class HashMessagesTests
{
    private static readonly byte[] Root = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    private static PeerMessage RoundTrip(PeerMessage m)
    {
        var frame = HashMessages.Encode(m);
        Assert.Equal(frame.Length - 4, BinaryPrimitives.ReadInt32BigEndian(frame));
        return HashMessages.Decode(frame[4], frame.AsSpan(5));
    }

    [Fact]
    public void RoundTripsEachMessage()
    {
        var request = (HashRequest)RoundTrip(new HashRequest(Root, 2, 512, 512, 7));
        Assert.Equal(Root, request.PiecesRoot);
        Assert.Equal((2, 512, 512, 7), (request.BaseLayer, request.Index, request.Length, request.ProofLayers));
        var reject = (HashReject)RoundTrip(new HashReject(Root, 0, 0, 1, 0));
        Assert.Equal(1, reject.Length);
        var hashes = new byte[(4 + 2) * 32];
        Random.Shared.NextBytes(hashes);
        // libtorrent's count: proof layers include the range's own log2(4) = 2 layers, so 3 of them bring 2 uncles.
        var reply = (HashesReply)RoundTrip(new HashesReply(Root, 1, 8, 4, 3, hashes));
        Assert.Equal(hashes, reply.Hashes);
    }

    [Fact]
    public void LaysTheRequestOutAsBep52Says()
    {
        var frame = HashMessages.Encode(new HashRequest(Root, 3, 16, 8, 5));
        Assert.Equal(4 + 1 + 32 + 16, frame.Length);
        Assert.Equal(HashMessages.HashRequestId, frame[4]);
        Assert.Equal(Root, frame[5..37]);
        Assert.Equal([3, 16, 8, 5], Enumerable.Range(0, 4).Select(i => BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(37 + (i * 4)))));
    }

    [Theory]
    [InlineData(0, 0, 0, 0, "not a power of two")]
    [InlineData(0, 0, 3, 0, "not a power of two")]
    [InlineData(0, 0, 16384, 0, "not a power of two up to 8192")]
    [InlineData(0, 4, 8, 0, "not aligned")]
    [InlineData(0, -8, 8, 0, "not aligned")]
    [InlineData(41, 0, 8, 0, "beyond any file's tree")]
    [InlineData(0, 0, 8, int.MaxValue, "beyond any file's tree")]
    public void RefusesAbsurdRanges(int baseLayer, int index, int length, int proof, string expected)
    {
        var body = new byte[48];
        Root.CopyTo(body, 0);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(32), baseLayer);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(36), index);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(40), length);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(44), proof);
        var e = Assert.Throws<PeerProtocolException>(() => HashMessages.Decode(HashMessages.HashRequestId, body));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesHashesThatDoNotFitTheRange()
    {
        var frame = HashMessages.Encode(new HashesReply(Root, 0, 0, 4, 1, new byte[5 * 32]));
        Assert.Throws<PeerProtocolException>(() => HashMessages.Decode(HashMessages.HashesId, frame.AsSpan(5, frame.Length - 5 - 32 - 32)));
        Assert.Throws<PeerProtocolException>(() => HashMessages.Decode(HashMessages.HashesId, [.. frame.AsSpan(5), .. new byte[32]]));
        Assert.Throws<PeerProtocolException>(() => HashMessages.Decode(HashMessages.HashesId, frame.AsSpan(5, frame.Length - 6)));
        Assert.Throws<PeerProtocolException>(() => HashMessages.Decode(HashMessages.HashRequestId, frame.AsSpan(5, 20)));
    }
}
