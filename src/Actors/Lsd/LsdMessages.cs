using System.Net;
using Swarm.Actors.Catalog;

namespace Swarm.Actors.Lsd;

/// <summary>The LSD actor's own messages (its socket's receive loop, its timer, the catalog's answer).</summary>
public static class LsdMessages
{
    /// <summary>A datagram the receive loop read (already within max-message-size).</summary>
    internal sealed record LsdDatagram(byte[] Bytes, IPEndPoint From);

    /// <summary>Timer, every lsd interval, and sent when a torrent starts: refresh the public torrents and announce.</summary>
    internal sealed record LsdAnnounceTick
    {
        public static LsdAnnounceTick Instance { get; } = new();
    }

    /// <summary>The catalog's list arrived (or its ask failed: null).</summary>
    internal sealed record LsdTorrentsListed(CatalogMessages.TorrentList? List);
}
