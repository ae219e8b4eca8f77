using System.Text;
using System.Text.Json.Nodes;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Http;

/// <summary>One torrent as torrent-get sees it: the console's summary, its details when a requested field needs them,
/// and the facts the HTTP surface keeps (id, dates).</summary>
public sealed record TorrentView(int Id, TorrentSummary Torrent, TorrentDetail? Detail, long AddedDate, long DoneDate, long Now);

/// <summary>Transmission RPC's torrent fields (docs/rpc-spec.md, rpc-version 17) computed from our torrents: the
/// classic camelCase names, the newer snake_case accepted as the same field, and our cluster facts under names of
/// our own (swarmCopies, swarmReplicationFactor, swarmReplica).</summary>
public static class TransmissionFields
{
    /// <summary>Transmission's tr_torrent_activity: 0 stopped, 1 queued to verify, 2 verifying, 3 queued to download,
    /// 4 downloading, 5 queued to seed, 6 seeding.</summary>
    public static int Status(string state) => state switch
    {
        "checking" => 2,
        "downloading" or "metadata" => 4,
        "seeding" => 6,
        _ => 0, // paused, error, failed: nothing runs
    };

    /// <summary>Transmission's error kinds: 0 none, 1 tracker warning, 2 tracker error, 3 local error.</summary>
    public static int Error(TorrentSummary t, TorrentDetail? d) =>
        t.Error is not null || t.State is "error" or "failed" ? 3 : d?.TrackerError is not null ? 2 : 0;

    public static string ErrorString(TorrentSummary t, TorrentDetail? d) => t.Error ?? d?.TrackerError ?? string.Empty;

    /// <summary>Fields that need the torrent's details (files, peers, trackers, pieces), one more ask per torrent.</summary>
    public static readonly IReadOnlySet<string> NeedDetail = new HashSet<string>(StringComparer.Ordinal)
    {
        "files", "fileStats", "peers", "trackers", "trackerStats", "pieceCount", "pieceSize", "pieces", "corruptEver",
        "wanted", "priorities", "fileCount",
    };

    /// <summary>The classic name of a field given in either spelling (hash_string → hashString).</summary>
    public static string Canonical(string field)
    {
        if (!field.Contains('_', StringComparison.Ordinal))
        {
            return field;
        }

        var sb = new StringBuilder(field.Length);
        var upper = false;
        foreach (var c in field)
        {
            if (c == '_')
            {
                upper = true;
                continue;
            }

            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return sb.ToString();
    }

    public static long HaveValid(TorrentSummary t, TorrentDetail? d)
    {
        if (t.VerifiedPieces >= t.Pieces && t.Pieces > 0)
        {
            return t.Size;
        }

        if (d is not null && d.PieceLength > 0)
        {
            return Math.Min(t.Size, t.VerifiedPieces * d.PieceLength);
        }

        return (long)Math.Round(t.Size * t.Progress);
    }

    /// <summary>Seconds to completion: -1 when it does not apply (not downloading), -2 when unknown (no rate).</summary>
    public static long Eta(TorrentSummary t, TorrentDetail? d)
    {
        if (t.State is not "downloading")
        {
            return -1;
        }

        return t.DownloadRate <= 0 ? -2 : (long)Math.Ceiling((t.Size - HaveValid(t, d)) / t.DownloadRate);
    }

    /// <summary>Uploaded over downloaded (or over what we hold when nothing was downloaded); -1 = not available.</summary>
    public static double Ratio(TorrentSummary t, TorrentDetail? d)
    {
        var basis = t.Downloaded > 0 ? t.Downloaded : HaveValid(t, d);
        return basis > 0 ? Math.Round((double)t.Uploaded / basis, 4) : -1;
    }

    /// <summary>The value of one field (classic name), or null for a field we do not know (left out of the answer,
    /// as Transmission does).</summary>
    public static JsonNode? Value(string field, TorrentView v)
    {
        var t = v.Torrent;
        var d = v.Detail;
        return field switch
        {
            "id" => v.Id,
            "hashString" => t.InfoHash,
            "name" => t.Name,
            "status" => Status(t.State),
            "percentDone" => t.Progress,
            "metadataPercentComplete" => t.State == "metadata" ? 0.0 : 1.0,
            "recheckProgress" => t.State == "checking" ? t.Progress : 0.0,
            "totalSize" or "sizeWhenDone" => t.Size,
            "leftUntilDone" => t.Size - HaveValid(t, d),
            "haveValid" => HaveValid(t, d),
            "haveUnchecked" => 0,
            "desiredAvailable" => t.Size - HaveValid(t, d),
            "rateDownload" => (long)t.DownloadRate,
            "rateUpload" => (long)t.UploadRate,
            "uploadedEver" => t.Uploaded,
            "downloadedEver" => t.Downloaded,
            "corruptEver" => d is null ? 0 : d.HashFailures * d.PieceLength,
            "uploadRatio" => Ratio(t, d),
            "eta" => Eta(t, d),
            "etaIdle" => -1,
            "error" => Error(t, d),
            "errorString" => ErrorString(t, d),
            "isFinished" => false, // Transmission: a seed ratio or idle limit was reached; we never stop seeding for it
            "isStalled" => t.State == "downloading" && t.DownloadRate <= 0,
            "isPrivate" => t.Private,
            "downloadDir" => t.SavePath,
            "addedDate" => v.AddedDate,
            "doneDate" => v.DoneDate,
            "activityDate" => t.DownloadRate > 0 || t.UploadRate > 0 ? v.Now : v.AddedDate,
            "startDate" => v.AddedDate,
            "dateCreated" => 0,
            "secondsDownloading" => v.AddedDate == 0 ? 0 : Math.Max(0, (v.DoneDate > 0 ? v.DoneDate : v.Now) - v.AddedDate),
            "secondsSeeding" => v.DoneDate > 0 && t.State == "seeding" ? Math.Max(0, v.Now - v.DoneDate) : 0,
            "peersConnected" => t.Peers,
            "peersGettingFromUs" => t.PeersGetting,
            "peersSendingToUs" => t.PeersSending,
            "webseedsSendingToUs" => 0,
            "queuePosition" => v.Id,
            "downloadLimit" => t.DownloadLimit / 1000,
            "downloadLimited" => t.DownloadLimit > 0,
            "uploadLimit" => t.UploadLimit / 1000,
            "uploadLimited" => t.UploadLimit > 0,
            "honorsSessionLimits" => true,
            "bandwidthPriority" => 0,
            "seedRatioMode" => 0,
            "seedRatioLimit" => 0,
            "seedIdleMode" => 0,
            "seedIdleLimit" => 0,
            "magnetLink" => $"magnet:?xt=urn:btih:{t.InfoHash}&dn={Uri.EscapeDataString(t.Name)}",
            "labels" => new JsonArray(),
            "comment" or "creator" => string.Empty,
            "pieceCount" => t.Pieces,
            "pieceSize" => d?.PieceLength ?? 0,
            "pieces" => d is null ? string.Empty : Convert.ToBase64String(d.Bitfield),
            "fileCount" => d?.Files.Length ?? 0,
            "files" => d is null ? new JsonArray() : new JsonArray([.. d.Files.Select(f => (JsonNode)new JsonObject
            {
                ["name"] = FileName(t, d, f),
                ["length"] = f.Length,
                ["bytesCompleted"] = FileDone(f),
            })]),
            "fileStats" => d is null ? new JsonArray() : new JsonArray([.. d.Files.Select(f => (JsonNode)new JsonObject
            {
                ["bytesCompleted"] = FileDone(f),
                ["wanted"] = true,
                ["priority"] = 0,
            })]),
            "wanted" => d is null ? new JsonArray() : new JsonArray([.. d.Files.Select(_ => (JsonNode)1)]),
            "priorities" => d is null ? new JsonArray() : new JsonArray([.. d.Files.Select(_ => (JsonNode)0)]),
            "peers" => d is null ? new JsonArray() : new JsonArray([.. d.Peers.Select(Peer)]),
            "trackers" => d is null ? new JsonArray() : new JsonArray([.. d.Trackers.Select((tr, i) => (JsonNode)new JsonObject
            {
                ["announce"] = tr.Url,
                ["id"] = i,
                ["scrape"] = string.Empty,
                ["tier"] = i,
            })]),
            "trackerStats" => d is null ? new JsonArray() : new JsonArray([.. d.Trackers.Select((tr, i) => TrackerStat(tr, i))]),
            "swarmCopies" => t.Replicas,
            "swarmReplicationFactor" => t.Factor,
            "swarmReplica" => t.Replica,
            "swarmState" => t.State,
            _ => null,
        };
    }

    private static string FileName(TorrentSummary t, TorrentDetail d, FileSummary f) =>
        d.Files.Length > 1 && !f.Path.StartsWith(t.Name + "/", StringComparison.Ordinal) ? $"{t.Name}/{f.Path}" : f.Path;

    private static long FileDone(FileSummary f) => f.Progress >= 1 ? f.Length : (long)(f.Length * f.Progress);

    private static JsonNode Peer(PeerSummary p)
    {
        var (address, port) = SplitEndPoint(p.EndPoint);
        var flags = new StringBuilder();
        if (p.DownloadRate > 0)
        {
            flags.Append('D');
        }

        if (p.UploadRate > 0)
        {
            flags.Append('U');
        }

        if (p.Encrypted)
        {
            flags.Append('E');
        }

        if (p.Incoming)
        {
            flags.Append('I');
        }

        if (p.Transport == "utp")
        {
            flags.Append('T');
        }

        return new JsonObject
        {
            ["address"] = address,
            ["port"] = port,
            ["clientName"] = p.Client,
            ["isIncoming"] = p.Incoming,
            ["isEncrypted"] = p.Encrypted,
            ["isUTP"] = p.Transport == "utp",
            ["progress"] = p.Progress,
            ["rateToClient"] = (long)p.DownloadRate,
            ["rateToPeer"] = (long)p.UploadRate,
            ["clientIsChoked"] = p.PeerChoking,
            ["clientIsInterested"] = p.Interested,
            ["peerIsChoked"] = p.AmChoking,
            ["peerIsInterested"] = p.UploadRate > 0,
            ["isDownloadingFrom"] = p.DownloadRate > 0,
            ["isUploadingTo"] = p.UploadRate > 0,
            ["flagStr"] = flags.ToString(),
        };
    }

    private static JsonNode TrackerStat(TrackerSummary tr, int index)
    {
        var host = Uri.TryCreate(tr.Url, UriKind.Absolute, out var u) ? $"{u.Scheme}://{u.Authority}" : tr.Url;
        return new JsonObject
        {
            ["announce"] = tr.Url,
            ["host"] = host,
            ["sitename"] = u?.Host ?? string.Empty,
            ["id"] = index,
            ["tier"] = index,
            ["scrape"] = string.Empty,
            ["announceState"] = tr.Status == "standby" ? 0 : 1,
            ["lastAnnounceSucceeded"] = tr.Status == "working",
            ["hasAnnounced"] = tr.Status != "standby",
            ["lastAnnounceResult"] = tr.Error ?? (tr.Status == "working" ? "Success" : string.Empty),
            ["nextAnnounceTime"] = tr.NextAnnounce is { } next ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)).ToUnixTimeSeconds() : 0,
            ["lastAnnounceTime"] = 0,
            ["seederCount"] = -1,
            ["leecherCount"] = -1,
            ["downloadCount"] = -1,
            ["isBackup"] = tr.Status == "standby",
        };
    }

    /// <summary>"1.2.3.4:5", "[::1]:5" → address and port.</summary>
    public static (string Address, int Port) SplitEndPoint(string endPoint) =>
        System.Net.IPEndPoint.TryParse(endPoint, out var ep) ? (ep.Address.ToString(), ep.Port) : (endPoint, 0);
}
