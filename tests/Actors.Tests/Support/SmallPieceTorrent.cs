using System.Security.Cryptography;
using Swarm.Protocol.Bencode;
using Swarm.Protocol.Metainfo;

namespace Swarm.Actors.Tests.Support;

/// <summary>A single-file v1 torrent of pieces under 16 KiB, which <see cref="TorrentBuilder"/> refuses to make (as
/// libtorrent does) but other tools make and the parser accepts.</summary>
public static class SmallPieceTorrent
{
    public static TorrentMetainfo Of(byte[] content, int pieceLength)
    {
        var hashes = new byte[(content.Length + pieceLength - 1) / pieceLength * 20];
        for (var piece = 0; (long)piece * pieceLength < content.Length; piece++)
        {
            var start = piece * pieceLength;
            SHA1.HashData(content.AsSpan(start, Math.Min(pieceLength, content.Length - start)), hashes.AsSpan(piece * 20));
        }

        var info = new BDictionary(new Dictionary<string, BValue>
        {
            ["length"] = new BInteger(content.Length),
            ["name"] = new BString("content.bin"u8.ToArray()),
            ["piece length"] = new BInteger(pieceLength),
            ["pieces"] = new BString(hashes),
        });
        return MetainfoParser.Parse(BencodeWriter.Encode(new BDictionary(new Dictionary<string, BValue> { ["info"] = info })));
    }
}
