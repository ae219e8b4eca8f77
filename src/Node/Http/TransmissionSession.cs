using System.Text.Json.Nodes;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Http;

/// <summary>What the RPC tells about the node itself and whom it is.</summary>
/// <param name="DefaultSavePath">Where adds save when no download-dir is given (the console's default).</param>
public sealed record RpcNodeFacts(string Version, string DataDir, int PeerPort, string DefaultSavePath);

/// <summary>Transmission's session methods (session-get, session-set, session-stats, free-space) over the console's
/// commands. Speed limits are kB/s (1000 bytes) as Transmission counts them; ours are bytes per second.</summary>
public sealed class TransmissionSession(NodeCommands commands, RpcNodeFacts facts)
{
    public const int RpcVersion = 17;
    public const int RpcVersionMinimum = 14;
    public const string RpcVersionSemver = "5.3.0";
    private const long KiloByte = 1000;

    /// <summary>Transmission's default speed limit (kB/s), used when a limit is enabled without a value.</summary>
    private const long DefaultLimitKb = 100;

    private readonly object _gate = new();
    private string? _downloadDir;
    private long _downKb = DefaultLimitKb;
    private long _upKb = DefaultLimitKb;

    /// <summary>Where adds without a download-dir save: set by session-set for this node's run, else the node's default.</summary>
    public string DownloadDir
    {
        get
        {
            lock (_gate)
            {
                return _downloadDir ?? facts.DefaultSavePath;
            }
        }
    }

    public async Task<JsonObject> Get(JsonObject? args, string sessionId)
    {
        var status = await commands.Expect<NodeStatus>(new GetNodeStatus()).ConfigureAwait(false);
        long downKb, upKb;
        lock (_gate)
        {
            downKb = status.DownloadLimit > 0 ? status.DownloadLimit / KiloByte : _downKb;
            upKb = status.UploadLimit > 0 ? status.UploadLimit / KiloByte : _upKb;
        }

        var all = new JsonObject
        {
            ["version"] = facts.Version,
            ["rpc-version"] = RpcVersion,
            ["rpc-version-minimum"] = RpcVersionMinimum,
            ["rpc-version-semver"] = RpcVersionSemver,
            ["session-id"] = sessionId,
            ["config-dir"] = facts.DataDir,
            ["download-dir"] = DownloadDir,
            ["download-dir-free-space"] = FreeBytes(DownloadDir) ?? -1,
            ["incomplete-dir"] = DownloadDir,
            ["incomplete-dir-enabled"] = false,
            ["peer-port"] = facts.PeerPort,
            ["peer-port-random-on-start"] = false,
            ["port-forwarding-enabled"] = false,
            ["dht-enabled"] = false,
            ["pex-enabled"] = false,
            ["lpd-enabled"] = false,
            ["utp-enabled"] = false,
            ["encryption"] = "tolerated",
            ["cache-size-mb"] = 0,
            ["start-added-torrents"] = true,
            ["rename-partial-files"] = false,
            ["trash-original-torrent-files"] = false,
            ["blocklist-enabled"] = false,
            ["blocklist-size"] = 0,
            ["blocklist-url"] = string.Empty,
            ["download-queue-enabled"] = false,
            ["download-queue-size"] = 0,
            ["seed-queue-enabled"] = false,
            ["seed-queue-size"] = 0,
            ["queue-stalled-enabled"] = false,
            ["queue-stalled-minutes"] = 0,
            ["speed-limit-down"] = downKb,
            ["speed-limit-down-enabled"] = status.DownloadLimit > 0,
            ["speed-limit-up"] = upKb,
            ["speed-limit-up-enabled"] = status.UploadLimit > 0,
            ["alt-speed-down"] = 0,
            ["alt-speed-up"] = 0,
            ["alt-speed-enabled"] = false,
            ["alt-speed-time-enabled"] = false,
            ["alt-speed-time-begin"] = 0,
            ["alt-speed-time-end"] = 0,
            ["alt-speed-time-day"] = 0,
            ["peer-limit-global"] = 0,
            ["peer-limit-per-torrent"] = 0,
            // We seed without a ratio or idle limit: the cluster decides which copies to keep.
            ["seedRatioLimit"] = 0.0,
            ["seedRatioLimited"] = false,
            ["idle-seeding-limit"] = 0,
            ["idle-seeding-limit-enabled"] = false,
            ["script-torrent-done-enabled"] = false,
            ["script-torrent-done-filename"] = string.Empty,
            ["units"] = new JsonObject
            {
                ["speed-units"] = new JsonArray("kB/s", "MB/s", "GB/s", "TB/s"),
                ["speed-bytes"] = KiloByte,
                ["size-units"] = new JsonArray("kB", "MB", "GB", "TB"),
                ["size-bytes"] = KiloByte,
                ["memory-units"] = new JsonArray("KiB", "MiB", "GiB", "TiB"),
                ["memory-bytes"] = 1024,
            },
        };
        if (args?["fields"] is JsonArray fields)
        {
            var wanted = fields.Select(f => f?.GetValue<string>().Replace('_', '-')).Where(f => f is not null).ToHashSet(StringComparer.Ordinal);
            foreach (var key in all.Select(p => p.Key).Where(k => !wanted.Contains(k) && !wanted.Contains(k.Replace('_', '-'))).ToList())
            {
                all.Remove(key);
            }
        }

        return all;
    }

    public async Task<JsonObject> Set(JsonObject args)
    {
        var a = RpcArguments.Normalize(args);
        if (a["download-dir"]?.GetValue<string>() is { } dir)
        {
            if (!Path.IsPathFullyQualified(dir))
            {
                throw new RpcException($"download-dir '{dir}' is not an absolute path on the node");
            }

            lock (_gate)
            {
                _downloadDir = Path.GetFullPath(dir);
            }
        }

        var status = await commands.Expect<NodeStatus>(new GetNodeStatus()).ConfigureAwait(false);
        var down = Limit(a, "speed-limit-down", status.DownloadLimit, ref _downKb);
        var up = Limit(a, "speed-limit-up", status.UploadLimit, ref _upKb);
        if (down is not null || up is not null)
        {
            await commands.Expect<Limits>(new SetLimits(null, down, up)).ConfigureAwait(false);
        }

        return [];
    }

    /// <summary>A limit's new value in bytes per second from the "-enabled" switch and the kB/s value; null = unchanged.</summary>
    private long? Limit(JsonObject a, string key, long current, ref long rememberedKb)
    {
        var enabled = RpcArguments.Bool(a[key + "-enabled"]);
        var kb = RpcArguments.Long(a[key]);
        lock (_gate)
        {
            if (kb is { } k)
            {
                if (k < 0)
                {
                    throw new RpcException($"{key} must not be negative");
                }

                rememberedKb = k;
            }

            return (enabled, kb) switch
            {
                (false, _) => 0,
                (true, _) => rememberedKb * KiloByte,
                (null, { } value) when current > 0 => value * KiloByte,
                _ => null,
            };
        }
    }

    public async Task<JsonObject> Stats()
    {
        var list = await commands.Expect<TorrentListing>(new ListNodeTorrents()).ConfigureAwait(false);
        var status = await commands.Expect<NodeStatus>(new GetNodeStatus()).ConfigureAwait(false);
        var torrents = list.Torrents;
        JsonObject Totals() => new()
        {
            ["uploadedBytes"] = torrents.Sum(t => t.Uploaded),
            ["downloadedBytes"] = torrents.Sum(t => t.Downloaded),
            ["filesAdded"] = torrents.Length,
            ["sessionCount"] = 1,
            ["secondsActive"] = (long)status.UptimeSeconds,
        };
        return new JsonObject
        {
            ["activeTorrentCount"] = torrents.Count(t => t.State is "downloading" or "seeding" or "checking" or "metadata"),
            ["pausedTorrentCount"] = torrents.Count(t => t.State is "paused" or "error" or "failed"),
            ["torrentCount"] = torrents.Length,
            ["downloadSpeed"] = (long)torrents.Sum(t => t.DownloadRate),
            ["uploadSpeed"] = (long)torrents.Sum(t => t.UploadRate),
            // The node counts transfers since its start only: both blocks say the same.
            ["cumulative-stats"] = Totals(),
            ["current-stats"] = Totals(),
        };
    }

    public static JsonObject FreeSpace(JsonObject args)
    {
        var path = args["path"]?.GetValue<string>() ?? throw new RpcException("free-space needs a path");
        if (!Path.IsPathFullyQualified(path))
        {
            throw new RpcException($"'{path}' is not an absolute path");
        }

        var drive = Drive(path) ?? throw new RpcException($"no such folder: {path}");
        return new JsonObject { ["path"] = path, ["size-bytes"] = drive.AvailableFreeSpace, ["total_size"] = drive.TotalSize };
    }

    private static long? FreeBytes(string path) => Drive(path)?.AvailableFreeSpace;

    /// <summary>The file system of the nearest existing folder at or above <paramref name="path"/>.</summary>
    private static DriveInfo? Drive(string path)
    {
        var dir = new DirectoryInfo(path);
        while (dir is not null && !dir.Exists)
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            return null;
        }

        try
        {
            return new DriveInfo(dir.FullName);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
