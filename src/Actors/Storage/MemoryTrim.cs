namespace Swarm.Actors.Storage;

/// <summary>Footprint (issue 14): whether a node should give back memory now. The runtime collects only when new
/// allocations fill its budgets, so a node that goes quiet after a burst (loading a thousand torrents, a download,
/// a busy console) keeps that burst's garbage, and the heap it grew to, resident for as long as it stays quiet.
/// One full compacting collection then returns it to the system; it is worth it only once the node is quiet (a GC
/// during a transfer would stall it) and after enough was allocated since the last one to have left real garbage.</summary>
/// <param name="LastSample">The allocation counter (bytes allocated since the process started) at the last look.</param>
/// <param name="LastTrim">The counter at the last trim (0 before the first, which is always worth it).</param>
public sealed record MemoryTrim(long LastSample, long LastTrim)
{
    /// <param name="allocated">The counter when sampling begins.</param>
    public static MemoryTrim Start(long allocated) => new(allocated, 0);

    /// <summary>A trim made for another reason (the end of a one-shot's start-up) at the counter's reading: the next
    /// quiet trim again waits for min-garbage-bytes allocated since.</summary>
    public MemoryTrim Trimmed(long allocated) => new(allocated, allocated);

    /// <summary>One look at the counter.</summary>
    /// <param name="allocated">The counter now.</param>
    /// <param name="quietBytes">Allocated since the last look at most for the node to count as quiet.</param>
    /// <param name="minGarbageBytes">Allocated since the last trim at least for another to be worth a full GC.</param>
    public (MemoryTrim Next, bool Trim) Sample(long allocated, long quietBytes, long minGarbageBytes)
    {
        var quiet = allocated - LastSample <= quietBytes;
        // The first quiet look after start always trims: whatever start-up allocated, it touched far more of the
        // mapped assemblies than an idle node runs, and paging those out is most of what an idle empty node gives back.
        var worthIt = LastTrim == 0 || allocated - LastTrim >= minGarbageBytes;
        return quiet && worthIt ? (new MemoryTrim(allocated, allocated), true) : (this with { LastSample = allocated }, false);
    }
}
