using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Swarm.Actors.TrackerServer;

/// <summary>BEP 15 connection ids without a table: an HMAC of the requester's address and port and of the minute it
/// connected, so an id cannot be replayed from another address. One is accepted during its minute and the next.</summary>
public sealed class UdpConnectionIds(byte[] key)
{
    public static UdpConnectionIds WithRandomKey() => new(RandomNumberGenerator.GetBytes(32));

    public long Issue(IPEndPoint from, DateTimeOffset now) => Id(from, Minute(now));

    public bool Accepts(long id, IPEndPoint from, DateTimeOffset now) => id == Id(from, Minute(now)) || id == Id(from, Minute(now) - 1);

    private static long Minute(DateTimeOffset now) => now.UtcTicks / TimeSpan.TicksPerMinute;

    private long Id(IPEndPoint from, long minute) =>
        BitConverter.ToInt64(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{from.Address}|{from.Port}|{minute}")));
}
