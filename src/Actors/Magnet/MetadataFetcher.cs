using System.IO.Pipelines;
using System.Net;
using Swarm.Actors.Peers;
using Swarm.Protocol;
using Swarm.Protocol.Magnet;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Magnet;

/// <summary>Fetches a torrent's info dictionary from one peer with BEP 10 + BEP 9 (ut_metadata): handshake, extended
/// handshake, then every 16 KiB piece, checked against the info-hash. Runs on its own socket (dialled with
/// <see cref="HandshakeExchange"/>), off any actor; a peer that lies, refuses or stalls throws, and the caller moves on
/// to the next.</summary>
public static class MetadataFetcher
{
    /// <param name="timeout">For the whole fetch: connect, handshakes and every piece.</param>
    /// <param name="clock">Times <paramref name="timeout"/>: the node's clock (<see cref="NodeContext.Clock"/>).</param>
    public static async Task<byte[]> FetchAsync(IPEndPoint peer, InfoHash infoHash, byte[] peerId, int listenPort, int maxSize, TimeSpan timeout, TimeProvider clock, PeerDialer dialer, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout, clock);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var (link, handshake) = await HandshakeExchange.DialAsync(dialer, peer, new Handshake(infoHash, peerId, SupportsExtensions: true, SupportsFast: true), cts.Token).ConfigureAwait(false);
        using var owned = link;
        var stream = link.Stream;
        if (!handshake.SupportsExtensions)
        {
            throw new PeerProtocolException($"{peer} does not support the extension protocol (BEP 10)");
        }

        await Send(stream, new Extended(0, ExtensionHandshake.Ours(metadata: true, listenPort, null, null).Encode()), cts.Token).ConfigureAwait(false);

        // Bitfields are bounded by a generous piece count: the torrent's real one is what we are here to learn.
        var limits = new PeerWireLimits(MetadataMessage.PieceLength, 1 << 22, maxSize + 1024);
        var reader = PipeReader.Create(stream);
        int? theirId = null;
        MetadataAssembler? assembler = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cts.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var messages = new List<PeerMessage>();
                while (PeerMessageReader.TryRead(ref buffer, limits, out var message))
                {
                    if (message is not null)
                    {
                        messages.Add(message);
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                foreach (var message in messages)
                {
                    switch (message)
                    {
                        case Extended { ExtendedId: 0 } x:
                            var ext = ExtensionHandshake.Decode(x.Payload);
                            if (!ext.Extensions.TryGetValue(MetadataMessage.ExtensionName, out var id) || ext.MetadataSize is not { } size)
                            {
                                throw new PeerProtocolException($"{peer} does not serve metadata (no ut_metadata or metadata_size)");
                            }

                            theirId = id;
                            assembler = new MetadataAssembler(infoHash, size, maxSize);
                            for (var piece = 0; piece < assembler.PieceCount; piece++)
                            {
                                await Send(stream, new Extended((byte)id, MetadataMessage.Request(piece).Encode()), cts.Token).ConfigureAwait(false);
                            }

                            break;
                        case Extended { ExtendedId: ExtensionHandshake.OurMetadataId } x when assembler is not null:
                            var m = MetadataMessage.Decode(x.Payload, maxSize);
                            if (m.Type == MetadataMessageType.Reject)
                            {
                                throw new PeerProtocolException($"{peer} rejected metadata piece {m.Piece}");
                            }

                            if (m.Type == MetadataMessageType.Data)
                            {
                                assembler.Add(m);
                                if (assembler.IsComplete)
                                {
                                    return assembler.Verified();
                                }
                            }

                            break;
                    }
                }

                if (result.IsCompleted)
                {
                    throw new PeerProtocolException($"{peer} closed the connection{(theirId is null ? " before its extension handshake" : " before sending all metadata")}");
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static async Task Send(Stream stream, PeerMessage message, CancellationToken ct) =>
        await stream.WriteAsync(PeerMessageWriter.ToArray(message), ct).ConfigureAwait(false);
}
