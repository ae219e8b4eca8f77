using Swarm.Protocol.Mse;
using Xunit;

namespace Swarm.Protocol.Tests.Mse;

/// <summary>RC4 against the RFC 6229 keystream vectors (also checked with `openssl enc -rc4`), including the offset
/// 1024 that MSE starts from.</summary>
public sealed class Rc4Tests
{
    [Theory]
    [InlineData("0102030405", 0, "b2396305f03dc027ccc3524a0a1118a8")]
    [InlineData("0102030405", 16, "6982944f18fc82d589c403a47a0d0919")]
    [InlineData("0102030405", 1024, "30abbcc7c20b01609f23ee2d5f6bb7df")]
    [InlineData("0102030405060708090a0b0c0d0e0f10", 0, "9ac7cc9a609d1ef7b2932899cde41b97")]
    [InlineData("0102030405060708090a0b0c0d0e0f10", 16, "5248c4959014126a6e8a84f11d1a9e1c")]
    [InlineData("0102030405060708090a0b0c0d0e0f10", 1024, "bdf0324e6083dcc6d3cedd3ca8c53c16")]
    public void Keystream_matches_RFC_6229(string key, int offset, string expected)
    {
        var stream = new byte[offset + 16];
        new Rc4(Convert.FromHexString(key)).Apply(stream);
        Assert.Equal(expected, Convert.ToHexStringLower(stream.AsSpan(offset)));
    }

    [Fact]
    public void The_MSE_variant_starts_at_offset_1024()
    {
        var stream = new byte[16];
        Rc4.ForMse(Convert.FromHexString("0102030405")).Apply(stream);
        Assert.Equal("30abbcc7c20b01609f23ee2d5f6bb7df", Convert.ToHexStringLower(stream));
    }

    [Fact]
    public void Applying_in_pieces_equals_applying_at_once_and_decrypts()
    {
        var plain = new byte[1000];
        new Random(3).NextBytes(plain);
        var whole = plain.ToArray();
        Rc4.ForMse([9, 8, 7]).Apply(whole);
        var pieces = plain.ToArray();
        var cipher = Rc4.ForMse([9, 8, 7]);
        cipher.Apply(pieces.AsSpan(0, 1));
        cipher.Apply(pieces.AsSpan(1, 500));
        cipher.Apply(pieces.AsSpan(501));
        Assert.Equal(whole, pieces);
        Rc4.ForMse([9, 8, 7]).Apply(pieces);
        Assert.Equal(plain, pieces);
    }

    [Fact]
    public void An_empty_key_is_refused() => Assert.Throws<ArgumentException>(() => new Rc4([]));
}
