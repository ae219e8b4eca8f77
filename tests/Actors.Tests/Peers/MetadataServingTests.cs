using Swarm.Actors.Peers;
using Swarm.Protocol.PeerWire;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class MetadataServingTests
{
    private const byte TheirId = 9;
    private static readonly byte[] Info = Enumerable.Range(0, 40_000).Select(i => (byte)i).ToArray(); // three pieces

    [Fact]
    public void A_request_is_answered_with_the_piece_under_the_peers_id()
    {
        var answer = MetadataServing.Answer(MetadataMessage.Request(2), TheirId, Info);

        Assert.NotNull(answer);
        Assert.Equal(TheirId, answer!.ExtendedId);
        var data = MetadataMessage.Decode(answer.Payload, Info.Length);
        Assert.Equal((MetadataMessageType.Data, 2, Info.Length), (data.Type, data.Piece, data.TotalSize));
        Assert.Equal(Info.AsSpan(2 * MetadataMessage.PieceLength).ToArray(), data.Data);
    }

    [Fact]
    public void A_piece_past_the_end_is_rejected()
    {
        var answer = MetadataServing.Answer(MetadataMessage.Request(3), TheirId, Info);

        var reject = MetadataMessage.Decode(answer!.Payload, Info.Length);
        Assert.Equal((MetadataMessageType.Reject, 3), (reject.Type, reject.Piece));
    }

    [Fact]
    public void Nothing_is_answered_to_a_peer_without_an_id_for_ut_metadata_nor_to_data_or_rejects()
    {
        Assert.Null(MetadataServing.Answer(MetadataMessage.Request(0), theirId: 0, Info));
        Assert.Null(MetadataServing.Answer(MetadataMessage.Reject(0), TheirId, Info));
        Assert.Null(MetadataServing.Answer(MetadataMessage.DataOf(Info, 0), TheirId, Info));
    }
}
