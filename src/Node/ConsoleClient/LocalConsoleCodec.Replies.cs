using System.Text.Json;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>The replies of the console protocol on the local socket, and the records inside them (see
/// <see cref="LocalConsoleCodec"/>). Fields a record sets with an initializer are read with that default when absent.</summary>
internal static partial class LocalConsoleCodec
{
    private static readonly string[] ReplyNames =
    [
        nameof(Refused), nameof(CommandFailed), nameof(Done), nameof(NodeStatus), nameof(TorrentListing),
        nameof(PeerListing), nameof(TorrentDetail), nameof(Limits), nameof(SearchListing), nameof(ClusterInfo),
        nameof(ClusterTorrentListing), nameof(ReplicaInfo), nameof(DhtInfo),
    ];

    private static bool WriteReply(Utf8JsonWriter w, IConsoleReply value)
    {
        switch (value)
        {
            case Refused r:
                w.WriteString(nameof(r.Reason), r.Reason);
                break;
            case CommandFailed f:
                w.WriteString(nameof(f.Message), f.Message);
                break;
            case Done d:
                w.WriteString(nameof(d.Message), d.Message);
                w.WriteRecord(nameof(d.Torrent), d.Torrent, WriteSummary);
                break;
            case NodeStatus s:
                WriteStatus(w, s);
                break;
            case TorrentListing l:
                w.WriteRecords(nameof(l.Torrents), l.Torrents, WriteSummary);
                break;
            case PeerListing p:
                w.WriteString(nameof(p.InfoHash), p.InfoHash);
                w.WriteString(nameof(p.Name), p.Name);
                w.WriteRecords(nameof(p.Peers), p.Peers, WritePeer);
                w.WriteRecords(nameof(p.WebSeeds), p.WebSeeds, WriteWebSeed);
                break;
            case TorrentDetail d:
                WriteDetail(w, d);
                break;
            case Limits l:
                w.WriteNullableString(nameof(l.InfoHash), l.InfoHash);
                w.WriteNullableString(nameof(l.Name), l.Name);
                w.WriteNumber(nameof(l.DownloadLimit), l.DownloadLimit);
                w.WriteNumber(nameof(l.UploadLimit), l.UploadLimit);
                break;
            case SearchListing s:
                w.WriteRecords(nameof(s.Results), s.Results, WriteSearchHit);
                w.WriteStrings(nameof(s.Unanswered), s.Unanswered);
                break;
            case ClusterInfo c:
                w.WriteString(nameof(c.Self), c.Self);
                w.WriteNullableString(nameof(c.Leader), c.Leader);
                w.WriteRecords(nameof(c.Members), c.Members, WriteMember);
                break;
            case ClusterTorrentListing l:
                w.WriteRecords(nameof(l.Torrents), l.Torrents, WriteClusterTorrent);
                break;
            case ReplicaInfo r:
                WriteReplicas(w, r);
                break;
            case DhtInfo d:
                WriteDht(w, d);
                break;
            default:
                return false;
        }

        return true;
    }

    private static IConsoleReply? ReadReply(string type, WireJsonValue value)
    {
        if (!ReplyNames.Contains(type))
        {
            return null;
        }

        var f = new JsonFields(value, type);
        return type switch
        {
            nameof(Refused) => new Refused(f.String("Reason")),
            nameof(CommandFailed) => new CommandFailed(f.String("Message")),
            nameof(Done) => new Done(f.String("Message"), f.NullableRecord("Torrent", ReadSummary)),
            nameof(NodeStatus) => ReadStatus(f),
            nameof(TorrentListing) => new TorrentListing(f.Array("Torrents", ReadSummary)),
            nameof(PeerListing) => new PeerListing(f.String("InfoHash"), f.String("Name"), f.Array("Peers", ReadPeer))
            {
                WebSeeds = f.Array("WebSeeds", ReadWebSeed, []),
            },
            nameof(TorrentDetail) => ReadDetail(f),
            nameof(Limits) => new Limits(f.NullableString("InfoHash"), f.NullableString("Name"), f.Long("DownloadLimit"), f.Long("UploadLimit")),
            nameof(SearchListing) => new SearchListing(f.Array("Results", ReadSearchHit), f.Strings("Unanswered")),
            nameof(ClusterInfo) => new ClusterInfo(f.String("Self"), f.NullableString("Leader"), f.Array("Members", ReadMember)),
            nameof(ClusterTorrentListing) => new ClusterTorrentListing(f.Array("Torrents", ReadClusterTorrent)),
            nameof(ReplicaInfo) => ReadReplicas(f),
            nameof(DhtInfo) => ReadDht(f),
            _ => throw new LocalWireException($"the local wire lists {type} but cannot read it"),
        };
    }

    private static void WriteStatus(Utf8JsonWriter w, NodeStatus s)
    {
        w.WriteString(nameof(s.NodeId), s.NodeId);
        w.WriteString(nameof(s.Version), s.Version);
        w.WriteDouble(nameof(s.UptimeSeconds), s.UptimeSeconds);
        w.WriteString(nameof(s.PeerEndPoint), s.PeerEndPoint);
        w.WriteString(nameof(s.DataDir), s.DataDir);
        w.WriteString(nameof(s.Journal), s.Journal);
        w.WriteString(nameof(s.ClusterRole), s.ClusterRole);
        w.WriteNumber(nameof(s.Torrents), s.Torrents);
        w.WriteNumber(nameof(s.Downloading), s.Downloading);
        w.WriteNumber(nameof(s.Seeding), s.Seeding);
        w.WriteNumber(nameof(s.Paused), s.Paused);
        w.WriteNumber(nameof(s.Errors), s.Errors);
        w.WriteNumber(nameof(s.Peers), s.Peers);
        w.WriteDouble(nameof(s.DownloadRate), s.DownloadRate);
        w.WriteDouble(nameof(s.UploadRate), s.UploadRate);
        w.WriteNumber(nameof(s.DownloadLimit), s.DownloadLimit);
        w.WriteNumber(nameof(s.UploadLimit), s.UploadLimit);
        w.WriteString(nameof(s.LogLevel), s.LogLevel);
        w.WriteNullableNumber(nameof(s.DhtNodes), s.DhtNodes);
    }

    private static NodeStatus ReadStatus(JsonFields f) => new(
        f.String("NodeId"),
        f.String("Version"),
        f.Double("UptimeSeconds"),
        f.String("PeerEndPoint"),
        f.String("DataDir"),
        f.String("Journal"),
        f.String("ClusterRole"),
        f.Int("Torrents"),
        f.Int("Downloading"),
        f.Int("Seeding"),
        f.Int("Paused"),
        f.Int("Errors"),
        f.Int("Peers"),
        f.Double("DownloadRate"),
        f.Double("UploadRate"),
        f.Long("DownloadLimit"),
        f.Long("UploadLimit"),
        f.String("LogLevel"))
    {
        DhtNodes = f.NullableInt("DhtNodes"),
    };

    private static void WriteSummary(Utf8JsonWriter w, TorrentSummary s)
    {
        w.WriteString(nameof(s.InfoHash), s.InfoHash);
        w.WriteString(nameof(s.Name), s.Name);
        w.WriteNumber(nameof(s.Size), s.Size);
        w.WriteDouble(nameof(s.Progress), s.Progress);
        w.WriteString(nameof(s.State), s.State);
        w.WriteNullableString(nameof(s.Error), s.Error);
        w.WriteDouble(nameof(s.DownloadRate), s.DownloadRate);
        w.WriteDouble(nameof(s.UploadRate), s.UploadRate);
        w.WriteNumber(nameof(s.Downloaded), s.Downloaded);
        w.WriteNumber(nameof(s.Uploaded), s.Uploaded);
        w.WriteNumber(nameof(s.Peers), s.Peers);
        w.WriteNumber(nameof(s.Replicas), s.Replicas);
        w.WriteNumber(nameof(s.Pieces), s.Pieces);
        w.WriteNumber(nameof(s.VerifiedPieces), s.VerifiedPieces);
        w.WriteString(nameof(s.SavePath), s.SavePath);
        w.WriteNumber(nameof(s.DownloadLimit), s.DownloadLimit);
        w.WriteNumber(nameof(s.UploadLimit), s.UploadLimit);
        w.WriteBoolean(nameof(s.Replica), s.Replica);
        w.WriteNullableString(nameof(s.InfoHashV2), s.InfoHashV2);
        w.WriteBoolean(nameof(s.Private), s.Private);
        w.WriteNumber(nameof(s.PeersSending), s.PeersSending);
        w.WriteNumber(nameof(s.PeersGetting), s.PeersGetting);
        w.WriteNumber(nameof(s.Factor), s.Factor);
        w.WriteNumber(nameof(s.JournalPending), s.JournalPending);
        w.WriteDouble(nameof(s.JournalWaitSeconds), s.JournalWaitSeconds);
    }

    private static TorrentSummary ReadSummary(JsonFields f) => new(
        f.String("InfoHash"),
        f.String("Name"),
        f.Long("Size"),
        f.Double("Progress"),
        f.String("State"),
        f.NullableString("Error"),
        f.Double("DownloadRate"),
        f.Double("UploadRate"),
        f.Long("Downloaded"),
        f.Long("Uploaded"),
        f.Int("Peers"),
        f.Int("Replicas"),
        f.Int("Pieces"),
        f.Int("VerifiedPieces"),
        f.String("SavePath"),
        f.Long("DownloadLimit"),
        f.Long("UploadLimit"))
    {
        Replica = f.Bool("Replica", false),
        InfoHashV2 = f.NullableString("InfoHashV2"),
        Private = f.Bool("Private", false),
        PeersSending = f.Int("PeersSending", 0),
        PeersGetting = f.Int("PeersGetting", 0),
        Factor = f.Int("Factor", 0),
        JournalPending = f.Int("JournalPending", 0),
        JournalWaitSeconds = f.Double("JournalWaitSeconds", 0),
    };

    private static void WritePeer(Utf8JsonWriter w, PeerSummary p)
    {
        w.WriteString(nameof(p.EndPoint), p.EndPoint);
        w.WriteString(nameof(p.Client), p.Client);
        w.WriteBoolean(nameof(p.Incoming), p.Incoming);
        w.WriteDouble(nameof(p.DownloadRate), p.DownloadRate);
        w.WriteDouble(nameof(p.UploadRate), p.UploadRate);
        w.WriteNumber(nameof(p.Downloaded), p.Downloaded);
        w.WriteNumber(nameof(p.Uploaded), p.Uploaded);
        w.WriteBoolean(nameof(p.AmChoking), p.AmChoking);
        w.WriteBoolean(nameof(p.PeerChoking), p.PeerChoking);
        w.WriteBoolean(nameof(p.Interested), p.Interested);
        w.WriteDouble(nameof(p.Progress), p.Progress);
        w.WriteString(nameof(p.Transport), p.Transport);
        w.WriteBoolean(nameof(p.Encrypted), p.Encrypted);
    }

    private static PeerSummary ReadPeer(JsonFields f) => new(
        f.String("EndPoint"),
        f.String("Client"),
        f.Bool("Incoming"),
        f.Double("DownloadRate"),
        f.Double("UploadRate"),
        f.Long("Downloaded"),
        f.Long("Uploaded"),
        f.Bool("AmChoking"),
        f.Bool("PeerChoking"),
        f.Bool("Interested"),
        f.Double("Progress"))
    {
        Transport = f.String("Transport", "tcp"),
        Encrypted = f.Bool("Encrypted", false),
    };

    private static void WriteWebSeed(Utf8JsonWriter w, WebSeedSummary s)
    {
        w.WriteString(nameof(s.Url), s.Url);
        w.WriteString(nameof(s.State), s.State);
        w.WriteNumber(nameof(s.Downloaded), s.Downloaded);
        w.WriteDouble(nameof(s.DownloadRate), s.DownloadRate);
        w.WriteNullableString(nameof(s.Error), s.Error);
        w.WriteNullableDateTimeOffset(nameof(s.RetryAt), s.RetryAt);
    }

    private static WebSeedSummary ReadWebSeed(JsonFields f) =>
        new(f.String("Url"), f.String("State"), f.Long("Downloaded"), f.Double("DownloadRate"), f.NullableString("Error"), f.NullableDateTimeOffset("RetryAt"));

    private static void WriteDetail(Utf8JsonWriter w, TorrentDetail d)
    {
        w.WriteRecord(nameof(d.Torrent), d.Torrent, WriteSummary);
        w.WriteNumber(nameof(d.PieceLength), d.PieceLength);
        w.WriteNumber(nameof(d.HashFailures), d.HashFailures);
        w.WriteNullableString(nameof(d.JournalError), d.JournalError);
        w.WriteNullableString(nameof(d.TrackerError), d.TrackerError);
        w.WriteBase64String(nameof(d.Bitfield), d.Bitfield);
        w.WriteRecords(nameof(d.Files), d.Files, (w, file) =>
        {
            w.WriteString(nameof(file.Path), file.Path);
            w.WriteNumber(nameof(file.Length), file.Length);
            w.WriteDouble(nameof(file.Progress), file.Progress);
        });
        w.WriteRecords(nameof(d.Trackers), d.Trackers, (w, t) =>
        {
            w.WriteString(nameof(t.Url), t.Url);
            w.WriteString(nameof(t.Status), t.Status);
            w.WriteNullableString(nameof(t.Error), t.Error);
            w.WriteNullableDateTime(nameof(t.NextAnnounce), t.NextAnnounce);
        });
        w.WriteRecords(nameof(d.Peers), d.Peers, WritePeer);
    }

    private static TorrentDetail ReadDetail(JsonFields f) => new(
        f.Record("Torrent", ReadSummary),
        f.Long("PieceLength"),
        f.Int("HashFailures"),
        f.NullableString("JournalError"),
        f.NullableString("TrackerError"),
        f.Bytes("Bitfield"),
        f.Array("Files", e => new FileSummary(e.String("Path"), e.Long("Length"), e.Double("Progress"))),
        f.Array("Trackers", e => new TrackerSummary(e.String("Url"), e.String("Status"), e.NullableString("Error"), e.NullableDateTime("NextAnnounce"))),
        f.Array("Peers", ReadPeer));

    private static void WriteSearchHit(Utf8JsonWriter w, SearchHit h)
    {
        w.WriteString(nameof(h.InfoHash), h.InfoHash);
        w.WriteString(nameof(h.Name), h.Name);
        w.WriteNumber(nameof(h.Size), h.Size);
        w.WriteNumber(nameof(h.Copies), h.Copies);
        w.WriteStrings(nameof(h.Members), h.Members);
    }

    private static SearchHit ReadSearchHit(JsonFields f) => new(f.String("InfoHash"), f.String("Name"), f.Long("Size"), f.Int("Copies"), f.Strings("Members"));

    private static void WriteMember(Utf8JsonWriter w, ClusterMember m)
    {
        w.WriteString(nameof(m.Address), m.Address);
        w.WriteString(nameof(m.Status), m.Status);
        w.WriteBoolean(nameof(m.Reachable), m.Reachable);
        w.WriteBoolean(nameof(m.Leader), m.Leader);
        w.WriteBoolean(nameof(m.Self), m.Self);
        w.WriteNullableString(nameof(m.NodeId), m.NodeId);
        w.WriteNullableString(nameof(m.PeerEndPoint), m.PeerEndPoint);
        w.WriteNumber(nameof(m.Torrents), m.Torrents);
        w.WriteNumber(nameof(m.Complete), m.Complete);
    }

    private static ClusterMember ReadMember(JsonFields f) => new(
        f.String("Address"),
        f.String("Status"),
        f.Bool("Reachable"),
        f.Bool("Leader"),
        f.Bool("Self"),
        f.NullableString("NodeId"),
        f.NullableString("PeerEndPoint"),
        f.Int("Torrents"),
        f.Int("Complete"));

    private static void WriteClusterTorrent(Utf8JsonWriter w, ClusterTorrent t)
    {
        w.WriteString(nameof(t.InfoHash), t.InfoHash);
        w.WriteString(nameof(t.Name), t.Name);
        w.WriteNumber(nameof(t.Size), t.Size);
        w.WriteNumber(nameof(t.Factor), t.Factor);
        w.WriteNumber(nameof(t.Complete), t.Complete);
        w.WriteNumber(nameof(t.Partial), t.Partial);
        w.WriteStrings(nameof(t.Members), t.Members);
    }

    private static ClusterTorrent ReadClusterTorrent(JsonFields f) =>
        new(f.String("InfoHash"), f.String("Name"), f.Long("Size"), f.Int("Factor"), f.Int("Complete"), f.Int("Partial"), f.Strings("Members"));

    private static void WriteReplicas(Utf8JsonWriter w, ReplicaInfo r)
    {
        w.WriteString(nameof(r.InfoHash), r.InfoHash);
        w.WriteString(nameof(r.Name), r.Name);
        w.WriteNumber(nameof(r.Factor), r.Factor);
        w.WriteBoolean(nameof(r.DefaultFactor), r.DefaultFactor);
        w.WriteNumber(nameof(r.Complete), r.Complete);
        w.WriteRecords(nameof(r.Holders), r.Holders, (w, h) =>
        {
            w.WriteString(nameof(h.Address), h.Address);
            w.WriteNullableString(nameof(h.NodeId), h.NodeId);
            w.WriteBoolean(nameof(h.Complete), h.Complete);
            w.WriteDouble(nameof(h.Progress), h.Progress);
            w.WriteBoolean(nameof(h.Usable), h.Usable);
        });
    }

    private static ReplicaInfo ReadReplicas(JsonFields f) => new(
        f.String("InfoHash"),
        f.String("Name"),
        f.Int("Factor"),
        f.Bool("DefaultFactor"),
        f.Int("Complete"),
        f.Array("Holders", h => new ReplicaHolder(h.String("Address"), h.NullableString("NodeId"), h.Bool("Complete"), h.Double("Progress"), h.Bool("Usable"))));

    private static void WriteDht(Utf8JsonWriter w, DhtInfo d)
    {
        w.WriteBoolean(nameof(d.Enabled), d.Enabled);
        w.WriteNullableString(nameof(d.NodeId), d.NodeId);
        w.WriteNullableString(nameof(d.EndPoint), d.EndPoint);
        w.WriteNumber(nameof(d.Nodes), d.Nodes);
        w.WriteInts(nameof(d.Buckets), d.Buckets);
        w.WriteNumber(nameof(d.Tracked), d.Tracked);
        w.WriteNumber(nameof(d.Announced), d.Announced);
        w.WriteNumber(nameof(d.StoredTorrents), d.StoredTorrents);
        w.WriteRecords(nameof(d.Recent), d.Recent, (w, l) =>
        {
            w.WriteString(nameof(l.Target), l.Target);
            w.WriteString(nameof(l.Kind), l.Kind);
            w.WriteNumber(nameof(l.Answered), l.Answered);
            w.WriteNumber(nameof(l.Peers), l.Peers);
            w.WriteNumber(nameof(l.AnnouncedTo), l.AnnouncedTo);
            w.WriteString(nameof(l.Ended), l.Ended);
            w.WriteDouble(nameof(l.Seconds), l.Seconds);
        });
    }

    private static DhtInfo ReadDht(JsonFields f) => new(
        f.Bool("Enabled"),
        f.NullableString("NodeId"),
        f.NullableString("EndPoint"),
        f.Int("Nodes"),
        f.Ints("Buckets"),
        f.Int("Tracked"),
        f.Int("Announced"),
        f.Int("StoredTorrents"),
        f.Array("Recent", l => new DhtLookupSummary(l.String("Target"), l.String("Kind"), l.Int("Answered"), l.Int("Peers"), l.Int("AnnouncedTo"), l.DateTime("Ended"), l.Double("Seconds"))));
}
