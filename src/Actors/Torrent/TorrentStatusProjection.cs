using Swarm.Actors.Pieces;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.TrackerClient.TrackerClientMessages;

namespace Swarm.Actors.Torrent;

/// <summary>What `status` and `show` display about a torrent, computed from its parts without touching them.</summary>
internal static class TorrentStatusProjection
{
    /// <summary>Established connections; a banned peer is being disconnected and is no longer one of ours.</summary>
    public static IReadOnlyList<PeerStatus> Peers(IEnumerable<PeerEntry> peers) =>
    [
        .. peers.Where(p => p.Connected && !p.Banned).Select(p => new PeerStatus(
            p.EndPoint.ToString(),
            p.Client ?? "?",
            p.Incoming,
            p.Stats?.DownloadRate ?? 0,
            p.Stats?.UploadRate ?? 0,
            p.Stats?.Downloaded ?? 0,
            p.Stats?.Uploaded ?? 0,
            AmChoking: !p.Unchoked,
            PeerChoking: p.Stats?.PeerChoking ?? true,
            p.Interested,
            p.Has.Count)
        {
            Transport = p.Transport,
            Encrypted = p.Encrypted,
        }),
    ];

    /// <summary>Bytes of verified pieces inside each file (padding files are not shown).</summary>
    public static IReadOnlyList<FileProgress> Files(TorrentMetainfo meta, PieceSet have) =>
    [
        .. meta.Files.Where(f => !f.IsPadding).Select(f =>
        {
            long verified = 0;
            if (f.Length > 0)
            {
                var first = (int)(f.Offset / meta.PieceLength);
                var last = (int)((f.Offset + f.Length - 1) / meta.PieceLength);
                for (var piece = first; piece <= last; piece++)
                {
                    if (have[piece])
                    {
                        var start = Math.Max(f.Offset, (long)piece * meta.PieceLength);
                        var end = Math.Min(f.Offset + f.Length, ((long)piece * meta.PieceLength) + meta.PieceSize(piece));
                        verified += end - start;
                    }
                }
            }

            return new FileProgress(f.JoinedPath, f.Length, verified);
        }),
    ];

    /// <summary>Each tracker as of the last announce round: the one that answered is working; when none answered,
    /// all are failing with the round's error; the others are on standby (a later tier, not contacted).</summary>
    public static IReadOnlyList<TrackerProgress> Trackers(IEnumerable<string> urls, AnnounceReported? last) =>
    [
        .. urls.Select(url => last switch
        {
            { Url: { } ok } when ok == url => new TrackerProgress(url, "working", null, last.NextAnnounce),
            { Error: { } error } => new TrackerProgress(url, "failing", error, last.NextAnnounce),
            _ => new TrackerProgress(url, "standby", null, null),
        }),
    ];
}
