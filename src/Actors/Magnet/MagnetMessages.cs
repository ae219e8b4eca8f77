using System.Net;

namespace Swarm.Actors.Magnet;

/// <summary>Messages of a magnet link's actor. It answers the torrent queries (<c>TorrentMessages.GetStatus</c>,
/// <c>GetDetails</c>) like a torrent; these are its own fetch round's answers, piped back to it.</summary>
public static class MagnetMessages
{
    /// <summary>A round's answer: an info dictionary that hashes to the link's info-hash, and the peer that gave it.</summary>
    internal sealed record MetadataFetched(byte[] InfoDictionary, IPEndPoint From);

    /// <summary>A round's answer when no peer gave the metadata within <c>magnet.metadata-timeout</c>, with their reasons.</summary>
    internal sealed record MetadataNotFetched(string Reason);
}
