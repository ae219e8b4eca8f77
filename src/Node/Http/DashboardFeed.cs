using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Http;

/// <summary>The dashboard's one view of the node, shared by every open page: while at least one page listens, the
/// node is asked each refresh interval (a <see cref="PeriodicTimer"/> on the node's clock) through the console's
/// commands, and a snapshot that differs from the last is handed to every listener. A slow page gets only the newest
/// snapshot, never a queue; with no page open the node is not asked at all.</summary>
public sealed class DashboardFeed(NodeCommands commands, Func<long?> freeDisk, DashboardSettings settings, TimeProvider clock, ILogger log) : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly object _gate = new();
    private readonly List<Channel<string>> _listeners = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _publishing = new(1, 1);
    private MemberHistory _members = MemberHistory.Empty;
    private CancellationTokenSource? _loopStop;
    private Task _loop = Task.CompletedTask;
    private string? _latest;

    public DashboardSettings Settings => settings;

    /// <summary>A listener: reads the latest snapshot at once (when there is one), then every change. Dispose it to
    /// stop listening.</summary>
    public Listener Listen()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _listeners.Add(channel);
            if (_latest is not null)
            {
                channel.Writer.TryWrite(_latest);
            }

            if (_loopStop is null)
            {
                _loopStop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var token = _loopStop.Token;
                var previous = _loop;
                // After the loop of the last page to close has ended (Loop ends without throwing).
                _loop = previous.ContinueWith(_ => Loop(token), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            }
        }

        return new Listener(channel.Reader, () => Leave(channel));
    }

    /// <summary>A snapshot made now, for an action's answer to be seen at once on every page.</summary>
    public async Task RefreshNowAsync()
    {
        bool listened;
        lock (_gate)
        {
            listened = _listeners.Count > 0;
        }

        if (listened && !_stop.IsCancellationRequested)
        {
            try
            {
                await Publish(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The node stops: its pages are closing anyway.
            }
        }
    }

    private void Leave(Channel<string> channel)
    {
        lock (_gate)
        {
            _listeners.Remove(channel);
            if (_listeners.Count == 0 && _loopStop is { } stop)
            {
                stop.Cancel();
                stop.Dispose();
                _loopStop = null;
                // The next page to open must not be shown a view of the node as it was when the last one closed.
                _latest = null;
            }
        }
    }

    private async Task Loop(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(settings.RefreshInterval, clock);
        try
        {
            do
            {
                await Publish(ct).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // The last page closed, or the node stops.
        }
    }

    private async Task Publish(CancellationToken ct)
    {
        await _publishing.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            string json;
            try
            {
                json = JsonSerializer.Serialize(await Snapshot(ct).ConfigureAwait(false), Json);
            }
            catch (RpcException e)
            {
                // The node did not answer this time (busy, stopping): the page keeps its last view and says so.
                log.LogDebug("dashboard refresh: {Reason}", e.Message);
                json = JsonSerializer.Serialize(new { error = e.Message }, Json);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A fault of ours must not end the feed for every page: said once per refresh, and tried again.
                log.LogWarning(e, "dashboard refresh failed");
                json = JsonSerializer.Serialize(new { error = $"the dashboard could not read the node: {e.Message}" }, Json);
            }

            lock (_gate)
            {
                if (json == _latest)
                {
                    return;
                }

                _latest = json;
                foreach (var l in _listeners)
                {
                    l.Writer.TryWrite(json);
                }
            }
        }
        finally
        {
            _publishing.Release();
        }
    }

    private async Task<DashboardSnapshot> Snapshot(CancellationToken ct)
    {
        var status = await commands.Expect<NodeStatus>(new GetNodeStatus(), ct).ConfigureAwait(false);
        var torrents = (await commands.Expect<TorrentListing>(new ListNodeTorrents(), ct).ConfigureAwait(false)).Torrents;
        var strips = new Dictionary<string, int[]>(StringComparer.Ordinal);
        var asked = 0;
        foreach (var t in torrents)
        {
            if (t.Pieces == 0 || t.VerifiedPieces == 0 || t.VerifiedPieces >= t.Pieces)
            {
                strips[t.InfoHash] = PieceStrip.Uniform(t.Pieces, settings.PieceBuckets, full: t.Pieces > 0 && t.VerifiedPieces >= t.Pieces);
            }
            else if (asked++ < settings.MaxPieceStrips && await commands.Send(new ShowTorrent(t.InfoHash), ct).ConfigureAwait(false) is TorrentDetail d)
            {
                strips[t.InfoHash] = PieceStrip.Buckets(d.Bitfield, d.Torrent.Pieces, settings.PieceBuckets);
            }
        }

        IReadOnlyList<DashboardMember>? members = null;
        ClusterTorrent[]? clusterTorrents = null;
        if (status.ClusterRole != "standalone")
        {
            if (await commands.Send(new GetCluster(), ct).ConfigureAwait(false) is ClusterInfo cluster)
            {
                (_members, var view) = _members.Observe(cluster.Members, clock.GetUtcNow(), settings.DepartedShownFor);
                members = view;
            }

            clusterTorrents = (await commands.Send(new ListClusterTorrents(), ct).ConfigureAwait(false) as ClusterTorrentListing)?.Torrents;
        }

        return DashboardSnapshot.Build(status, freeDisk(), torrents, strips, members, clusterTorrents);
    }

    /// <summary>Bytes free where the node saves by default (Transmission's free-space answer); null when unknown.</summary>
    public static long? FreeSpaceOf(string dir)
    {
        try
        {
            return (long?)TransmissionSession.FreeSpace(new System.Text.Json.Nodes.JsonObject { ["path"] = dir })["size-bytes"];
        }
        catch (RpcException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task loop;
        lock (_gate)
        {
            loop = _loop;
        }

        // Not disposed: a page's last action may still ask for a refresh, which the cancelled token turns away.
        await loop.ConfigureAwait(false);
    }

    /// <summary>One page's subscription to the feed.</summary>
    public sealed class Listener(ChannelReader<string> snapshots, Action leave) : IDisposable
    {
        public ChannelReader<string> Snapshots => snapshots;

        public void Dispose() => leave();
    }
}
