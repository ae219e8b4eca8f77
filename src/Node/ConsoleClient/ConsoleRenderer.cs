using System.Globalization;
using System.Text;
using System.Text.Json;
using Swarm.Node.Cli;
using Swarm.Protocol;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>Turns the node's typed replies into what a person reads, or into JSON for scripts, and into exit codes.</summary>
internal static class ConsoleRenderer
{
    private const int PieceMapWidth = 64;

    // Built when first used (issue 14): a one-shot text command never loads the serializer.
    private static JsonSerializerOptions? _json;
    private static JsonSerializerOptions? _jsonLine;

    public static JsonSerializerOptions Json => _json ??= new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private static JsonSerializerOptions JsonLine => _jsonLine ??= new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Writes <paramref name="reply"/>, as it reads at <paramref name="now"/>, and returns the exit code it means.</summary>
    public static int Render(IConsoleReply reply, bool json, TextWriter output, TextWriter error, DateTime now)
    {
        switch (reply)
        {
            case Refused r:
                error.WriteLine(Printable.ForTerminal($"swarm: refused by the node: {r.Reason}"));
                return ConsoleExitCodes.Refused;
            case CommandFailed f:
                error.WriteLine(Printable.ForTerminal($"swarm: {f.Message}"));
                return ExitCodes.Failed;
        }

        if (json)
        {
            output.WriteLine(JsonText(reply));
            return ExitCodes.Ok;
        }

        // Names, paths and tracker URLs come from torrents: their control characters never reach the terminal raw.
        output.Write(string.Join('\n', Text(reply, now).Split('\n').Select(Printable.ForTerminal)));
        return ExitCodes.Ok;
    }

    /// <summary>What `--json` prints for <paramref name="reply"/> (without the final line break).</summary>
    public static string JsonText(IConsoleReply reply)
    {
        var shown = ForJson(reply);
        return ConsoleJsonContext.Default.GetTypeInfo(shown.GetType()) is { } generated
            ? JsonSerializer.Serialize(shown, generated)
            : JsonSerializer.Serialize(shown, shown.GetType(), Json);
    }

    public static string JsonOneLine(object value) => JsonSerializer.Serialize(value, value.GetType(), JsonLine);

    /// <summary>One character per slice of the torrent, at most <paramref name="width"/>: '#' every piece of the slice
    /// verified, '+' some, '.' none.</summary>
    public static string PieceMap(byte[] bitfield, int pieceCount, int width = PieceMapWidth)
    {
        if (pieceCount == 0)
        {
            return string.Empty;
        }

        var slots = Math.Min(width, pieceCount);
        var map = new char[slots];
        for (var slot = 0; slot < slots; slot++)
        {
            var first = (int)((long)slot * pieceCount / slots);
            var end = (int)((long)(slot + 1) * pieceCount / slots);
            var have = 0;
            for (var p = first; p < end; p++)
            {
                if ((bitfield[p >> 3] & (0x80 >> (p & 7))) != 0)
                {
                    have++;
                }
            }

            map[slot] = have == end - first ? '#' : have > 0 ? '+' : '.';
        }

        return new string(map);
    }

    /// <param name="now">When this is shown: tracker announces are said as "in N s".</param>
    public static string Text(IConsoleReply reply, DateTime now) => reply switch
    {
        Done d => d.Message + "\n",
        NodeStatus s => Status(s),
        TorrentListing l => Torrents(l.Torrents),
        TorrentDetail d => Detail(d, now),
        PeerListing p => $"{p.InfoHash[..8]} {p.Name}: {p.Peers.Length} peer(s)\n" + Peers(p.Peers) + WebSeeds(p.WebSeeds, now),
        Limits l => $"{(l.InfoHash is null ? "node" : $"{l.InfoHash[..8]} ({l.Name})")} limits: down {Limit(l.DownloadLimit)}, up {Limit(l.UploadLimit)}\n",
        ClusterInfo c => ClusterText(c),
        DhtInfo d => DhtText(d),
        SearchListing l => (l.Results.Length == 0 ? "nothing found\n" : Table(
            ["ID", "NAME", "SIZE", "COPIES", "MEMBERS"],
            l.Results.Select(r => new[] { r.InfoHash[..8], Truncate(r.Name, 50), Format.Bytes(r.Size), Num(r.Copies), string.Join(",", r.Members.Select(HostPort)) }),
            rightAligned: [2, 3]))
            + (l.Unanswered.Length == 0 ? string.Empty : $"no answer from {string.Join(", ", l.Unanswered.Select(HostPort))}\n"),
        ClusterTorrentListing l => l.Torrents.Length == 0 ? "no torrents in the cluster\n" : Table(
            ["ID", "NAME", "SIZE", "COPIES", "WANTED", "PARTIAL", "MEMBERS"],
            l.Torrents.Select(t => new[] { t.InfoHash[..8], Truncate(t.Name, 40), Format.Bytes(t.Size), Num(t.Complete), Num(t.Factor), Num(t.Partial), string.Join(",", t.Members.Select(HostPort)) }),
            rightAligned: [2, 3, 4, 5]),
        ReplicaInfo r => $"{r.InfoHash[..8]} {r.Name}: {r.Complete} complete cop{(r.Complete == 1 ? "y" : "ies")}, replication factor {r.Factor}{(r.DefaultFactor ? " (cluster default)" : string.Empty)}\n"
            + Table(["MEMBER", "NODE", "HAS", "STATE"], r.Holders.Select(h => new[] { HostPort(h.Address), h.NodeId?[..8] ?? "?", Percent(h.Progress), !h.Usable ? "unreachable" : h.Complete ? "complete" : "downloading" }), rightAligned: [2]),
        _ => reply + "\n",
    };

    private static string ClusterText(ClusterInfo c) =>
        $"{c.Members.Length} member(s), leader {(c.Leader is null ? "none" : HostPort(c.Leader))}\n"
        + Table(
            ["MEMBER", "STATUS", "REACHABLE", "NODE", "PEERS AT", "TORRENTS", "COMPLETE", ""],
            c.Members.Select(m => new[]
            {
                HostPort(m.Address),
                m.Status,
                m.Reachable ? "yes" : "no",
                m.NodeId?[..8] ?? "?",
                m.PeerEndPoint ?? "?",
                Num(m.Torrents),
                Num(m.Complete),
                (m.Leader ? "leader " : string.Empty) + (m.Self ? "(this node)" : string.Empty),
            }),
            rightAligned: [5, 6]);

    /// <summary>akka.tcp://swarm@127.0.0.1:4060 → 127.0.0.1:4060 (what --seed-node takes).</summary>
    private static string HostPort(string address) => address.Contains('@', StringComparison.Ordinal) ? address[(address.IndexOf('@', StringComparison.Ordinal) + 1)..] : address;

    public static string Torrents(IReadOnlyList<TorrentSummary> torrents)
    {
        if (torrents.Count == 0)
        {
            return "no torrents\n";
        }

        return Table(
            ["ID", "NAME", "SIZE", "DONE", "STATE", "DOWN", "UP", "PEERS", "REPLICAS"],
            torrents.Select(t => new[]
            {
                t.InfoHash[..8],
                Truncate(t.Name, 40),
                Format.Bytes(t.Size),
                Percent(t.Progress),
                t.State,
                Format.Rate(t.DownloadRate),
                Format.Rate(t.UploadRate),
                Num(t.Peers),
                Num(t.Replicas),
            }),
            rightAligned: [2, 3, 5, 6, 7, 8]);
    }

    public static string Percent(double progress) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(progress * 1000) / 10:0.0}%");

    public static string Limit(long bytesPerSecond) => bytesPerSecond == 0 ? "unlimited" : Format.Rate(bytesPerSecond);

    private static string Status(NodeStatus s)
    {
        var rows = new (string, string)[]
        {
            ("node", s.NodeId),
            ("version", s.Version),
            ("uptime", Uptime(s.UptimeSeconds)),
            ("peer port", s.PeerEndPoint),
            ("data", s.DataDir),
            ("journal", s.Journal),
            ("cluster", s.ClusterRole),
            ("torrents", $"{s.Torrents} ({s.Downloading} downloading, {s.Seeding} seeding, {s.Paused} paused, {s.Errors} failed)"),
            ("peers", Num(s.Peers)),
            ("rates", $"down {Format.Rate(s.DownloadRate)}, up {Format.Rate(s.UploadRate)}"),
            ("limits", $"down {Limit(s.DownloadLimit)}, up {Limit(s.UploadLimit)}"),
            ("log level", s.LogLevel),
            ("dht", s.DhtNodes is { } nodes ? $"{Num(nodes)} node(s)" : "off"),
        };
        // A loop, not Select: a Select over these tuples is JIT-compiled at every one-shot `status` (issue 14).
        var text = new StringBuilder();
        foreach (var (label, value) in rows)
        {
            text.Append($"{label,-10} {value}\n");
        }

        return text.ToString();
    }

    /// <summary>DHT (issue 15): the `dht` command's text.</summary>
    private static string DhtText(DhtInfo d)
    {
        if (!d.Enabled)
        {
            return "the DHT is off on this node (--no-dht or swarm.dht.enabled = off)\n";
        }

        var sb = new StringBuilder();
        sb.AppendLine($"node id    {d.NodeId}");
        sb.AppendLine($"udp        {d.EndPoint}");
        sb.AppendLine($"nodes      {Num(d.Nodes)} in {d.Buckets.Length} bucket(s): {string.Join(" ", d.Buckets.Select((n, i) => $"{i}:{n}"))}");
        sb.AppendLine($"torrents   {d.Tracked} looked up, {d.Announced} announced, {d.StoredTorrents} announced to us");
        if (d.Recent.Length == 0)
        {
            sb.AppendLine("no lookups yet");
            return sb.ToString();
        }

        sb.AppendLine("recent lookups:");
        sb.Append(Table(
            ["TARGET", "KIND", "ANSWERED", "PEERS", "ANNOUNCED", "TOOK"],
            d.Recent.Select(r => new[] { r.Target[..8], r.Kind, Num(r.Answered), Num(r.Peers), Num(r.AnnouncedTo), string.Create(CultureInfo.InvariantCulture, $"{r.Seconds:0.0} s") }),
            rightAligned: [2, 3, 4, 5]));
        return sb.ToString();
    }

    /// <summary>What scripts read from `show --json`: the detail with its piece map drawn, not the raw bitfield.</summary>
    private static object ForJson(IConsoleReply reply) => reply is TorrentDetail d
        ? new TorrentDetailJson(d.Torrent, d.PieceLength, d.HashFailures, d.JournalError, d.TrackerError, PieceMap(d.Bitfield, d.Torrent.Pieces), d.Files, d.Trackers, d.Peers)
        : reply;

    private static string Detail(TorrentDetail d, DateTime now)
    {
        var t = d.Torrent;
        var sb = new StringBuilder();
        sb.AppendLine($"{t.Name}");
        sb.AppendLine($"  info-hash  {t.InfoHash}");
        if (t.InfoHashV2 is { } v2)
        {
            sb.AppendLine($"  v2 hash    {v2}");
        }

        sb.AppendLine($"  state      {t.State}{(t.Error is null ? string.Empty : $": {t.Error}")}");
        sb.AppendLine($"  saved in   {t.SavePath}");
        if (t.Replica)
        {
            sb.AppendLine("  origin     a copy the cluster made to keep the replication factor (released when surplus)");
        }

        if (t.State == "metadata")
        {
            // A magnet link: size, pieces and files are unknown until a peer sends the info dictionary.
            sb.AppendLine("  size       unknown until the metadata comes from a peer");
            return sb.ToString();
        }

        sb.AppendLine($"  size       {Format.Bytes(t.Size)} in {Num(t.Pieces)} pieces of {Format.Bytes(d.PieceLength)}");
        sb.AppendLine($"  progress   {Percent(t.Progress)} ({Num(t.VerifiedPieces)}/{Num(t.Pieces)} pieces), {Num(d.HashFailures)} hash failure(s)");
        sb.AppendLine($"  pieces     [{PieceMap(d.Bitfield, t.Pieces)}]");
        sb.AppendLine($"  transfer   down {Format.Rate(t.DownloadRate)} ({Format.Bytes(t.Downloaded)}), up {Format.Rate(t.UploadRate)} ({Format.Bytes(t.Uploaded)})");
        sb.AppendLine($"  limits     down {Limit(t.DownloadLimit)}, up {Limit(t.UploadLimit)}");
        if (d.JournalError is not null)
        {
            sb.AppendLine($"  journal    failing: {d.JournalError}");
        }

        sb.AppendLine($"files ({d.Files.Length}):");
        sb.Append(Indent(Table(["PATH", "SIZE", "DONE"], d.Files.Select(f => new[] { f.Path, Format.Bytes(f.Length), Percent(f.Progress) }), rightAligned: [1, 2])));
        sb.AppendLine($"trackers ({d.Trackers.Length}):");
        if (d.Trackers.Length > 0)
        {
            sb.Append(Indent(Table(
                ["URL", "STATUS", "NEXT ANNOUNCE"],
                d.Trackers.Select(tr => new[]
                {
                    tr.Url,
                    tr.Error is null ? tr.Status : $"{tr.Status}: {tr.Error}",
                    tr.NextAnnounce is { } next ? $"in {Math.Max(0, (next - now).TotalSeconds):0} s" : "-",
                }))));
        }

        sb.AppendLine($"peers ({d.Peers.Length}):");
        if (d.Peers.Length > 0)
        {
            sb.Append(Indent(Peers(d.Peers)));
        }

        return sb.ToString();
    }

    /// <summary>Issue 17: web seeds under the peers, when the torrent has any.</summary>
    private static string WebSeeds(IReadOnlyList<WebSeedSummary> seeds, DateTime now) => seeds.Count == 0
        ? string.Empty
        : $"{seeds.Count} web seed(s)\n" + Table(
            ["URL", "STATE", "DOWN", "FETCHED", "NOTE"],
            seeds.Select(s => new[]
            {
                Truncate(s.Url, 60),
                s.State,
                Format.Rate(s.DownloadRate),
                Format.Bytes(s.Downloaded),
                s.RetryAt is { } at ? $"retry in {Math.Max(0, (at.UtcDateTime - now).TotalSeconds):0}s: {s.Error}" : s.Error ?? string.Empty,
            }),
            rightAligned: [2, 3]);

    private static string Peers(IReadOnlyList<PeerSummary> peers) => peers.Count == 0
        ? string.Empty
        : Table(
            ["ADDRESS", "CLIENT", "DIR", "VIA", "HAS", "DOWN", "UP", "FLAGS"],
            peers.Select(p => new[]
            {
                p.EndPoint,
                Truncate(p.Client, 24),
                p.Incoming ? "in" : "out",
                p.Encrypted ? $"{p.Transport}+enc" : p.Transport,
                Percent(p.Progress),
                Format.Rate(p.DownloadRate),
                Format.Rate(p.UploadRate),
                Flags(p),
            }),
            rightAligned: [4, 5, 6]);

    /// <summary>libtorrent-style flags: we choke them (C), they choke us (c), they are interested (I).</summary>
    private static string Flags(PeerSummary p) =>
        $"{(p.AmChoking ? "C" : "-")}{(p.PeerChoking ? "c" : "-")}{(p.Interested ? "I" : "-")}";

    private static string Table(string[] header, IEnumerable<string[]> rows, int[]? rightAligned = null)
    {
        var all = rows.ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        var right = new HashSet<int>(rightAligned ?? []);
        var sb = new StringBuilder();
        foreach (var row in all.Prepend(header))
        {
            var cells = row.Select((cell, i) => i == row.Length - 1 && !right.Contains(i) ? cell : right.Contains(i) ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]));
            sb.AppendLine(string.Join("  ", cells).TrimEnd());
        }

        return sb.ToString();
    }

    private static string Indent(string text) =>
        string.Concat(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "  " + l + "\n"));

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Uptime(double seconds)
    {
        var t = TimeSpan.FromSeconds(seconds);
        return t.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h {t.Minutes:00}m {t.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}m {t.Seconds:00}s");
    }
}

/// <summary>`show --json` as it always was: the detail's fields in their order, with the piece map as text.</summary>
internal sealed record TorrentDetailJson(
    TorrentSummary Torrent,
    long PieceLength,
    int HashFailures,
    string? JournalError,
    string? TrackerError,
    string PieceMap,
    FileSummary[] Files,
    TrackerSummary[] Trackers,
    PeerSummary[] Peers);

/// <summary>Exit codes of `swarm console` beyond the common ones (0 ok, 1 command failed, 2 invalid input).</summary>
internal static class ConsoleExitCodes
{
    public const int Unreachable = 3;

    public const int Refused = 4;
}
