using System.Net;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Catalog;
using Swarm.Actors.Configuration;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Actors.Dht;
using Swarm.Actors.Torrent;
using Swarm.Actors.TrackerClient;
using Swarm.Protocol.Magnet;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.Trackers;
using static Swarm.Actors.Magnet.MagnetMessages;

namespace Swarm.Actors.Magnet;

/// <summary>Turns a magnet link into a torrent: finds peers (the link's x.pe, --peer, its trackers), fetches the info
/// dictionary from them with <see cref="MetadataFetcher"/> until one gives metadata that hashes to the link's
/// info-hash, then hands it to its parent as <see cref="CatalogMessages.MagnetResolved"/>. A round gives up after
/// <c>magnet.metadata-timeout</c> with every peer's reason: a kept magnet (added to a running node) logs it, shows it in
/// its status and starts another round; any other is refused to its requester. Answers
/// <see cref="TorrentMessages.GetStatus"/> and <see cref="TorrentMessages.GetDetails"/> meanwhile, with state
/// <see cref="TorrentState.Metadata"/>. Behaviours: fetching (a round runs), and, for a kept magnet whose metadata is not a
/// usable torrent, unusable (no more rounds; it only answers queries until removed).</summary>
public sealed class MagnetActor : HandlerActor
{
    private readonly MagnetLink _magnet;
    private readonly string _savePath;
    private readonly TorrentOptions _options;
    private readonly NodeContext _node;
    private readonly IActorRef _requester;
    private readonly bool _keep;
    private readonly string _tag;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cancel = new();
    private readonly FoundPeers _found = new();
    private string? _lastFailure;

    public MagnetActor(MagnetLink magnet, string savePath, TorrentOptions options, NodeContext node, IActorRef requester, bool keep)
    {
        _magnet = magnet;
        _savePath = savePath;
        _options = options;
        _node = node;
        _requester = requester;
        _keep = keep;
        _tag = magnet.InfoHash.Hex[..8];
        Fetching();
        Context.System.EventStream.Publish(new TorrentMessages.TorrentReadyForPeers(magnet.InfoHash.Hex));
        // DHT (issue 15): a bare info-hash finds its peers there; nothing to announce before the metadata is here.
        Context.System.EventStream.Publish(new DhtMessages.TrackOnDht(magnet.InfoHash.Hex, Self, Announce: false));
        Fetch();
    }

    public static Props Props(MagnetLink magnet, string savePath, TorrentOptions options, NodeContext node, IActorRef requester, bool keep) =>
        Akka.Actor.Props.Create(() => new MagnetActor(magnet, savePath, options, node, requester, keep));

    protected override void PostStop()
    {
        _cancel.Cancel();
        _cancel.Dispose();
    }

    private void Fetching()
    {
        Receive<MetadataFetched>(OnFetched);
        Receive<MetadataNotFetched>(f => Fail(f.Reason, retry: true));
        Receive<TorrentMessages.AddPeers>(a => _found.Add(a.Peers));
        AnswerQueries();
    }

    private void Unusable() => AnswerQueries();

    private void AnswerQueries()
    {
        Receive<TorrentMessages.GetStatus>(_ => Sender.Tell(Status()));
        // No pieces, files or trackers to show until the info dictionary is here.
        Receive<TorrentMessages.GetDetails>(_ => Sender.Tell(new TorrentDetails(Status(), 0, [], [], [])));
    }

    private void OnFetched(MetadataFetched f)
    {
        TorrentMetainfo meta;
        try
        {
            meta = MetainfoParser.ParseInfoDictionary(f.InfoDictionary, _magnet.InfoHash) with
            {
                TrackerTiers = [.. _magnet.Trackers.Select(t => (IReadOnlyList<string>)[t])],
            };
        }
        catch (Exception e) when (e is InvalidTorrentException or FormatException)
        {
            // It hashes to the link's info-hash, so every peer would send the same: trying again cannot help.
            Fail($"the metadata of {_tag} is not a usable torrent: {e.Message}", retry: false);
            return;
        }

        _log.Info("magnet {0}: metadata ({1} bytes) from {2}", _tag, f.InfoDictionary.Length, f.From);
        // The peer that had the metadata very likely has pieces too; the link's peers (x.pe) are peers of the torrent.
        var peers = (_options.Peers ?? []).Concat(_magnet.PeerEndPoints()).Append(f.From).Distinct().ToList();
        Context.Parent.Tell(new CatalogMessages.MagnetResolved(new CatalogMessages.AddTorrent(meta, _savePath, _options with { Peers = peers }), _requester, _keep));
        Context.Stop(Self);
    }

    private void Fetch() => FetchLoop(_magnet, _options, _node, _found, _cancel.Token).PipeTo(Self);

    private void Fail(string reason, bool retry)
    {
        if (!_keep)
        {
            _log.Warning("magnet {0}: {1}", _tag, reason);
            _requester.Tell(new CatalogMessages.AddTorrentRejected(reason));
            Context.Stop(Self);
            return;
        }

        _lastFailure = reason;
        _log.Warning("magnet {0}: {1}{2}", _tag, reason, retry ? "; still trying" : "; remove it");
        if (retry)
        {
            Fetch();
        }
        else
        {
            Become(Unusable);
        }
    }

    private TorrentStatus Status() => new(
        _magnet.InfoHash.Hex,
        _magnet.DisplayName ?? _magnet.InfoHash.Hex,
        TorrentState.Metadata,
        _lastFailure,
        _savePath,
        TotalLength: 0,
        PieceCount: 0,
        VerifiedPieces: 0,
        Downloaded: 0,
        Uploaded: 0,
        DownloadRate: 0,
        UploadRate: 0,
        HashFailures: 0,
        Peers: []);

    private static async Task<object> FetchLoop(MagnetLink magnet, TorrentOptions options, NodeContext node, FoundPeers found, CancellationToken ct)
    {
        var settings = node.Settings.Magnet;
        var clock = node.Clock;
        var deadline = clock.GetUtcNow() + settings.MetadataTimeout;
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        var trackers = new TrackerAnnouncer(node.Settings.Tracker, TrackerClientActor.Http, node.Clock);
        var fromDht = new List<IPEndPoint>();
        while (clock.GetUtcNow() < deadline && !ct.IsCancellationRequested)
        {
            var candidates = new List<IPEndPoint>(options.Peers ?? []);
            candidates.AddRange(magnet.Peers.Select(p => IPEndPoint.TryParse(p, out var ep) ? ep : null).OfType<IPEndPoint>());
            // The newest DHT peers first: older ones were tried in earlier rounds.
            fromDht.InsertRange(0, found.TakeAll());
            if (fromDht.Count > FoundPeers.Kept)
            {
                fromDht.RemoveRange(FoundPeers.Kept, fromDht.Count - FoundPeers.Kept);
            }

            candidates.AddRange(fromDht);
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
                var remaining = deadline - clock.GetUtcNow();
                if (remaining <= TimeSpan.Zero || ct.IsCancellationRequested)
                {
                    break;
                }

                try
                {
                    var timeout = remaining < settings.PeerTimeout ? remaining : settings.PeerTimeout;
                    var info = await MetadataFetcher.FetchAsync(peer, magnet.InfoHash, node.PeerId, node.ListenPort, settings.MaxMetadataSize, timeout, clock, node.Dialer, ct).ConfigureAwait(false);
                    return new MetadataFetched(info, peer);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    failures[peer.ToString()] = e is OperationCanceledException ? "no metadata in time" : e.Message;
                }
            }

            // The next round starts early when the DHT finds peers meanwhile.
            var delay = Task.Delay(settings.RetryInterval, clock, ct);
            await Task.WhenAny(delay, found.Arrived).ConfigureAwait(false);
            if (ct.IsCancellationRequested)
            {
                break;
            }
        }

        return new MetadataNotFetched(failures.Count == 0
            ? $"no peer to fetch the metadata of {magnet.InfoHash.Hex[..8]} from (the link names no tracker or peer and the DHT found none; pass --peer)"
            : $"no peer gave the metadata of {magnet.InfoHash.Hex[..8]} within {settings.MetadataTimeout.TotalSeconds:0} s: {string.Join("; ", failures.Take(5).Select(kv => $"{kv.Key}: {kv.Value}"))}");
    }
}
