using Akka.Configuration;

namespace Swarm.Actors.Configuration;

/// <summary>Footprint (issue 14): when a quiet node gives back the memory a burst of work left behind
/// (<c>swarm.memory-trim</c>, see <see cref="Storage.MemoryTrim"/>).</summary>
/// <param name="Enabled">Off: the node never collects on its own (the runtime's own GCs only).</param>
/// <param name="Interval">How often the allocation counter is looked at.</param>
/// <param name="QuietBytes">Allocated within one interval at most for the node to count as quiet.</param>
/// <param name="MinGarbageBytes">Allocated since the last trim at least before another one is worth a full GC.</param>
public sealed record MemoryTrimSettings(bool Enabled, TimeSpan Interval, long QuietBytes, long MinGarbageBytes)
{
    public static MemoryTrimSettings Default { get; } = new(true, TimeSpan.FromSeconds(10), 4L << 20, 32L << 20);

    public static MemoryTrimSettings From(Config? c)
    {
        if (c is null)
        {
            return Default;
        }

        var settings = new MemoryTrimSettings(
            c.GetBoolean("enabled", Default.Enabled),
            c.GetTimeSpan("interval", Default.Interval),
            c.GetByteSize("quiet-bytes") ?? Default.QuietBytes,
            c.GetByteSize("min-garbage-bytes") ?? Default.MinGarbageBytes);
        if (settings.Interval <= TimeSpan.Zero || settings.QuietBytes < 0 || settings.MinGarbageBytes < 0)
        {
            throw new ConfigurationException("swarm.memory-trim: interval must be positive, quiet-bytes and min-garbage-bytes not negative");
        }

        // Footprint (issue 14, images): additive key, see MappedImages.
        return settings with
        {
            PageOutImages = c.GetBoolean("page-out-images", Default.PageOutImages),
            WhenReady = c.GetBoolean("when-ready", Default.WhenReady), // issue 14: peak of a one-shot get
        };
    }

    /// <summary>On: a trim also pages out the clean pages of mapped images (<see cref="Storage.MappedImages"/>).</summary>
    public bool PageOutImages { get; init; } = true;

    /// <summary>On: a one-shot get or seed also trims once, when its torrent is ready for peers (start-up is over).</summary>
    public bool WhenReady { get; init; } = true;
}
