using Swarm.Actors.Peers;
using Swarm.Actors.Pieces;
using Swarm.Actors.Tests.Support;
using Swarm.Protocol.PeerWire;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class ConnectionOpeningTests : IDisposable
{
    private readonly TestTorrent _torrent = new(length: 4 << 16, pieceLength: 1 << 16);

    private int Pieces => _torrent.Metainfo.PieceCount;

    public void Dispose() => _torrent.Dispose();

    [Fact]
    public void A_fast_peer_hears_have_none_or_have_all_and_a_partial_set_as_a_bitfield()
    {
        Assert.Equal([HaveNone.Instance], Open(Remote(fast: true), new PieceSet(Pieces)));
        Assert.Equal([HaveAll.Instance], Open(Remote(fast: true), PieceSet.Full(Pieces)));

        var some = new PieceSet(Pieces);
        some.Add(1);
        var bitfield = Assert.IsType<Bitfield>(Assert.Single(Open(Remote(fast: true), some)));
        Assert.Equal(new byte[] { 0b0100_0000 }, bitfield.Bits);
    }

    [Fact]
    public void A_peer_without_the_fast_extension_hears_a_bitfield_or_nothing()
    {
        Assert.Empty(Open(Remote(fast: false), new PieceSet(Pieces)));
        var bitfield = Assert.IsType<Bitfield>(Assert.Single(Open(Remote(fast: false), PieceSet.Full(Pieces))));
        Assert.Equal(new byte[] { 0b1111_0000 }, bitfield.Bits);
    }

    [Fact]
    public void An_extension_peer_hears_our_extended_handshake_first_offering_the_metadata()
    {
        var messages = Open(Remote(fast: true, extensions: true), PieceSet.Full(Pieces));

        Assert.Equal(2, messages.Count);
        var ext = ExtensionHandshake.Decode(Assert.IsType<Extended>(messages[0]).Payload);
        Assert.Equal(ExtensionHandshake.OurMetadataId, ext.Extensions[MetadataMessage.ExtensionName]);
        Assert.Equal((6881, _torrent.Metainfo.InfoBytes.Length, 500), (ext.ListenPort, ext.MetadataSize, ext.RequestQueue));
        Assert.Same(HaveAll.Instance, messages[1]);
    }

    [Fact]
    public void A_private_torrent_does_not_offer_its_metadata()
    {
        var metainfo = _torrent.Metainfo with { IsPrivate = true };

        var messages = ConnectionOpening.Messages(Remote(fast: true, extensions: true), new PieceSet(Pieces), metainfo, 6881, 500);

        var ext = ExtensionHandshake.Decode(Assert.IsType<Extended>(messages[0]).Payload);
        Assert.False(ext.Extensions.ContainsKey(MetadataMessage.ExtensionName));
        Assert.Null(ext.MetadataSize);
    }

    [Fact]
    public void Peer_exchange_is_offered_for_a_public_torrent_and_never_for_a_private_one()
    {
        var remote = Remote(fast: true, extensions: true);
        var open = ExtensionHandshake.Decode(Assert.IsType<Extended>(ConnectionOpening.Messages(remote, new PieceSet(Pieces), _torrent.Metainfo, 6881, 500, pex: true)[0]).Payload);
        Assert.Equal(ExtensionHandshake.OurPexId, open.Extensions[Swarm.Protocol.Pex.PexMessage.ExtensionName]);

        var closed = _torrent.Metainfo with { IsPrivate = true };
        var ext = ExtensionHandshake.Decode(Assert.IsType<Extended>(ConnectionOpening.Messages(remote, new PieceSet(Pieces), closed, 6881, 500, pex: true)[0]).Payload);
        Assert.False(ext.Extensions.ContainsKey(Swarm.Protocol.Pex.PexMessage.ExtensionName));
    }

    private IReadOnlyList<PeerMessage> Open(Handshake remote, PieceSet ours) =>
        ConnectionOpening.Messages(remote, ours, _torrent.Metainfo, 6881, 500);

    private Handshake Remote(bool fast, bool extensions = false) =>
        new(_torrent.Metainfo.InfoHash, Handshake.NewPeerId("-XX0001-"), extensions, fast);
}
