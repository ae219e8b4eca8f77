using Akka.Configuration;

namespace Swarm.Actors.Configuration;

// The hardening blocks (issue 13): what hostile peers, torrents and consoles may cost the node, each read once at
// start-up by SwarmSettings.From. Kept apart from SwarmSettings.cs, which holds the node's ordinary blocks.

/// <summary>hardening: peer memory and handshakes. The `swarm.peer-hardening` block: what hostile peers can make the
/// node hold (send queues, queued uploads, metadata and reject floods) and how many incoming connections may sit in
/// the handshake.</summary>
public sealed record PeerHardeningSettings(
    long MaxSendQueue,
    long SendBudget,
    long SendQueueGuaranteed,
    long MaxQueuedUploadBytes,
    int MetadataFetchesPerWindow,
    TimeSpan MetadataFetchWindow,
    int RejectBurst,
    double RejectsPerSecond,
    int MaxIncomingHandshakes,
    int MaxIncomingHandshakesPerAddress)
{
    public static PeerHardeningSettings From(Config h)
    {
        var settings = new PeerHardeningSettings(
            h.GetByteSize("max-send-queue") ?? throw Missing("max-send-queue"),
            h.GetByteSize("send-budget") ?? throw Missing("send-budget"),
            h.GetByteSize("send-queue-guaranteed") ?? throw Missing("send-queue-guaranteed"),
            h.GetByteSize("max-queued-upload-bytes") ?? throw Missing("max-queued-upload-bytes"),
            h.GetInt("metadata-fetches-per-window"),
            h.GetTimeSpan("metadata-fetch-window"),
            h.GetInt("reject-burst"),
            h.GetDouble("rejects-per-second"),
            h.GetInt("max-incoming-handshakes"),
            h.GetInt("max-incoming-handshakes-per-address"));
        if (settings.MaxSendQueue <= 0 || settings.SendBudget <= 0 || settings.MaxQueuedUploadBytes <= 0 || settings.MetadataFetchesPerWindow <= 0
            || settings.MetadataFetchWindow <= TimeSpan.Zero || settings.RejectBurst <= 0 || settings.RejectsPerSecond < 0
            || settings.MaxIncomingHandshakes <= 0 || settings.MaxIncomingHandshakesPerAddress <= 0)
        {
            throw new ConfigurationException("swarm.peer-hardening: every bound must be positive");
        }

        return settings;
    }

    private static ConfigurationException Missing(string key) => new($"swarm.peer-hardening.{key} is missing");
}

/// <summary>The `swarm.received-blocks` block: late blocks of requests given up are still accepted (up to
/// <paramref name="GivenUpRemembered"/> per connection), and past <paramref name="MaxUnrequested"/> dropped blocks a
/// peer is disconnected and banned.</summary>
public sealed record ReceivedBlockSettings(int GivenUpRemembered, int MaxUnrequested)
{
    public static ReceivedBlockSettings Default { get; } = new(512, 8);

    public static ReceivedBlockSettings From(Config c) => new(c.GetInt("given-up-remembered"), c.GetInt("max-unrequested"));
}

/// <summary>The `swarm.candidates` block: how many endpoints a torrent keeps to dial.</summary>
public sealed record CandidateSettings(int MaxPerTorrent)
{
    public static CandidateSettings Default { get; } = new(3000);

    public static CandidateSettings From(Config c) => new(c.GetInt("max-per-torrent"));
}

/// <summary>The `swarm.files` block: what one torrent may ask of the disk.</summary>
/// <param name="MaxFilesPerTorrent">Torrents with more (non-padding) files are refused at add.</param>
/// <param name="MinFreeSpace">Bytes an add must leave free on the disk after all of its data is written.</param>
/// <param name="ReplicaFolder">Folder, below the default save folder, that holds one folder per cluster replica.</param>
public sealed record FilesSettings(int MaxFilesPerTorrent, long MinFreeSpace, string ReplicaFolder)
{
    public static FilesSettings Default { get; } = new(100_000, 256L << 20, "replicas");

    public static FilesSettings From(Config swarm)
    {
        var f = swarm.GetConfig("files");
        if (f is null || f.IsEmpty)
        {
            return Default;
        }

        var settings = new FilesSettings(f.GetInt("max-files-per-torrent"), f.GetByteSize("min-free-space") ?? 0, f.GetString("replica-folder"));
        return settings.MaxFilesPerTorrent < 1 || settings.MinFreeSpace < 0 || string.IsNullOrWhiteSpace(settings.ReplicaFolder) || Path.IsPathRooted(settings.ReplicaFolder)
            ? throw new ConfigurationException("swarm.files: max-files-per-torrent must be at least 1, min-free-space at least 0, replica-folder a relative folder name")
            : settings;
    }
}

/// <summary>The `swarm.console.wrong-secret` block: how the console slows down whoever presents a wrong secret.</summary>
/// <param name="FirstDelay">The answer to a requester's first wrong secret waits this long; each next one twice as long.</param>
/// <param name="MaxDelay">Upper bound of that wait.</param>
/// <param name="QuietAfter">A requester with no wrong secret for this long starts afresh (and its burst is summed up in the log).</param>
/// <param name="MaxWaiting">Requests of one requester waiting for their answer; beyond, its requests are refused unchecked.</param>
public sealed record ConsoleGuardSettings(TimeSpan FirstDelay, TimeSpan MaxDelay, TimeSpan QuietAfter, int MaxWaiting)
{
    public static ConsoleGuardSettings Default { get; } = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(60), 4);

    public static ConsoleGuardSettings From(Config swarm)
    {
        var g = swarm.GetConfig("console.wrong-secret");
        if (g is null || g.IsEmpty)
        {
            return Default;
        }

        var settings = new ConsoleGuardSettings(g.GetTimeSpan("first-delay"), g.GetTimeSpan("max-delay"), g.GetTimeSpan("quiet-after"), g.GetInt("max-waiting"));
        return settings.FirstDelay < TimeSpan.Zero || settings.MaxDelay < settings.FirstDelay || settings.QuietAfter <= TimeSpan.Zero || settings.MaxWaiting < 1
            ? throw new ConfigurationException("swarm.console.wrong-secret: first-delay <= max-delay, quiet-after > 0 and max-waiting >= 1 are required")
            : settings;
    }
}
