namespace Swarm.Actors.Storage;

public static class MemoryTrimMessages
{
    /// <summary>Timer, every swarm.memory-trim.interval: look at the allocation counter.</summary>
    public sealed record MemoryTrimTick
    {
        public static MemoryTrimTick Instance { get; } = new();
    }
}
