using System.Text;
using Swarm.Protocol.Lsd;
using Xunit;

namespace Swarm.Protocol.Tests;

/// <summary>BEP 14 announces: what we send, what libtorrent sends, and what is dropped.</summary>
public sealed class LsdAnnounceTests
{
    private static readonly InfoHash A = InfoHash.Parse(new string('a', 40));
    private static readonly InfoHash B = InfoHash.Parse(new string('b', 40));

    [Fact]
    public void An_announce_round_trips()
    {
        var bytes = new LsdAnnounce(6881, [A, B], "c00k1e").Encode("239.192.152.143:6771");
        Assert.Equal(
            $"BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\nPort: 6881\r\nInfohash: {A.Hex}\r\nInfohash: {B.Hex}\r\ncookie: c00k1e\r\n\r\n\r\n",
            Encoding.ASCII.GetString(bytes));
        var back = LsdAnnounce.Decode(bytes, 1400, 16)!;
        Assert.Equal(6881, back.Port);
        Assert.Equal([A, B], back.InfoHashes);
        Assert.Equal("c00k1e", back.Cookie);
    }

    [Fact]
    public void Header_names_are_case_insensitive_and_upper_case_hashes_are_read()
    {
        var text = $"BT-SEARCH * HTTP/1.1\r\nhost: x\r\nPORT: 51413\r\nINFOHASH: {A.Hex.ToUpperInvariant()}\r\n\r\n\r\n";
        var m = LsdAnnounce.Decode(Encoding.ASCII.GetBytes(text), 1400, 16)!;
        Assert.Equal(51413, m.Port);
        Assert.Equal([A], m.InfoHashes);
        Assert.Null(m.Cookie);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nPort: 1\r\nInfohash: {A}\r\n\r\n")] // not a BT-SEARCH
    [InlineData("BT-SEARCH * HTTP/1.1\r\nInfohash: {A}\r\n\r\n")] // no port
    [InlineData("BT-SEARCH * HTTP/1.1\r\nPort: 0\r\nInfohash: {A}\r\n\r\n")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nPort: 65536\r\nInfohash: {A}\r\n\r\n")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nPort: -5\r\nInfohash: {A}\r\n\r\n")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\n\r\n")] // no info-hash
    [InlineData("BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: zz\r\n\r\n")]
    [InlineData("BT-SEARCH * HTTP/1.1\r\nPort: 6881\r\nInfohash: MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U\r\n\r\n")] // base32 is not BEP 14
    [InlineData("")]
    public void Anything_else_is_dropped(string text)
    {
        Assert.Null(LsdAnnounce.Decode(Encoding.ASCII.GetBytes(text.Replace("{A}", A.Hex, StringComparison.Ordinal)), 1400, 16));
    }

    [Fact]
    public void Oversized_and_non_ASCII_datagrams_are_dropped_and_hashes_are_capped()
    {
        var many = string.Concat(Enumerable.Range(0, 40).Select(i => $"Infohash: {i:x40}\r\n"));
        var text = Encoding.ASCII.GetBytes($"BT-SEARCH * HTTP/1.1\r\nPort: 1\r\n{many}\r\n\r\n");
        Assert.Null(LsdAnnounce.Decode(text, 1400, 16)); // 2 KB: over the size limit
        Assert.Equal(16, LsdAnnounce.Decode(text, 4096, 16)!.InfoHashes.Count);

        var binary = Encoding.ASCII.GetBytes($"BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: {A.Hex}\r\n\r\n");
        binary[^1] = 0xff;
        Assert.Null(LsdAnnounce.Decode(binary, 1400, 16));
    }
}
