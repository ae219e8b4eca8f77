using System.Security.Cryptography;
using Swarm.Protocol.Metainfo;
using Xunit;

namespace Swarm.Protocol.Tests.Metainfo;

/// <summary>A v1 piece is checked in one call (issue 14); it must give what hashing it a part at a time gives.</summary>
public sealed class PieceExpectationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16_384)]
    [InlineData(262_144)]
    [InlineData(262_143)]
    public void A_v1_piece_matches_its_sha1_and_nothing_else(int length)
    {
        var piece = new byte[length];
        new Random(length).NextBytes(piece);
        var expected = PieceExpectation.V1(SHA1.HashData(piece));

        Assert.True(expected.Matches(piece));
        using (var hasher = expected.Start())
        {
            for (var at = 0; at < length; at += 16_384)
            {
                hasher.Append(piece.AsSpan(at, Math.Min(16_384, length - at)));
            }

            Assert.True(hasher.Matches());
        }

        if (length > 0)
        {
            piece[length / 2] ^= 1;
            Assert.False(expected.Matches(piece));
        }

        Assert.False(expected.Matches([.. piece, 0]));
    }

    [Fact]
    public void An_unverifiable_piece_matches_nothing_even_with_the_right_sha1()
    {
        var piece = new byte[100];
        var expected = new PieceExpectation(SHA1.HashData(piece), null, 0, 1, Unverifiable: true);

        Assert.False(expected.Matches(piece));
    }
}
