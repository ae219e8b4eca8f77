using System.Text;
using CsCheck;
using Swarm.Protocol.Bencode;
using Xunit;
using static Swarm.Protocol.Tests.BValues;

namespace Swarm.Protocol.Tests;

public sealed class BencodeTests
{
    private static readonly Gen<BValue> Leaf = Gen.OneOf<BValue>(
        Gen.Long.Select(v => (BValue)new BInteger(v)),
        Gen.Int[-1000, 1000].Select(v => (BValue)new BInteger(v)),
        Gen.Byte.Array[0, 24].Select(b => (BValue)new BString(b)));

    private static readonly Gen<BValue> Tree = Value(4);

    private static Gen<BValue> Value(int depth)
    {
        if (depth == 0)
        {
            return Leaf;
        }

        var child = Value(depth - 1);
        var list = child.Array[0, 5].Select(items => (BValue)new BList(items));
        var dict = Gen.Select(Gen.Byte.Array[0, 6], child).Array[0, 5].Select(entries =>
        {
            var d = new Dictionary<string, BValue>(StringComparer.Ordinal);
            foreach (var (key, value) in entries)
            {
                d[BDictionary.KeyOf(key)] = value;
            }

            return (BValue)new BDictionary(d);
        });
        return Gen.Frequency((3, (IGen<BValue>)Leaf), (1, list), (1, dict));
    }

    private static BValue Decode(string text, BencodeLimits? limits = null) => BencodeReader.Decode(Encoding.Latin1.GetBytes(text), limits);

    private static BencodeException Rejects(string text, BencodeLimits? limits = null) =>
        Assert.Throws<BencodeException>(() => Decode(text, limits));

    [Fact]
    public void RandomTreesSurviveEncodeThenDecode()
    {
        Tree.Sample(
            value =>
            {
                var bytes = BencodeWriter.Encode(value);
                var decoded = BencodeReader.Decode(bytes);
                Assert.True(Same(value, decoded), "decoded tree differs from the original");
                Assert.Equal(bytes, BencodeWriter.Encode(decoded));
            },
            iter: 2000);
    }

    [Fact]
    public void EncodingDoesNotDependOnInsertionOrder()
    {
        Gen.Select(Gen.Byte.Array[0, 6], Gen.Long).Array[1, 12].Sample(
            entries =>
            {
                var forward = new Dictionary<string, BValue>(StringComparer.Ordinal);
                var backward = new Dictionary<string, BValue>(StringComparer.Ordinal);
                foreach (var (k, v) in entries)
                {
                    forward[BDictionary.KeyOf(k)] = new BInteger(v);
                }

                foreach (var key in forward.Keys.Reverse())
                {
                    backward[key] = forward[key];
                }

                Assert.Equal(BencodeWriter.Encode(new BDictionary(forward)), BencodeWriter.Encode(new BDictionary(backward)));
            },
            iter: 500);
    }

    [Fact]
    public void DictionaryKeysAreWrittenInRawByteOrder()
    {
        var d = BDictionary.From(
            ("b", Int(1)),
            ("a", Int(2)),
            ("\u00ff", Int(3)),
            ("B", Int(4)),
            ("ab", Int(5)),
            ("", Int(6)));
        Assert.Equal("d0:i6e1:Bi4e1:ai2e2:abi5e1:bi1e1:\u00ffi3ee", Encoding.Latin1.GetString(BencodeWriter.Encode(d)));
    }

    [Theory]
    [InlineData("i0e", 0L)]
    [InlineData("i42e", 42L)]
    [InlineData("i-42e", -42L)]
    [InlineData("i9223372036854775807e", long.MaxValue)]
    [InlineData("i-9223372036854775808e", long.MinValue)]
    public void ReadsIntegers(string text, long expected)
    {
        Assert.Equal(expected, Assert.IsType<BInteger>(Decode(text)).Value);
        Assert.Equal(text, Encoding.Latin1.GetString(BencodeWriter.Encode(new BInteger(expected))));
    }

    [Fact]
    public void ReadsAFullDocument()
    {
        var v = Assert.IsType<BDictionary>(Decode("d0:0:3:cow3:moo4:spaml1:a1:bee"));
        Assert.Equal(3, v.Entries.Count);
        Assert.Empty(Assert.IsType<BString>(v[""]).Bytes);
        Assert.Equal("moo", Assert.IsType<BString>(v["cow"]).Text);
        Assert.Equal(["a", "b"], Assert.IsType<BList>(v["spam"]).Items.Cast<BString>().Select(s => s.Text));
        Assert.Equal((10, 5), (v["cow"]!.SourceOffset, v["cow"]!.SourceLength));
    }

    [Fact]
    public void SourceRangesLocateTheOriginalBytes()
    {
        var text = "d1:ad1:xi1e1:yl0:ee1:bi-7ee";
        var bytes = Encoding.Latin1.GetBytes(text);
        var root = Assert.IsType<BDictionary>(BencodeReader.Decode(bytes));
        Assert.Equal((0, bytes.Length), (root.SourceOffset, root.SourceLength));
        var a = root["a"]!;
        Assert.Equal("d1:xi1e1:yl0:ee", text.Substring(a.SourceOffset, a.SourceLength));
        var b = root["b"]!;
        Assert.Equal("i-7e", text.Substring(b.SourceOffset, b.SourceLength));
    }

    [Fact]
    public void DecodePrefixReportsConsumedBytes()
    {
        var bytes = Encoding.Latin1.GetBytes("d8:msg_typei1e5:piecei0eeRAWPIECE");
        var v = BencodeReader.DecodePrefix(bytes, out var consumed);
        Assert.Equal(bytes.Length - "RAWPIECE".Length, consumed);
        Assert.Equal(1, Assert.IsType<BInteger>(Assert.IsType<BDictionary>(v)["msg_type"]).Value);
    }

    [Theory]
    [InlineData("i03e")]
    [InlineData("i00e")]
    [InlineData("i-0e")]
    [InlineData("i-03e")]
    [InlineData("ie")]
    [InlineData("i-e")]
    [InlineData("i1x2e")]
    [InlineData("i 1e")]
    [InlineData("i+1e")]
    [InlineData("i12")]
    [InlineData("i9223372036854775808e")]
    [InlineData("i-9223372036854775809e")]
    [InlineData("i99999999999999999999999e")]
    public void RejectsMalformedIntegers(string text) => Rejects(text);

    [Fact]
    public void OverflowIsNamed() => Assert.Contains("overflow", Rejects("i9223372036854775808e").Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("d1:bi1e1:ai2ee")]
    [InlineData("d2:abi1e1:ai2ee")]
    [InlineData("d1:ai1e1:ai2ee")]
    [InlineData("di1ei2ee")]
    [InlineData("dl1:ae1:be")]
    [InlineData("dd1:ai1ee1:be")]
    public void RejectsBadDictionaryKeys(string text) => Rejects(text);

    [Fact]
    public void NamesDuplicateAndUnsortedKeys()
    {
        Assert.Contains("duplicate", Rejects("d1:ai1e1:ai2ee").Message, StringComparison.Ordinal);
        Assert.Contains("not sorted", Rejects("d1:bi1e1:ai2ee").Message, StringComparison.Ordinal);
        Assert.Contains("not a string", Rejects("di1ei2ee").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5:abc")]
    [InlineData("4:")]
    [InlineData("9999999:x")]
    [InlineData("3")]
    [InlineData("03:abc")]
    [InlineData("-1:a")]
    [InlineData(":abc")]
    [InlineData("99999999999999999999:a")]
    public void RejectsBadStrings(string text) => Rejects(text);

    [Fact]
    public void StringRunningPastTheEndIsNamed() =>
        Assert.Contains("past the end", Rejects("l1:a10:abce").Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("l")]
    [InlineData("li1e")]
    [InlineData("l1:a")]
    [InlineData("d")]
    [InlineData("d1:a")]
    [InlineData("d1:ai1e")]
    [InlineData("lli1ee")]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("e")]
    public void RejectsTruncatedOrUnterminatedInput(string text) => Rejects(text);

    [Theory]
    [InlineData("i1ei2e")]
    [InlineData("lee")]
    [InlineData("de ")]
    [InlineData("4:spam\n")]
    public void RejectsTrailingData(string text) =>
        Assert.Contains("trailing", Rejects(text).Message, StringComparison.Ordinal);

    [Fact]
    public void AcceptsNestingUpToTheDefaultDepthLimit()
    {
        var text = new string('l', 100) + "i1e" + new string('e', 100);
        Assert.IsType<BList>(Decode(text));
    }

    [Fact]
    public void RejectsNestingBeyondTheDefaultDepthLimit()
    {
        Assert.Contains("nesting", Rejects(new string('l', 101) + new string('e', 101)).Message, StringComparison.Ordinal);
        Rejects(string.Concat(Enumerable.Repeat("d1:a", 101)) + "i1e" + new string('e', 101));
    }

    [Fact]
    public void DeepHostileNestingIsRejectedWithoutExhaustingTheStack()
    {
        var text = new string('l', 1_000_000);
        Rejects(text);
    }

    [Fact]
    public void HonoursACustomDepthLimit()
    {
        var limits = new BencodeLimits(MaxDepth: 3);
        Assert.IsType<BList>(Decode("llli1eeee", limits));
        Rejects("lllleeee", limits);
    }

    [Fact]
    public void HonoursTheTokenLimit()
    {
        var limits = new BencodeLimits(MaxTokens: 10);
        var nine = "l" + string.Concat(Enumerable.Repeat("i1e", 9)) + "e";
        Assert.Equal(9, Assert.IsType<BList>(Decode(nine, limits)).Items.Count);
        var ten = "l" + string.Concat(Enumerable.Repeat("i1e", 10)) + "e";
        Assert.Contains("elements", Rejects(ten, limits).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DictionaryKeysCountAsTokens()
    {
        var limits = new BencodeLimits(MaxTokens: 4);
        Decode("d1:ai1ee", limits);
        Rejects("d1:ai1e1:bi2ee", limits);
    }

    [Fact]
    public void HonoursTheStringLengthLimit()
    {
        var limits = new BencodeLimits(MaxStringLength: 8);
        Assert.Equal("12345678", Assert.IsType<BString>(Decode("8:12345678", limits)).Text);
        Assert.Contains("limit", Rejects("9:123456789", limits).Message, StringComparison.Ordinal);
        // The length is checked before the bytes are looked for: a huge claim is refused, not read.
        Assert.Contains("limit", Rejects("999999999:x", limits).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorsCarryTheOffset()
    {
        var e = Rejects("li1ei03ee");
        Assert.Equal(5, e.Offset);
        Assert.Contains("at byte 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorMessagesStayOnOneLine()
    {
        var e = Rejects("d2:b\n1:a2:a\r1:be");
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
    }

    [Fact]
    public void RandomGarbageNeverEscapesAsAnotherException()
    {
        Gen.Byte.Array[0, 40].Sample(
            bytes =>
            {
                try
                {
                    BencodeReader.Decode(bytes);
                }
                catch (BencodeException)
                {
                }
            },
            iter: 5000);
        Gen.OneOf(Gen.Const((byte)'i'), Gen.Const((byte)'l'), Gen.Const((byte)'d'), Gen.Const((byte)'e'), Gen.Const((byte)':'), Gen.Byte[(byte)'0', (byte)'9'], Gen.Const((byte)'-'))
            .Array[0, 30].Sample(
                bytes =>
                {
                    try
                    {
                        var v = BencodeReader.Decode(bytes);
                        Assert.Equal(bytes, BencodeWriter.Encode(v));
                    }
                    catch (BencodeException)
                    {
                    }
                },
                iter: 20000);
    }
}
