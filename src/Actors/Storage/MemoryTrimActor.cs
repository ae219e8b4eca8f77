using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using static Swarm.Actors.Storage.MemoryTrimMessages;

namespace Swarm.Actors.Storage;

/// <summary>Footprint (issue 14): gives back the memory a quiet node no longer uses (see <see cref="MemoryTrim"/>):
/// the pooled piece buffers, then one full compacting collection that also returns the freed heap to the system, then
/// (swarm.memory-trim.page-out-images) the pages of mapped images the burst touched.
/// It looks at the allocation counter every interval and does nothing else.</summary>
public sealed class MemoryTrimActor : ReceiveActor, IWithTimers
{
    private readonly MemoryTrimSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private MemoryTrim _trim;

    /// <param name="allocated">The process's allocation counter (tests pass their own).</param>
    /// <param name="collect">The full collection (tests pass their own).</param>
    public MemoryTrimActor(MemoryTrimSettings settings, PieceBufferPool buffers, Func<long> allocated, Action collect)
    {
        _settings = settings;
        _trim = MemoryTrim.Start(allocated());
        Receive<MemoryTrimTick>(_ =>
        {
            (_trim, var trim) = _trim.Sample(allocated(), _settings.QuietBytes, _settings.MinGarbageBytes);
            if (trim)
            {
                var released = buffers.Trim();
                collect();
                _log.Debug("memory trimmed: {0} MiB of pooled piece buffers released, GC heap committed {1} MiB", released >> 20, GC.GetGCMemoryInfo().TotalCommittedBytes >> 20);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(MemoryTrimSettings settings, PieceBufferPool buffers) =>
        Props(settings, buffers, AllocatedBytes, settings.PageOutImages ? CollectAndPageOut : Collect);

    public static Props Props(MemoryTrimSettings settings, PieceBufferPool buffers, Func<long> allocated, Action collect) =>
        Akka.Actor.Props.Create(() => new MemoryTrimActor(settings, buffers, allocated, collect));

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

    protected override void PreStart() => Timers.StartPeriodicTimer("sample", MemoryTrimTick.Instance, _settings.Interval);
}
