using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Swarm.Actors.TrackerServer;

/// <summary>BEP 15 connection ids without a table: an HMAC of the requester's address and port and of the minute it
/// connected, so an id cannot be replayed from another address. One is accepted during its minute and the next.
/// The HMAC runs over 26 bytes on the stack: no text and no array per request.</summary>
public sealed class UdpConnectionIds(byte[] key)
{
    public static UdpConnectionIds WithRandomKey() => new(RandomNumberGenerator.GetBytes(32));

    public long Issue(IPEndPoint from, DateTimeOffset now) => Issue(PeerAddress.From(from.Address), (ushort)from.Port, now);

    public long Issue(PeerAddress address, ushort port, DateTimeOffset now) => Id(address, port, Minute(now));

    public bool Accepts(long id, IPEndPoint from, DateTimeOffset now) => Accepts(id, PeerAddress.From(from.Address), (ushort)from.Port, now);

    public bool Accepts(long id, PeerAddress address, ushort port, DateTimeOffset now) =>
        id == Id(address, port, Minute(now)) || id == Id(address, port, Minute(now) - 1);

    private static long Minute(DateTimeOffset now) => now.UtcTicks / TimeSpan.TicksPerMinute;

    private long Id(PeerAddress address, ushort port, long minute)
    {
        Span<byte> input = stackalloc byte[26];
        address.WriteV6(input);
        BinaryPrimitives.WriteUInt16BigEndian(input[16..], port);
        BinaryPrimitives.WriteInt64BigEndian(input[18..], minute);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, input, mac);
        return BinaryPrimitives.ReadInt64LittleEndian(mac);
    }
}
