using System.Text.Json;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>The console protocol's records as the JSON of the local socket, written and read field by field (issue 14).
/// Hand-written instead of System.Text.Json's serializer: the serializer's metadata for a record is built (and much of
/// it JIT-compiled, ReadyToRun or not) the first time the record crosses, which cost a one-shot `swarm console status`
/// about 80 ms of CPU, a third of its run. The JSON is the one that serializer wrote (PascalCase names, NaN as a
/// string, bytes as base64), so consoles and nodes of the previous version still read it. Only the names below are
/// read: no type named by a frame is looked up anywhere else. This half: the commands and the dispatch.</summary>
internal static partial class LocalConsoleCodec
{
    /// <summary>The "Type" names of every command and reply the local wire carries.</summary>
    public static IReadOnlyCollection<string> Names => [.. CommandNames, .. ReplyNames];

    private static readonly string[] CommandNames =
    [
        nameof(GetNodeStatus), nameof(ListNodeTorrents), nameof(AddTorrentFile), nameof(AddByLink), nameof(PauseTorrent),
        nameof(ResumeTorrent), nameof(RemoveNodeTorrent), nameof(ShowTorrent), nameof(ListPeers), nameof(RecheckTorrent),
        nameof(SetLimits), nameof(SetLogLevel), nameof(GetCluster), nameof(Search), nameof(ListClusterTorrents),
        nameof(Replicas), nameof(Shutdown), nameof(GetDht),
    ];

    /// <summary>Writes <c>"Type": NAME, "Value": {…}</c> for a command (the console's side: <see cref="WireJsonWriter"/>,
    /// not System.Text.Json, see <see cref="WireJson"/>).</summary>
    /// <exception cref="LocalWireException">Not a command the local wire knows.</exception>
    public static void Write(WireJsonWriter w, IConsoleCommand command)
    {
        w.WriteString("Type", command.GetType().Name);
        w.WriteStartObject("Value");
        if (!WriteCommand(w, command))
        {
            throw new LocalWireException($"the local wire does not carry {command.GetType().Name}");
        }

        w.WriteEndObject();
    }

    /// <summary>Writes <c>"Type": NAME, "Value": {…}</c> for a reply (the node's side, which has System.Text.Json loaded).</summary>
    /// <exception cref="LocalWireException">Not a reply the local wire knows.</exception>
    public static void Write(Utf8JsonWriter w, IConsoleReply reply)
    {
        w.WriteString("Type", reply.GetType().Name);
        w.WriteStartObject("Value");
        if (!WriteReply(w, reply))
        {
            throw new LocalWireException($"the local wire does not carry {reply.GetType().Name}");
        }

        w.WriteEndObject();
    }

    /// <summary>The record a frame's "Type" and "Value" name; null when the name is no console record.</summary>
    /// <exception cref="LocalWireException">A known record whose value cannot be read.</exception>
    public static object? Read(string type, WireJsonValue value) => (object?)ReadCommand(type, value) ?? ReadReply(type, value);

    private static bool WriteCommand(WireJsonWriter w, IConsoleCommand value)
    {
        switch (value)
        {
            case GetNodeStatus or ListNodeTorrents or GetCluster or ListClusterTorrents or Shutdown or GetDht:
                break;
            case AddTorrentFile a:
                w.WriteBase64String(nameof(a.TorrentFile), a.TorrentFile);
                w.WriteNullableString(nameof(a.SavePath), a.SavePath);
                break;
            case AddByLink l:
                w.WriteString(nameof(l.Link), l.Link);
                w.WriteNullableString(nameof(l.SavePath), l.SavePath);
                break;
            case PauseTorrent p:
                w.WriteString(nameof(p.Torrent), p.Torrent);
                break;
            case ResumeTorrent r:
                w.WriteString(nameof(r.Torrent), r.Torrent);
                break;
            case RemoveNodeTorrent r:
                w.WriteString(nameof(r.Torrent), r.Torrent);
                w.WriteBoolean(nameof(r.DeleteData), r.DeleteData);
                break;
            case ShowTorrent s:
                w.WriteString(nameof(s.Torrent), s.Torrent);
                break;
            case ListPeers p:
                w.WriteString(nameof(p.Torrent), p.Torrent);
                break;
            case RecheckTorrent r:
                w.WriteString(nameof(r.Torrent), r.Torrent);
                break;
            case SetLimits l:
                w.WriteNullableString(nameof(l.Torrent), l.Torrent);
                w.WriteNullableNumber(nameof(l.DownloadLimit), l.DownloadLimit);
                w.WriteNullableNumber(nameof(l.UploadLimit), l.UploadLimit);
                break;
            case SetLogLevel l:
                w.WriteString(nameof(l.Level), l.Level);
                break;
            case Search s:
                w.WriteStrings(nameof(s.Words), s.Words);
                break;
            case Replicas r:
                w.WriteString(nameof(r.Torrent), r.Torrent);
                w.WriteNullableNumber(nameof(r.Factor), r.Factor);
                break;
            default:
                return false;
        }

        return true;
    }

    private static IConsoleCommand? ReadCommand(string type, WireJsonValue value)
    {
        if (!CommandNames.Contains(type))
        {
            return null;
        }

        var f = new JsonFields(value, type);
        return type switch
        {
            nameof(GetNodeStatus) => new GetNodeStatus(),
            nameof(ListNodeTorrents) => new ListNodeTorrents(),
            nameof(GetCluster) => new GetCluster(),
            nameof(ListClusterTorrents) => new ListClusterTorrents(),
            nameof(Shutdown) => new Shutdown(),
            nameof(GetDht) => new GetDht(),
            nameof(AddTorrentFile) => new AddTorrentFile(f.Bytes("TorrentFile"), f.NullableString("SavePath")),
            nameof(AddByLink) => new AddByLink(f.String("Link"), f.NullableString("SavePath")),
            nameof(PauseTorrent) => new PauseTorrent(f.String("Torrent")),
            nameof(ResumeTorrent) => new ResumeTorrent(f.String("Torrent")),
            nameof(RemoveNodeTorrent) => new RemoveNodeTorrent(f.String("Torrent"), f.Bool("DeleteData")),
            nameof(ShowTorrent) => new ShowTorrent(f.String("Torrent")),
            nameof(ListPeers) => new ListPeers(f.String("Torrent")),
            nameof(RecheckTorrent) => new RecheckTorrent(f.String("Torrent")),
            nameof(SetLimits) => new SetLimits(f.NullableString("Torrent"), f.NullableLong("DownloadLimit"), f.NullableLong("UploadLimit")),
            nameof(SetLogLevel) => new SetLogLevel(f.String("Level")),
            nameof(Search) => new Search(f.Strings("Words")),
            nameof(Replicas) => new Replicas(f.String("Torrent"), f.NullableInt("Factor")),
            _ => throw new LocalWireException($"the local wire lists {type} but cannot read it"),
        };
    }
}
