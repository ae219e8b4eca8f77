using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Actors.Torrent;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Storage.MemoryTrimMessages;

namespace Swarm.Actors.Storage;

/// <summary>Footprint (issue 14): gives back the memory a quiet node no longer uses (see <see cref="MemoryTrim"/>):
/// the pooled piece and block buffers, then one full compacting collection that also returns the freed heap to the system, then
/// (swarm.memory-trim.page-out-images) the pages of mapped images the burst touched.
/// It looks at the allocation counter every interval, and (swarm.memory-trim.when-ready) a one-shot get or seed trims
/// once as its start-up ends.</summary>
public sealed class MemoryTrimActor : HandlerActor, IWithTimers
{
    private readonly MemoryTrimSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly PieceBufferPool _buffers;
    private readonly Func<long> _trimBlocks;
    private readonly Action _collect;
    private bool _whenReady;
    private readonly IActorRef? _catalog;
    private MemoryTrim _trim;

    /// <param name="allocated">The process's allocation counter (tests pass their own).</param>
    /// <param name="collect">The full collection (tests pass their own).</param>
    /// <param name="whenReady">Also trim once when the first torrent is ready for peers (a one-shot get or seed).</param>
    /// <param name="blocks">The received blocks' pool (every pool of <see cref="BlockBuffers"/> unless a test passes its own).</param>
    /// <param name="catalog">With <paramref name="whenReady"/>: the catalog, whose journal writes in flight when the torrent is
    /// ready are waited for.</param>
    public MemoryTrimActor(MemoryTrimSettings settings, PieceBufferPool buffers, Func<long> allocated, Action collect, bool whenReady = false, BlockArrayPool? blocks = null, IActorRef? catalog = null)
    {
        _catalog = catalog;
        _settings = settings;
        _buffers = buffers;
        _trimBlocks = blocks is null ? BlockBuffers.Trim : blocks.Trim;
        _collect = collect;
        _whenReady = whenReady;
        _trim = MemoryTrim.Start(allocated());
        Receive<MemoryTrimTick>(_ =>
        {
            (_trim, var trim) = _trim.Sample(allocated(), _settings.QuietBytes, _settings.MinGarbageBytes);
            if (trim)
            {
                Trim("quiet");
            }
        });
        // Footprint (issue 14, peak): a one-shot get is never quiet (start-up runs straight into the transfer), so its
        // start-up's garbage and the image pages only start-up ran stayed resident under the whole transfer. Its
        // torrent being ready for peers marks the end of start-up: trimmed then, the transfer grows from there.
        Receive<TorrentMessages.TorrentReadyForPeers>(_ =>
        {
            // Once: another torrent's (or a restart's) may already be in the mailbox behind this one.
            if (_whenReady)
            {
                _whenReady = false;
                Context.System.EventStream.Unsubscribe(Self, typeof(TorrentMessages.TorrentReadyForPeers));
                if (_catalog is null)
                {
                    TrimStartUp(allocated);
                }
                else
                {
                    // Issue 14 (piece count): the catalog journals a new torrent while the torrent starts, and the row
                    // (the info dictionary in base64: 7 MiB for 262,144 pieces) was still being written when the
                    // torrent was ready: trimmed then, the large-object region it lived in stayed committed (~20 MiB
                    // more resident for the whole get). The trim waits for the write.
                    _catalog.Tell(Catalog.CatalogMessages.AwaitWrites.Instance);
                }
            }
        });
        Receive<Catalog.CatalogMessages.WritesDone>(_ => TrimStartUp(allocated));
    }

    private void TrimStartUp(Func<long> allocated)
    {
        _trim = _trim.Trimmed(allocated());
        Trim("start-up over");
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="oneShot">A one-shot get or seed, whose start-up ends when its torrent is ready for peers.</param>
    /// <param name="catalog">The catalog, for a one-shot: see the constructor.</param>
    public static Props Props(MemoryTrimSettings settings, PieceBufferPool buffers, bool oneShot = false, IActorRef? catalog = null) =>
        Props(settings, buffers, AllocatedBytes, settings.PageOutImages ? CollectAndPageOut : Collect, oneShot && settings.WhenReady, catalog: catalog);

    public static Props Props(MemoryTrimSettings settings, PieceBufferPool buffers, Func<long> allocated, Action collect, bool whenReady = false, BlockArrayPool? blocks = null, IActorRef? catalog = null) =>
        Akka.Actor.Props.Create(() => new MemoryTrimActor(settings, buffers, allocated, collect, whenReady, blocks, catalog));

    private static long AllocatedBytes() => GC.GetTotalAllocatedBytes(precise: false);

    /// <summary>Aggressive: compacts every generation and the large object heap, and decommits what is then free,
    /// where a plain full GC keeps the freed regions committed for the next burst.</summary>
    private static void Collect() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>The collection, then the pages of mapped images the burst touched (<see cref="MappedImages"/>).</summary>
    private static void CollectAndPageOut()
    {
        Collect();
        MappedImages.PageOut();
    }

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("sample", MemoryTrimTick.Instance, _settings.Interval);
        if (_whenReady)
        {
            Context.System.EventStream.Subscribe(Self, typeof(TorrentMessages.TorrentReadyForPeers));
        }
    }

    private void Trim(string why)
    {
        var released = _buffers.Trim() + _trimBlocks();
        _collect();
        _log.Debug("memory trimmed ({0}): {1} MiB of pooled piece and block buffers released, GC heap committed {2} MiB", why, released >> 20, GC.GetGCMemoryInfo().TotalCommittedBytes >> 20);
    }
}
