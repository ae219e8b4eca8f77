using System.Net;
using CsCheck;
using Swarm.Protocol.Magnet;
using Xunit;

namespace Swarm.Protocol.Tests;

public sealed class MagnetTests
{
    private const string Hex = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a";

    [Fact]
    public void ParsesHexInfoHash()
    {
        var m = MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex}");
        Assert.Equal(Hex, m.InfoHash.Hex);
        Assert.Null(m.DisplayName);
        Assert.Empty(m.Trackers);
        Assert.Empty(m.Peers);
    }

    [Fact]
    public void ParsesUpperCaseHexInfoHash() =>
        Assert.Equal(Hex, MagnetLink.Parse($"magnet:?xt=urn:btih:{Hex.ToUpperInvariant()}").InfoHash.Hex);

    [Fact]
    public void ParsesBase32InfoHash()
    {
        var raw = Convert.FromHexString(Hex);
        var base32 = Base32.Encode(raw);
        Assert.Equal(32, base32.Length);
        Assert.Equal("YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK", base32);
        Assert.Equal(Hex, MagnetLink.Parse($"magnet:?xt=urn:btih:{base32}").InfoHash.Hex);
        Assert.Equal(Hex, MagnetLink.Parse($"magnet:?xt=urn:btih:{base32.ToLowerInvariant()}").InfoHash.Hex);
    }

    [Fact]
    public void ParsesNameTrackersAndPeers()
    {
        var m = MagnetLink.Parse(
            $"magnet:?xt=urn:btih:{Hex}&dn=Big+Buck%20Bunny%2B1&tr=http%3A%2F%2Fa%2Fannounce&tr=udp%3A%2F%2Fb%3A80&x.pe=127.0.0.1:6881&x.pe=%5B%3A%3A1%5D%3A51413&x.pe=not-an-endpoint&foo=bar");
        Assert.Equal("Big Buck Bunny+1", m.DisplayName);
        Assert.Equal(["http://a/announce", "udp://b:80"], m.Trackers);
        Assert.Equal(["127.0.0.1:6881", "[::1]:51413", "not-an-endpoint"], m.Peers);
        Assert.Equal(
            [new IPEndPoint(IPAddress.Loopback, 6881), new IPEndPoint(IPAddress.IPv6Loopback, 51413)],
            m.PeerEndPoints());
    }

    [Fact]
    public void ParameterOrderDoesNotMatter()
    {
        var m = MagnetLink.Parse($"magnet:?dn=x&tr=http%3A%2F%2Ft%2Fa&xt=urn:btih:{Hex}");
        Assert.Equal(Hex, m.InfoHash.Hex);
        Assert.Equal("x", m.DisplayName);
    }

    [Fact]
    public void FormatsWithEscaping()
    {
        var m = new MagnetLink(InfoHash.Parse(Hex), "a b&c=d", ["http://t/announce?x=1&y=2"], ["10.0.0.1:80"]);
        Assert.Equal(
            $"magnet:?xt=urn:btih:{Hex}&dn=a%20b%26c%3Dd&tr=http%3A%2F%2Ft%2Fannounce%3Fx%3D1%26y%3D2&x.pe=10.0.0.1%3A80",
            m.ToString());
    }

    [Fact]
    public void RoundTripsArbitraryText()
    {
        // Any text without lone surrogates (which no URI can carry), including '&', '=', '+', '%' and non-ASCII.
        var text = Gen.OneOf(Gen.Char["&=+%?#:/ abé"], Gen.Char.Where(c => !char.IsSurrogate(c)))
            .Array[0, 20].Select(chars => new string(chars));
        Gen.Select(Gen.Byte.Array[20], text, text.Array[0, 3], text.Array[0, 3]).Sample(
            (hash, name, trackers, peers) =>
            {
                var original = new MagnetLink(new InfoHash(hash), name, trackers, peers);
                var parsed = MagnetLink.Parse(original.ToString());
                Assert.Equal(original.InfoHash, parsed.InfoHash);
                Assert.Equal(name, parsed.DisplayName);
                Assert.Equal(trackers, parsed.Trackers);
                Assert.Equal(peers, parsed.Peers);
            },
            iter: 1000);
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://example.com/?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a")]
    [InlineData("magnet:xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a")]
    [InlineData("magnet:?dn=name&tr=http%3A%2F%2Ft%2Fa")]
    [InlineData("magnet:?")]
    [InlineData("magnet:?xt=urn:btmh:1114caf1e1c30e81cb361b9ee167c4aa64228a7fa4fa9f6105232b28ad099f3a302e")]
    [InlineData("magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88")]
    [InlineData("magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88aa")]
    [InlineData("magnet:?xt=urn:btih:g12fe1c06bba254a9dc9f519b335aa7c1367a88a")]
    [InlineData("magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKE1")]
    [InlineData("magnet:?xt=urn:btih:")]
    public void RejectsInvalidLinks(string uri) => Assert.ThrowsAny<FormatException>(() => MagnetLink.Parse(uri));

    [Fact]
    public void RejectionSaysWhatIsWrong()
    {
        Assert.Contains("magnet:?", Assert.Throws<FormatException>(() => MagnetLink.Parse("http://x")).Message, StringComparison.Ordinal);
        Assert.Contains("xt", Assert.Throws<FormatException>(() => MagnetLink.Parse("magnet:?dn=a")).Message, StringComparison.Ordinal);
        Assert.Contains("zz", Assert.Throws<FormatException>(() => MagnetLink.Parse("magnet:?xt=urn:btih:zz")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Base32RoundTripsAndRejectsForeignCharacters()
    {
        Gen.Byte.Array[0, 40].Sample(bytes =>
        {
            Assert.True(Base32.TryDecode(Base32.Encode(bytes), out var back));
            Assert.Equal(bytes, back);
        });
        Assert.False(Base32.TryDecode("ABC1", out _));
        Assert.False(Base32.TryDecode("AB-C", out _));
    }

    [Fact]
    public void InfoHashRejectsWrongLengths()
    {
        Assert.Throws<ArgumentException>(() => new InfoHash(new byte[19]));
        Assert.Throws<FormatException>(() => InfoHash.Parse("abc"));
        Assert.False(InfoHash.TryParse(null, out _));
        Assert.Equal(InfoHash.Parse(Hex), InfoHash.Parse(Base32.Encode(Convert.FromHexString(Hex))));
        Assert.Equal(InfoHash.Parse(Hex).GetHashCode(), InfoHash.Parse(Hex.ToUpperInvariant()).GetHashCode());
    }
}
