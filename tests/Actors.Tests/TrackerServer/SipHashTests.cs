using Swarm.Actors.TrackerServer;
using Xunit;

namespace Swarm.Actors.Tests.TrackerServer;

/// <summary>SipHash-2-4 against the reference vectors (key 00..0f, message 00..n-1), on each side of the 8-byte block.</summary>
public sealed class SipHashTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 16).Select(i => (byte)i)];

    [Theory]
    [InlineData(0, 0x726fdb47dd0e0e31UL)]
    [InlineData(8, 0x93f5f5799a932462UL)]
    [InlineData(15, 0xa129ca6149be45e5UL)] // the example of the paper's appendix
    public void Matches_the_reference_vectors(int length, ulong expected)
    {
        var message = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        Assert.Equal(expected, SipHash.Hash(Key, message));
    }

    [Fact]
    public void A_key_of_another_length_is_refused()
    {
        Assert.Throws<ArgumentException>(() => SipHash.Hash(new byte[32], []));
    }
}
