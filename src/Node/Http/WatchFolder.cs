using Microsoft.Extensions.Logging;
using Swarm.Protocol.Magnet;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Http;

/// <summary>The watch folder: every interval, each .torrent or .magnet file dropped in it is added through the console's
/// commands and renamed NAME.added, or NAME.invalid with a log line saying why. A file still being written (it does
/// not parse and changed within the last interval) waits for the next scan; a node that does not answer leaves the
/// file for the next scan too, so nothing is lost.</summary>
public sealed class WatchFolder : IAsyncDisposable
{
    public const string AddedSuffix = ".added";
    public const string InvalidSuffix = ".invalid";

    private readonly string _dir;
    private readonly string? _savePath;
    private readonly NodeCommands _commands;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private WatchFolder(string dir, string? savePath, TimeSpan interval, NodeCommands commands, ILogger log, TimeProvider clock)
    {
        _dir = dir;
        _savePath = savePath;
        _interval = interval;
        _commands = commands;
        _log = log;
        _clock = clock;
        _loop = Task.Run(Loop);
    }

    public string Dir => _dir;

    /// <param name="savePath">Where added torrents save; null = the node's default.</param>
    public static WatchFolder Start(string dir, string? savePath, TimeSpan interval, NodeCommands commands, ILogger log, TimeProvider clock)
    {
        var full = Path.GetFullPath(dir);
        if (!Directory.Exists(full))
        {
            throw new ArgumentException($"--watch-dir '{dir}' is not a folder");
        }

        if (savePath is not null && !Path.IsPathFullyQualified(savePath))
        {
            throw new ArgumentException($"swarm.watch.save-path '{savePath}' is not an absolute path");
        }

        return new WatchFolder(full, savePath, interval, commands, log, clock);
    }

    /// <summary>Whether a file name is one the folder takes (a .torrent or .magnet not yet handled).</summary>
    public static bool Watched(string fileName) =>
        fileName.EndsWith(".torrent", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".magnet", StringComparison.OrdinalIgnoreCase);

    private async Task Loop()
    {
        using var timer = new PeriodicTimer(_interval, _clock);
        do
        {
            try
            {
                await ScanOnce(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogWarning("watch folder {Dir}: {Reason}", _dir, e.Message);
            }
        }
        while (await Next(timer).ConfigureAwait(false));
    }

    private async Task<bool> Next(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ScanOnce(CancellationToken ct)
    {
        foreach (var path in Directory.EnumerateFiles(_dir).Where(p => Watched(Path.GetFileName(p))).Order(StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            await Take(path, ct).ConfigureAwait(false);
        }
    }

    private async Task Take(string path, CancellationToken ct)
    {
        var name = Path.GetFileName(path);
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return; // taken away meanwhile
        }

        var (command, hash, problem) = Parse(name, bytes);
        if (command is null || hash is null)
        {
            if (_clock.GetUtcNow() - File.GetLastWriteTimeUtc(path) < _interval)
            {
                return; // perhaps still being written: the next scan decides
            }

            Rename(path, InvalidSuffix);
            _log.LogWarning("watch folder: {File} is not usable ({Reason}); renamed to {Renamed}", name, problem, name + InvalidSuffix);
            return;
        }

        if (await _commands.Send(new ListNodeTorrents(), ct).ConfigureAwait(false) is not TorrentListing present)
        {
            _log.LogWarning("watch folder: {File} waits for the next scan: the node did not list its torrents", name);
            return;
        }

        if (present.Torrents.Any(t => string.Equals(t.InfoHash, hash, StringComparison.OrdinalIgnoreCase)))
        {
            // Handled, as Transmission handles a duplicate: the torrent is there.
            Rename(path, AddedSuffix);
            _log.LogInformation("watch folder: {File}: {Hash} is already on this node", name, hash[..8]);
            return;
        }

        switch (await _commands.Send(command, ct).ConfigureAwait(false))
        {
            case Done done:
                Rename(path, AddedSuffix);
                _log.LogInformation("watch folder: {Message} (from {File})", done.Message, name);
                break;
            case CommandFailed failed when failed.Message.StartsWith("the node did not answer", StringComparison.Ordinal):
                _log.LogWarning("watch folder: {File} waits for the next scan: {Reason}", name, failed.Message);
                break;
            case CommandFailed failed:
                Rename(path, InvalidSuffix);
                _log.LogWarning("watch folder: {File} could not be added ({Reason}); renamed to {Renamed}", name, failed.Message, name + InvalidSuffix);
                break;
            case var other:
                _log.LogWarning("watch folder: {File} waits for the next scan: the node answered {Answer}", name, other.GetType().Name);
                break;
        }
    }

    /// <summary>The add command for a dropped file and the info-hash it adds, or why there is none.</summary>
    public (IConsoleCommand? Command, string? Hash, string? Problem) Parse(string name, byte[] bytes)
    {
        if (name.EndsWith(".magnet", StringComparison.OrdinalIgnoreCase))
        {
            var link = System.Text.Encoding.UTF8.GetString(bytes).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? string.Empty;
            try
            {
                var magnet = MagnetLink.Parse(link);
                return (new AddByLink(link, _savePath), magnet.InfoHash.Hex, null);
            }
            catch (FormatException e)
            {
                return (null, null, $"not a magnet link: {e.Message}");
            }
        }

        try
        {
            var meta = MetainfoParser.Parse(bytes);
            return (new AddTorrentFile(bytes, _savePath), meta.InfoHash.Hex, null);
        }
        catch (Exception e) when (e is InvalidTorrentException or FormatException)
        {
            return (null, null, $"not a valid torrent: {e.Message}");
        }
    }

    private static void Rename(string path, string suffix) => File.Move(path, path + suffix, overwrite: true);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
