using System.Text.Json.Nodes;
using Swarm.Protocol.Magnet;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;
using static Swarm.Node.Http.RpcArguments;

namespace Swarm.Node.Http;

/// <summary>Transmission's torrent methods (torrent-get, -add, -start, -stop, -verify, -remove, -set) as the console's
/// commands: the same conversations and answers as `swarm console`.</summary>
public sealed class TransmissionTorrents(NodeCommands commands, TorrentIds ids, TransmissionSession session, HttpClient web)
{
    /// <summary>Largest .torrent fetched from a URL (the console's own frame limit is larger; no real one comes near).</summary>
    private const long MaxTorrentFromUrl = 16 * 1024 * 1024;

    private static readonly string[] DefaultFields = ["id", "name", "hashString"];

    public async Task<TorrentSummary[]> List()
    {
        var list = await commands.Expect<TorrentListing>(new ListNodeTorrents()).ConfigureAwait(false);
        ids.Observe(list.Torrents.Select(t => (t.InfoHash, t.Pieces > 0 && t.VerifiedPieces >= t.Pieces)));
        return list.Torrents;
    }

    public async Task<JsonObject> Get(JsonObject args)
    {
        var requested = args["fields"] is JsonArray f ? [.. f.Select(x => x?.GetValue<string>()).OfType<string>()] : DefaultFields;
        var fields = requested.Select(r => (Name: r, Canonical: TransmissionFields.Canonical(r))).ToArray();
        var selection = Ids(args["ids"]);
        var torrents = Select(await List().ConfigureAwait(false), selection);
        var detailed = fields.Any(x => TransmissionFields.NeedDetail.Contains(x.Canonical));
        var now = ids.Now;
        var views = new List<TorrentView>(torrents.Count);
        foreach (var t in torrents)
        {
            TorrentDetail? detail = null;
            if (detailed)
            {
                // A torrent removed meanwhile has no details: it is left out, as if asked a moment later.
                if (await commands.Send(new ShowTorrent(t.InfoHash)).ConfigureAwait(false) is not TorrentDetail d)
                {
                    continue;
                }

                detail = d;
            }

            views.Add(new TorrentView(ids.IdOf(t.InfoHash), t, detail, ids.AddedDate(t.InfoHash), ids.DoneDate(t.InfoHash), now));
        }

        JsonArray rows;
        if (RpcArguments.String(args["format"]) == "table")
        {
            rows = [new JsonArray([.. fields.Select(x => (JsonNode)x.Name)])];
            foreach (var v in views)
            {
                rows.Add(new JsonArray([.. fields.Select(x => TransmissionFields.Value(x.Canonical, v))]));
            }
        }
        else
        {
            rows = [];
            foreach (var v in views)
            {
                var row = new JsonObject();
                foreach (var (name, canonical) in fields)
                {
                    if (!row.ContainsKey(name) && TransmissionFields.Value(canonical, v) is { } value)
                    {
                        row[name] = value;
                    }
                }

                rows.Add(row);
            }
        }

        var answer = new JsonObject { ["torrents"] = rows };
        if (selection is RecentlyActive)
        {
            answer["removed"] = new JsonArray([.. ids.RecentlyRemoved().Select(i => (JsonNode)i)]);
        }

        return answer;
    }

    public async Task<(JsonObject Arguments, string Result)> Add(JsonObject raw)
    {
        var args = Normalize(raw);
        var dir = RpcArguments.String(args["download-dir"]) ?? session.DownloadDir;
        if (!Path.IsPathFullyQualified(dir))
        {
            throw new RpcException($"download-dir '{dir}' is not an absolute path on the node");
        }

        string hash;
        IConsoleCommand command;
        if (RpcArguments.String(args["metainfo"]) is { } b64)
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(b64);
            }
            catch (FormatException)
            {
                throw new RpcException("metainfo is not base64");
            }

            (hash, command) = (HashOfTorrent(bytes), new AddTorrentFile(bytes, dir));
        }
        else if (RpcArguments.String(args["filename"]) is { Length: > 0 } filename)
        {
            (hash, command) = await FromFilename(filename, dir).ConfigureAwait(false);
        }
        else
        {
            throw new RpcException("torrent-add needs a filename or metainfo");
        }

        var present = await List().ConfigureAwait(false);
        if (present.FirstOrDefault(t => string.Equals(t.InfoHash, hash, StringComparison.OrdinalIgnoreCase)) is { } dup)
        {
            return (new JsonObject { ["torrent-duplicate"] = Brief(dup) }, "success");
        }

        var done = await commands.Expect<Done>(command).ConfigureAwait(false);
        var added = done.Torrent ?? throw new RpcException(done.Message);
        if (Bool(args["paused"]) == true)
        {
            await commands.Expect<Done>(new PauseTorrent(added.InfoHash)).ConfigureAwait(false);
        }

        ids.Assign(added.InfoHash);
        return (new JsonObject { ["torrent-added"] = Brief(added) }, "success");
    }

    /// <summary>A filename is a magnet link, an http(s) URL of a .torrent, or a path on the node.</summary>
    private async Task<(string Hash, IConsoleCommand Command)> FromFilename(string filename, string dir)
    {
        if (filename.StartsWith("magnet:", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return (MagnetLink.Parse(filename).InfoHash.Hex, new AddByLink(filename, dir));
            }
            catch (FormatException e)
            {
                throw new RpcException($"invalid magnet link: {e.Message}");
            }
        }

        if (Uri.TryCreate(filename, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            byte[] bytes;
            try
            {
                using var response = await web.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                if (response.Content.Headers.ContentLength > MaxTorrentFromUrl)
                {
                    throw new RpcException($"{uri} is larger than {MaxTorrentFromUrl} bytes: not a .torrent");
                }

                bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                throw new RpcException($"cannot fetch {uri}: {e.Message}");
            }

            return (HashOfTorrent(bytes), new AddTorrentFile(bytes, dir));
        }

        if (!Path.IsPathFullyQualified(filename) || !File.Exists(filename))
        {
            throw new RpcException($"no such file on the node: {filename}");
        }

        var file = await File.ReadAllBytesAsync(filename).ConfigureAwait(false);
        return (HashOfTorrent(file), new AddTorrentFile(file, dir));
    }

    private static string HashOfTorrent(byte[] bytes)
    {
        try
        {
            return MetainfoParser.Parse(bytes).InfoHash.Hex;
        }
        catch (Exception e) when (e is InvalidTorrentException or FormatException)
        {
            throw new RpcException($"invalid or corrupt torrent file: {e.Message}");
        }
    }

    private JsonObject Brief(TorrentSummary t) => new()
    {
        ["id"] = ids.Assign(t.InfoHash),
        ["name"] = t.Name,
        ["hashString"] = t.InfoHash,
    };

    /// <summary>torrent-start, torrent-stop, torrent-verify: the console's resume, pause and recheck on each selected torrent.</summary>
    public async Task<JsonObject> Each(JsonObject args, Func<string, IConsoleCommand> command)
    {
        var failures = new List<string>();
        foreach (var t in Select(await List().ConfigureAwait(false), Ids(args["ids"])))
        {
            if (await commands.Send(command(t.InfoHash)).ConfigureAwait(false) is CommandFailed f)
            {
                failures.Add(f.Message);
            }
        }

        return failures.Count == 0 ? [] : throw new RpcException(string.Join("; ", failures));
    }

    public async Task<JsonObject> Remove(JsonObject raw)
    {
        var args = Normalize(raw);
        var delete = Bool(args["delete-local-data"]) == true;
        return await Each(args, hash => new RemoveNodeTorrent(hash, delete)).ConfigureAwait(false);
    }

    /// <summary>torrent-set: the per-torrent limits (kB/s, with their "limited" switches); other keys are ignored, as
    /// Transmission ignores keys it does not know.</summary>
    public async Task<JsonObject> Set(JsonObject raw)
    {
        var args = Normalize(raw);
        foreach (var t in Select(await List().ConfigureAwait(false), Ids(args["ids"])))
        {
            var down = TorrentLimit(Bool(args["downloadLimited"]), Long(args["downloadLimit"]), t.DownloadLimit);
            var up = TorrentLimit(Bool(args["uploadLimited"]), Long(args["uploadLimit"]), t.UploadLimit);
            if (down is not null || up is not null)
            {
                await commands.Expect<Limits>(new SetLimits(t.InfoHash, down, up)).ConfigureAwait(false);
            }
        }

        return [];
    }

    /// <summary>A torrent's new limit in bytes per second; null = unchanged. A value with the switch off is not kept
    /// (we hold one number per limit, 0 = none).</summary>
    public static long? TorrentLimit(bool? limited, long? kb, long current)
    {
        if (kb < 0)
        {
            throw new RpcException("a speed limit must not be negative");
        }

        return (limited, kb) switch
        {
            (false, _) => 0,
            (true, { } k) => k * 1000,
            (true, null) => current > 0 ? current : null,
            (null, { } k) when current > 0 => k * 1000,
            _ => null,
        };
    }

    /// <summary>The torrents an "ids" argument selects, in listing order.</summary>
    public IReadOnlyList<TorrentSummary> Select(TorrentSummary[] torrents, IdSelection selection) => selection switch
    {
        AllTorrents => torrents,
        RecentlyActive => [.. torrents.Where(t => t.DownloadRate > 0 || t.UploadRate > 0 || t.State is "checking" or "metadata")],
        Listed l => [.. torrents.Where(t => l.Hashes.Contains(t.InfoHash, StringComparer.OrdinalIgnoreCase) || l.Ids.Contains(ids.IdOf(t.InfoHash)))],
        _ => [],
    };
}
