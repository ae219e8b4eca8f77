namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>Waits for a condition observed from outside a process (a console listing, a tracker scrape).</summary>
public static class Poll
{
    /// <summary>Probes every <paramref name="interval"/> until <paramref name="done"/> holds for the value, and returns it;
    /// after <paramref name="timeout"/>, fails with <paramref name="failure"/> of the last value seen (default if none).</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, Func<T, bool> done, TimeSpan timeout, TimeSpan interval, Func<T?, string> failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        T? last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await probe();
            if (last is not null && done(last))
            {
                return last;
            }

            await Task.Delay(interval);
        }

        throw new TimeoutException(failure(last));
    }
}
