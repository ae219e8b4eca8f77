using System.Security.Cryptography;
using CsCheck;
using Swarm.Protocol.Magnet;
using Swarm.Protocol.PeerWire;
using Xunit;

namespace Swarm.Protocol.Tests;

/// <summary>BEP 9 ut_metadata messages and the assembly of fetched metadata, including what a lying or broken peer
/// sends.</summary>
public sealed class MetadataExchangeTests
{
    private const int Max = 16 << 20;

    [Fact]
    public void Requests_and_rejects_round_trip_as_BEP_9_writes_them()
    {
        Assert.Equal("d8:msg_typei0e5:piecei3ee"u8.ToArray(), MetadataMessage.Request(3).Encode());
        Assert.Equal(MetadataMessage.Request(3) with { Data = [] }, MetadataMessage.Decode(MetadataMessage.Request(3).Encode(), Max) with { Data = [] });
        Assert.Equal(MetadataMessageType.Reject, MetadataMessage.Decode("d8:msg_typei2e5:piecei0ee"u8, Max).Type);
    }

    [Fact]
    public void Every_piece_of_any_info_dictionary_round_trips_and_reassembles()
    {
        Gen.Int[1, 100_000].Sample(size =>
        {
            var info = new byte[size];
            Random.Shared.NextBytes(info);
            var hash = new InfoHash(SHA1.HashData(info));
            var assembler = new MetadataAssembler(hash, size, Max);
            for (var piece = MetadataMessage.PieceCount(size) - 1; piece >= 0; piece--)
            {
                assembler.Add(MetadataMessage.Decode(MetadataMessage.DataOf(info, piece).Encode(), Max));
            }

            Assert.Equal(info, assembler.Verified());
        }, iter: 50);
    }

    [Fact]
    public void Metadata_that_does_not_hash_to_the_info_hash_is_refused()
    {
        var info = new byte[20_000];
        var assembler = new MetadataAssembler(new InfoHash(new byte[20]), info.Length, Max);
        assembler.Add(MetadataMessage.DataOf(info, 0));
        assembler.Add(MetadataMessage.DataOf(info, 1));
        Assert.Contains("hashes to", Assert.Throws<PeerProtocolException>(assembler.Verified).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(Max + 1)]
    public void A_metadata_size_out_of_bounds_is_refused_before_anything_is_requested(int size) =>
        Assert.Throws<PeerProtocolException>(() => new MetadataAssembler(new InfoHash(new byte[20]), size, Max));

    [Fact]
    public void Data_for_another_size_than_announced_is_a_protocol_violation()
    {
        var assembler = new MetadataAssembler(new InfoHash(new byte[20]), 20_000, Max);
        Assert.Throws<PeerProtocolException>(() => assembler.Add(MetadataMessage.DataOf(new byte[30_000], 0)));
    }

    [Theory]
    [InlineData("d8:msg_typei1e5:piecei0e10:total_sizei100ee", "not 100")]                // no bytes after the header
    [InlineData("d8:msg_typei1e5:piecei1e10:total_sizei100ee", "beyond")]                 // piece past the end
    [InlineData("d8:msg_typei1e5:piecei0ee", "total_size")]                               // data without a size
    [InlineData("d8:msg_typei1e5:piecei0e10:total_sizei99999999999ee", "total_size")]     // absurd size
    [InlineData("d8:msg_typei7e5:piecei0ee", "msg_type")]                                 // unknown type
    [InlineData("d8:msg_typei0e5:piecei-1ee", "msg_type")]                                // negative piece
    [InlineData("li1ee", "msg_type")]                                                     // not a dictionary
    [InlineData("d8:msg_type", "invalid")]                                                // truncated
    public void Hostile_messages_are_refused_with_a_reason(string payload, string reason)
    {
        var e = Assert.Throws<PeerProtocolException>(() => MetadataMessage.Decode(System.Text.Encoding.ASCII.GetBytes(payload), Max));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_data_piece_longer_than_16_KiB_is_refused()
    {
        var header = "d8:msg_typei1e5:piecei0e10:total_sizei40000ee"u8.ToArray();
        Assert.Throws<PeerProtocolException>(() => MetadataMessage.Decode([.. header, .. new byte[16385]], Max));
    }
}
