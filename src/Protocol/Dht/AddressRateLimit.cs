using System.Collections.Immutable;
using System.Net;

namespace Swarm.Protocol.Dht;

/// <summary>Queries answered per source address: a token bucket per IP (refilled at <see cref="PerSecond"/>, holding
/// up to <see cref="Burst"/>), so no address can make us send more than that. Buckets of quiet addresses are
/// dropped when the table of addresses is full, so a flood from spoofed addresses costs bounded memory.</summary>
public sealed record AddressRateLimit(ImmutableDictionary<IPAddress, (double Tokens, DateTimeOffset At)> Buckets, double PerSecond, double Burst, int MaxAddresses)
{
    public static AddressRateLimit Create(double perSecond, double burst, int maxAddresses) => new([], perSecond, burst, maxAddresses);

    /// <summary>Whether one more query from <paramref name="address"/> is answered, and the limit after taking it.</summary>
    public (AddressRateLimit Limit, bool Allowed) Take(IPAddress address, DateTimeOffset now)
    {
        var buckets = Buckets;
        if (!buckets.TryGetValue(address, out var b))
        {
            if (buckets.Count >= MaxAddresses)
            {
                // Forget every address that has refilled completely: it lost nothing by being forgotten.
                buckets = buckets.RemoveRange(buckets.Where(kv => Refill(kv.Value, now) >= Burst).Select(kv => kv.Key));
                if (buckets.Count >= MaxAddresses)
                {
                    return (this with { Buckets = buckets }, false);
                }
            }

            b = (Burst, now);
        }

        var tokens = Refill(b, now);
        return tokens < 1
            ? (this with { Buckets = buckets.SetItem(address, (tokens, now)) }, false)
            : (this with { Buckets = buckets.SetItem(address, (tokens - 1, now)) }, true);
    }

    private double Refill((double Tokens, DateTimeOffset At) b, DateTimeOffset now) =>
        Math.Min(Burst, b.Tokens + (Math.Max(0, (now - b.At).TotalSeconds) * PerSecond));
}
