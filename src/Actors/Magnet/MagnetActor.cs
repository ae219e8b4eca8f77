using System.Net;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Actors.Node;
using Swarm.Actors.Torrent;
using Swarm.Actors.Trackers;
using Swarm.Protocol.Magnet;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.Magnet;

/// <summary>Turns a magnet link into a torrent: finds peers (the link's x.pe, --peer, its trackers), fetches the info
/// dictionary from them with <see cref="MetadataFetcher"/> until one gives metadata that hashes to the link's
/// info-hash, then hands an ordinary <see cref="NodeMessages.AddTorrent"/> to its parent on behalf of the requester.
/// Gives up after <c>magnet.metadata-timeout</c> with every peer's reason.</summary>
public sealed class MagnetActor : ReceiveActor
{
    private readonly MagnetLink _magnet;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public MagnetActor(MagnetLink magnet, string savePath, TorrentOptions options, NodeContext node, IActorRef requester)
    {
        _magnet = magnet;
        Receive<Fetched>(f =>
        {
            try
            {
                var meta = MetainfoParser.ParseInfoDictionary(f.InfoDictionary, magnet.InfoHash) with
                {
                    TrackerTiers = [.. magnet.Trackers.Select(t => (IReadOnlyList<string>)[t])],
                };
                _log.Info("magnet {0}: metadata ({1} bytes) from {2}", magnet.InfoHash.Hex[..8], f.InfoDictionary.Length, f.From);
                Context.Parent.Tell(new NodeMessages.AddTorrent(meta, savePath, options), requester);
            }
            catch (Exception e) when (e is InvalidTorrentException or FormatException)
            {
                requester.Tell(new NodeMessages.AddTorrentRejected($"magnet {magnet.InfoHash.Hex[..8]}: the metadata is not a usable torrent: {e.Message}"));
            }

            Context.Stop(Self);
        });
        Receive<Failed>(f =>
        {
            _log.Warning("magnet {0}: {1}", magnet.InfoHash.Hex[..8], f.Reason);
            requester.Tell(new NodeMessages.AddTorrentRejected(f.Reason));
            Context.Stop(Self);
        });

        var cancel = new CancellationTokenSource();
        _cancel = cancel;
        FetchLoop(magnet, options, node, cancel.Token).PipeTo(Self);
    }

    private readonly CancellationTokenSource _cancel;

    public static Props Props(MagnetLink magnet, string savePath, TorrentOptions options, NodeContext node, IActorRef requester) =>
        Akka.Actor.Props.Create(() => new MagnetActor(magnet, savePath, options, node, requester));

    protected override void PostStop()
    {
        _cancel.Cancel();
        _cancel.Dispose();
    }

    private static async Task<object> FetchLoop(MagnetLink magnet, TorrentOptions options, NodeContext node, CancellationToken ct)
    {
        var settings = node.Settings.Magnet;
        var deadline = DateTime.UtcNow + settings.MetadataTimeout;
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        var trackers = new TrackerClient(node.Settings.Tracker, TrackerActor.Http);
        while (DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
        {
            var candidates = new List<IPEndPoint>(options.Peers ?? []);
            candidates.AddRange(magnet.Peers.Select(p => IPEndPoint.TryParse(p, out var ep) ? ep : null).OfType<IPEndPoint>());
            foreach (var url in magnet.Trackers)
            {
                try
                {
                    var request = new AnnounceRequest(magnet.InfoHash, node.PeerId, node.ListenPort, 0, 0, 1, AnnounceEvent.Started, node.Settings.Tracker.NumWant);
                    candidates.AddRange((await trackers.AnnounceAsync(url, request, ct).ConfigureAwait(false)).Peers);
                }
                catch (Exception e) when (e is TrackerException or HttpRequestException or IOException or TaskCanceledException or FormatException)
                {
                    failures[url] = e.Message;
                }
            }

            foreach (var peer in candidates.Distinct().Where(p => !(p.Port == node.ListenPort && IPAddress.IsLoopback(p.Address))))
            {
                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero || ct.IsCancellationRequested)
                {
                    break;
                }

                try
                {
                    var timeout = remaining < settings.PeerTimeout ? remaining : settings.PeerTimeout;
                    var info = await MetadataFetcher.FetchAsync(peer, magnet.InfoHash, node.PeerId, node.ListenPort, settings.MaxMetadataSize, timeout, ct).ConfigureAwait(false);
                    return new Fetched(info, peer.ToString());
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    failures[peer.ToString()] = e is OperationCanceledException ? "no metadata in time" : e.Message;
                }
            }

            try
            {
                await Task.Delay(settings.RetryInterval, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return new Failed(failures.Count == 0
            ? $"no peer to fetch the metadata of {magnet.InfoHash.Hex[..8]} from (the link names no tracker or peer; pass --peer)"
            : $"no peer gave the metadata of {magnet.InfoHash.Hex[..8]} within {settings.MetadataTimeout.TotalSeconds:0} s: {string.Join("; ", failures.Take(5).Select(kv => $"{kv.Key}: {kv.Value}"))}");
    }

    private sealed record Fetched(byte[] InfoDictionary, string From);

    private sealed record Failed(string Reason);
}
