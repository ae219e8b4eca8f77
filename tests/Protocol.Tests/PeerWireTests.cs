using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using CsCheck;
using Swarm.Protocol.PeerWire;
using Xunit;

namespace Swarm.Protocol.Tests;

public sealed class PeerWireTests
{
    private const int Pieces = 100; // 13-byte bitfield with 4 spare bits
    private static readonly PeerWireLimits Limits = new(MaxBlockLength: 16 * 1024, PieceCount: Pieces, MaxExtendedLength: 64 * 1024);
    private static readonly InfoHash Hash = new(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray());
    private static readonly byte[] PeerId = Encoding.ASCII.GetBytes("-SA0100-abcdefghijkl");

    private static readonly Gen<int> Piece = Gen.Int[0, Pieces - 1];
    private static readonly Gen<int> BlockLength = Gen.Int[1, 16 * 1024];

    private static readonly Gen<PeerMessage> AnyMessage = Messages(16 * 1024);

    /// <summary>Small messages only, for tests that are quadratic in the stream length.</summary>
    private static readonly Gen<PeerMessage> SmallMessage = Messages(64);

    private static Gen<PeerMessage> Messages(int maxData) => Gen.OneOf<PeerMessage>(
        Gen.OneOf<PeerMessage>(KeepAlive.Instance, Choke.Instance, Unchoke.Instance, Interested.Instance, NotInterested.Instance, HaveAll.Instance, HaveNone.Instance),
        Piece.Select(p => (PeerMessage)new Have(p)),
        Piece.Select(p => (PeerMessage)new SuggestPiece(p)),
        Piece.Select(p => (PeerMessage)new AllowedFast(p)),
        Gen.Select(Piece, Gen.Int[0, int.MaxValue], BlockLength, (p, b, l) => (PeerMessage)new Request(p, b, l)),
        Gen.Select(Piece, Gen.Int[0, int.MaxValue], BlockLength, (p, b, l) => (PeerMessage)new Cancel(p, b, l)),
        Gen.Select(Piece, Gen.Int[0, int.MaxValue], BlockLength, (p, b, l) => (PeerMessage)new RejectRequest(p, b, l)),
        Gen.Select(Piece, Gen.Int[0, int.MaxValue], Gen.Byte.Array[1, maxData], (p, b, d) => (PeerMessage)new PieceBlock(p, b, d)),
        Gen.Byte.Array[13].Select(bits =>
        {
            bits[^1] &= 0xF0;
            return (PeerMessage)new Bitfield(bits);
        }),
        Gen.UShort.Select(p => (PeerMessage)new DhtPort(p)),
        Gen.Select(Gen.Byte, Gen.Byte.Array[0, maxData], (id, payload) => (PeerMessage)new Extended(id, payload)));

    private static bool Same(PeerMessage? a, PeerMessage? b) => (a, b) switch
    {
        (Bitfield x, Bitfield y) => x.Bits.AsSpan().SequenceEqual(y.Bits),
        (PieceBlock x, PieceBlock y) => x.Piece == y.Piece && x.Begin == y.Begin && x.Data.AsSpan().SequenceEqual(y.Data),
        (Extended x, Extended y) => x.ExtendedId == y.ExtendedId && x.Payload.AsSpan().SequenceEqual(y.Payload),
        _ => Equals(a, b),
    };

    private static byte[] Encode(params PeerMessage[] messages)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var m in messages)
        {
            PeerMessageWriter.Write(buffer, m);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static PeerMessage? ReadOne(ReadOnlySequence<byte> sequence, PeerWireLimits? limits = null)
    {
        Assert.True(PeerMessageReader.TryRead(ref sequence, limits ?? Limits, out var message), "a whole message was not read");
        Assert.Equal(0, sequence.Length);
        return message;
    }

    private static PeerMessage? ReadOne(byte[] bytes, PeerWireLimits? limits = null) => ReadOne(new ReadOnlySequence<byte>(bytes), limits);

    private static byte[] Frame(uint length, byte id, int bodyBytes = 0)
    {
        var bytes = new byte[5 + bodyBytes];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, length);
        bytes[4] = id;
        return bytes;
    }

    private static PeerProtocolException Refused(byte[] bytes, PeerWireLimits? limits = null)
    {
        var sequence = new ReadOnlySequence<byte>(bytes);
        return Assert.Throws<PeerProtocolException>(() => PeerMessageReader.TryRead(ref sequence, limits ?? Limits, out _));
    }

    [Fact]
    public void HandshakeHasTheBep3Layout()
    {
        var bytes = new Handshake(Hash, PeerId, SupportsExtensions: false, SupportsFast: false).ToArray();
        Assert.Equal(68, bytes.Length);
        Assert.Equal(19, bytes[0]);
        Assert.Equal("BitTorrent protocol", Encoding.ASCII.GetString(bytes, 1, 19));
        Assert.Equal(new byte[8], bytes[20..28]);
        Assert.Equal(Hash.Span.ToArray(), bytes[28..48]);
        Assert.Equal(PeerId, bytes[48..68]);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void HandshakeReservedBitsRoundTrip(bool extensions, bool fast)
    {
        var bytes = new Handshake(Hash, PeerId, extensions, fast).ToArray();
        var reserved = bytes[20..28];
        Assert.Equal(extensions ? 0x10 : 0, reserved[5]);
        Assert.Equal(fast ? 0x04 : 0, reserved[7]);
        Assert.Equal(0, reserved[0] | reserved[1] | reserved[2] | reserved[3] | reserved[4] | reserved[6]);

        var parsed = Handshake.Parse(bytes);
        Assert.Equal(Hash, parsed.InfoHash);
        Assert.Equal(PeerId, parsed.PeerId);
        Assert.Equal(extensions, parsed.SupportsExtensions);
        Assert.Equal(fast, parsed.SupportsFast);
    }

    [Fact]
    public void HandshakeParseLooksOnlyAtItsOwnBits()
    {
        var bytes = new Handshake(Hash, PeerId, false, false).ToArray();
        bytes[20 + 5] = 0xEF; // every bit but the extension-protocol bit
        bytes[20 + 7] = 0xFB; // every bit but the fast bit
        var parsed = Handshake.Parse(bytes);
        Assert.False(parsed.SupportsExtensions);
        Assert.False(parsed.SupportsFast);
        bytes[20 + 5] = 0x10;
        bytes[20 + 7] = 0x04;
        parsed = Handshake.Parse(bytes);
        Assert.True(parsed.SupportsExtensions);
        Assert.True(parsed.SupportsFast);
    }

    [Fact]
    public void HandshakeRejectsOtherProtocols()
    {
        var good = new Handshake(Hash, PeerId, true, true).ToArray();
        Assert.Throws<PeerProtocolException>(() => Handshake.Parse(good.AsSpan(0, 67)));
        var wrongLength = (byte[])good.Clone();
        wrongLength[0] = 18;
        Assert.Throws<PeerProtocolException>(() => Handshake.Parse(wrongLength));
        var wrongName = (byte[])good.Clone();
        wrongName[1] = (byte)'b';
        Assert.Throws<PeerProtocolException>(() => Handshake.Parse(wrongName));
        var http = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: example\r\n\r\n" + new string(' ', 40));
        Assert.Throws<PeerProtocolException>(() => Handshake.Parse(http));
    }

    [Fact]
    public void NewPeerIdsAreAzureusStyle()
    {
        var id = Handshake.NewPeerId();
        Assert.Equal(20, id.Length);
        Assert.Equal("-SA0100-", Encoding.ASCII.GetString(id, 0, 8));
        Assert.All(id[8..], b => Assert.True(char.IsAsciiLetterOrDigit((char)b)));
        Assert.Equal("Transmission 3000", Handshake.ClientName(Encoding.ASCII.GetBytes("-TR3000-000000000000")));
        Assert.Equal("SwarmActors 0100", Handshake.ClientName(id));
    }

    [Fact]
    public void WritesExactBytes()
    {
        Assert.Equal(Convert.FromHexString("00000000"), Encode(KeepAlive.Instance));
        Assert.Equal(Convert.FromHexString("0000000100"), Encode(Choke.Instance));
        Assert.Equal(Convert.FromHexString("0000000103"), Encode(NotInterested.Instance));
        Assert.Equal(Convert.FromHexString("000000050400000063"), Encode(new Have(99)));
        Assert.Equal(Convert.FromHexString("0000000d06000000010000400000004000"), Encode(new Request(1, 0x4000, 0x4000)));
        Assert.Equal(Convert.FromHexString("0000000d08000000010000400000004000"), Encode(new Cancel(1, 0x4000, 0x4000)));
        Assert.Equal(Convert.FromHexString("0000000d10000000010000400000004000"), Encode(new RejectRequest(1, 0x4000, 0x4000)));
        Assert.Equal(Convert.FromHexString("0000000b0700000002000000030a0b"), Encode(new PieceBlock(2, 3, [0x0a, 0x0b])));
        Assert.Equal(Convert.FromHexString("0000000309c8d5"), Encode(new DhtPort(51413)));
        Assert.Equal(Convert.FromHexString("0000000305ff80"), Encode(new Bitfield([0xff, 0x80])));
        Assert.Equal(Convert.FromHexString("000000010e"), Encode(HaveAll.Instance));
        Assert.Equal(Convert.FromHexString("000000010f"), Encode(HaveNone.Instance));
        Assert.Equal(Convert.FromHexString("000000050d00000007"), Encode(new SuggestPiece(7)));
        Assert.Equal(Convert.FromHexString("000000051100000007"), Encode(new AllowedFast(7)));
        Assert.Equal(Convert.FromHexString("000000051403646565"), Encode(new Extended(3, "dee"u8.ToArray())));
    }

    [Fact]
    public void EveryMessageRoundTrips()
    {
        AnyMessage.Sample(
            message =>
            {
                var bytes = Encode(message);
                var decoded = ReadOne(bytes);
                Assert.True(Same(message, decoded), $"{message} decoded as {decoded}");
                Assert.Equal(bytes, Encode(decoded!));
            },
            iter: 3000);
    }

    [Fact]
    public void ReadsAStreamFedOneByteAtATime()
    {
        SmallMessage.Array[1, 12].Sample(
            messages =>
            {
                var stream = Encode(messages);
                var ends = new List<int>();
                var at = 0;
                foreach (var m in messages)
                {
                    at += Encode(m).Length;
                    ends.Add(at);
                }

                var pending = Array.Empty<byte>();
                var read = new List<PeerMessage?>();
                for (var fed = 1; fed <= stream.Length; fed++)
                {
                    pending = [.. pending, stream[fed - 1]];

                    // One segment per byte: every message and header straddles segment boundaries.
                    var sequence = Segment.Sequence([.. pending.Select(b => new[] { b })]);
                    while (PeerMessageReader.TryRead(ref sequence, Limits, out var message))
                    {
                        read.Add(message);
                    }

                    pending = sequence.ToArray();
                    Assert.Equal(ends.Count(e => e <= fed), read.Count);
                    Assert.Equal(fed - (read.Count == 0 ? 0 : ends[read.Count - 1]), pending.Length);
                }

                Assert.Empty(pending);
                Assert.Equal(messages.Length, read.Count);
                Assert.All(messages.Zip(read), p => Assert.True(Same(p.First, p.Second), $"{p.First} read as {p.Second}"));
            },
            iter: 150);
    }

    [Fact]
    public void ReturnsFalseAtEverySplitPointWithoutConsuming()
    {
        var stream = Encode(new Have(3), new PieceBlock(1, 16, [1, 2, 3, 4, 5]), KeepAlive.Instance, new Extended(0, "de"u8.ToArray()), new Bitfield(new byte[13]));
        var boundaries = new[] { 0, 9, 9 + 18, 9 + 18 + 4, 9 + 18 + 4 + 8, stream.Length };
        for (var cut = 0; cut <= stream.Length; cut++)
        {
            var sequence = new ReadOnlySequence<byte>(stream, 0, cut);
            var count = 0;
            while (PeerMessageReader.TryRead(ref sequence, Limits, out _))
            {
                count++;
            }

            var consumed = boundaries.Last(b => b <= cut);
            Assert.Equal(Array.IndexOf(boundaries, consumed), count);
            Assert.Equal(cut - consumed, sequence.Length);
        }
    }

    [Fact]
    public void ReadsMultiSegmentSequencesCutAnywhere()
    {
        var messages = new PeerMessage[] { new PieceBlock(4, 32, Enumerable.Range(0, 40).Select(i => (byte)i).ToArray()), new Extended(2, [9, 8, 7]), new Request(5, 6, 7) };
        var stream = Encode(messages);
        for (var i = 0; i <= stream.Length; i++)
        {
            for (var j = i; j <= stream.Length; j++)
            {
                var sequence = Segment.Split(stream, i, j);
                var read = new List<PeerMessage?>();
                while (PeerMessageReader.TryRead(ref sequence, Limits, out var message))
                {
                    read.Add(message);
                }

                Assert.Equal(0, sequence.Length);
                Assert.Equal(messages.Length, read.Count);
                Assert.All(messages.Zip(read), p => Assert.True(Same(p.First, p.Second), $"cut at {i},{j}: {p.First} read as {p.Second}"));
            }
        }
    }

    [Fact]
    public void ReadsAnExtendedMessageWhoseBodyStartsANewSegment()
    {
        var bytes = Encode(new Extended(7, [1, 2, 3]));
        var sequence = Segment.Sequence(bytes[..5], [], bytes[5..6], [], bytes[6..]);
        Assert.True(Same(new Extended(7, [1, 2, 3]), ReadOne(sequence)));
    }

    [Theory]
    [InlineData(9 + (16 * 1024) + 1, 7)] // piece with a 16 KiB + 1 block
    [InlineData(9 + (1 << 20), 7)]
    [InlineData(1 + 13 + 1, 5)] // bitfield longer than 100 pieces need
    [InlineData(2 + (64 * 1024) + 1, 20)] // extended past its cap
    [InlineData(0x7FFFFFFFL, 99)] // unknown id, huge
    [InlineData(0xFFFFFFFFL, 200)]
    [InlineData(0xFFFFFFFFL, 7)]
    [InlineData(2, 0)] // choke with a body
    [InlineData(6, 4)] // have too long
    [InlineData(14, 6)] // request too long
    [InlineData(4, 9)] // port too long
    public void RefusesOversizedMessagesFromTheHeaderAlone(long length, int id)
    {
        var e = Refused(Frame((uint)length, (byte)id));
        Assert.Contains("limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WaitsForTheBodyOfAMessageAtTheCap()
    {
        foreach (var (length, id) in new (uint, byte)[] { (9 + (16 * 1024), 7), (14, 5), (2 + (64 * 1024), 20), (1 + (64 * 1024), 99) })
        {
            var sequence = new ReadOnlySequence<byte>(Frame(length, id, bodyBytes: 3));
            Assert.False(PeerMessageReader.TryRead(ref sequence, Limits, out var message));
            Assert.Null(message);
            Assert.Equal(8, sequence.Length);
        }
    }

    [Fact]
    public void WaitsForTheIdBeforeJudgingTheLength()
    {
        var sequence = new ReadOnlySequence<byte>(Frame(0xFFFFFFFF, 7)[..4]);
        Assert.False(PeerMessageReader.TryRead(ref sequence, Limits, out _));
        Assert.Equal(4, sequence.Length);
    }

    [Fact]
    public void RejectsBitfieldWithSpareBitsSet()
    {
        for (var bit = 0; bit < 4; bit++)
        {
            var bits = new byte[13];
            bits[^1] = (byte)(1 << bit);
            Assert.Contains("past the last piece", Refused(Encode(new Bitfield(bits))).Message, StringComparison.Ordinal);
        }

        var ok = new byte[13];
        ok[^1] = 0xF0;
        Assert.True(Same(new Bitfield(ok), ReadOne(Encode(new Bitfield(ok)))));
    }

    [Fact]
    public void BitfieldWithoutSpareBitsAcceptsAFullByte()
    {
        var limits = Limits with { PieceCount = 16 };
        Assert.True(Same(new Bitfield([0xFF, 0xFF]), ReadOne(Encode(new Bitfield([0xFF, 0xFF])), limits)));
    }

    [Fact]
    public void RejectsShortBitfield() => Refused(Encode(new Bitfield(new byte[12])));

    [Theory]
    [InlineData(-1)]
    [InlineData(Pieces)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void RejectsPieceIndexOutOfRange(int piece)
    {
        PeerMessage[] messages =
        [
            new Have(piece), new SuggestPiece(piece), new AllowedFast(piece),
            new Request(piece, 0, 16), new Cancel(piece, 0, 16), new RejectRequest(piece, 0, 16),
            new PieceBlock(piece, 0, [1]),
        ];
        foreach (var m in messages)
        {
            Assert.Contains("piece index", Refused(Encode(m)).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, -1)]
    [InlineData(0, (16 * 1024) + 1)]
    [InlineData(-1, 16)]
    public void RejectsBadBlocks(int begin, int length)
    {
        Refused(Encode(new Request(0, begin, length)));
        Refused(Encode(new Cancel(0, begin, length)));
        Refused(Encode(new RejectRequest(0, begin, length)));
    }

    [Fact]
    public void RejectsPieceMessagesWithoutABlock()
    {
        Refused(Encode(new PieceBlock(0, -1, [1])));
        Refused(Encode(new PieceBlock(0, 0, [])));
        var shortHeader = Frame(5, 7, 4);
        Refused(shortHeader);
    }

    [Fact]
    public void RejectsFixedSizeMessagesOfTheWrongSize()
    {
        Refused(Frame(4, 4, 3)); // have with 3 bytes
        Refused(Frame(12, 6, 11)); // request with 11 bytes
        Refused(Frame(2, 9, 1)); // port with 1 byte
        Refused(Frame(1, 20)); // extended without its id
    }

    [Fact]
    public void SkipsUnknownMessages()
    {
        var stream = Frame(4, 42, 3).Concat(Encode(Unchoke.Instance)).ToArray();
        var sequence = new ReadOnlySequence<byte>(stream);
        Assert.True(PeerMessageReader.TryRead(ref sequence, Limits, out var unknown));
        Assert.Null(unknown);
        Assert.True(PeerMessageReader.TryRead(ref sequence, Limits, out var next));
        Assert.Same(Unchoke.Instance, next);
        Assert.Equal(0, sequence.Length);
    }

    [Fact]
    public void ExtensionHandshakeRoundTrips()
    {
        var original = new ExtensionHandshake(
            new Dictionary<string, int> { ["ut_metadata"] = 3, ["ut_pex"] = 1 },
            "SwarmActors 0.1 \u00e9",
            6881,
            31_235,
            250);
        var bytes = original.Encode();
        Assert.Equal(
            "d1:md11:ut_metadatai3e6:ut_pexi1ee13:metadata_sizei31235e1:pi6881e4:reqqi250e1:v18:SwarmActors 0.1 \u00c3\u00a9e",
            Encoding.Latin1.GetString(bytes));
        var decoded = ExtensionHandshake.Decode(bytes);
        Assert.Equal(original.Extensions.OrderBy(e => e.Key), decoded.Extensions.OrderBy(e => e.Key));
        Assert.Equal(
            (original.Client, original.ListenPort, original.MetadataSize, original.RequestQueue),
            (decoded.Client, decoded.ListenPort, decoded.MetadataSize, decoded.RequestQueue));
    }

    [Fact]
    public void OurExtensionHandshakeOffersUtMetadataOnlyWhenAsked()
    {
        var serving = ExtensionHandshake.Decode(ExtensionHandshake.Ours(metadata: true, 6881, 31235, 250).Encode());
        Assert.Equal(ExtensionHandshake.OurMetadataId, serving.Extensions[MetadataMessage.ExtensionName]);
        Assert.Equal((ExtensionHandshake.OurClient, 6881, 31235, 250), (serving.Client!, serving.ListenPort!.Value, serving.MetadataSize!.Value, serving.RequestQueue!.Value));

        var closed = ExtensionHandshake.Decode(ExtensionHandshake.Ours(metadata: false, 6881, null, 250).Encode());
        Assert.Empty(closed.Extensions);
        Assert.Null(closed.MetadataSize);
    }

    [Fact]
    public void ExtensionHandshakeWithNothingOptional()
    {
        var bare = new ExtensionHandshake(new Dictionary<string, int>(), null, null, null, null);
        Assert.Equal("d1:mdee", Encoding.ASCII.GetString(bare.Encode()));
        var decoded = ExtensionHandshake.Decode(bare.Encode());
        Assert.Empty(decoded.Extensions);
        Assert.Null(decoded.Client);
        Assert.Null(decoded.ListenPort);
    }

    [Fact]
    public void ExtensionHandshakeIgnoresOutOfRangeValues()
    {
        var decoded = ExtensionHandshake.Decode("d1:md1:ai0e1:bi256e1:ci-1e1:d3:xyz1:ei255ee1:pi70000e4:reqqi0e1:vi5ee"u8);
        Assert.Equal([new KeyValuePair<string, int>("e", 255)], decoded.Extensions);
        Assert.Null(decoded.ListenPort);
        Assert.Null(decoded.RequestQueue);
        Assert.Null(decoded.Client);
    }

    [Theory]
    [InlineData("le")]
    [InlineData("d1:m")]
    [InlineData("not bencode")]
    [InlineData("")]
    public void ExtensionHandshakeRejectsGarbage(string text) =>
        Assert.Throws<PeerProtocolException>(() => ExtensionHandshake.Decode(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void ExtensionHandshakeRejectsDeepNesting() =>
        Assert.Throws<PeerProtocolException>(() => ExtensionHandshake.Decode(Encoding.ASCII.GetBytes("d1:x" + new string('l', 20) + new string('e', 21))));
}
