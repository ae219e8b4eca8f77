using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Swarm.Actors.TrackerServer;

/// <summary>BEP 15 connection ids without a table: a keyed <see cref="SipHash"/> of the requester's address and port and
/// of the minute it connected, so an id cannot be forged or replayed from another address. One is accepted during its
/// minute and the next. The hash runs over 26 bytes on the stack: no text, no array and no crypto-library call per
/// request (an HMAC-SHA256 here cost a UDP announce about a microsecond).</summary>
public sealed class UdpConnectionIds
{
    private readonly byte[] _key;

    /// <param name="key">The secret: <see cref="SipHash.KeyLength"/> bytes.</param>
    public UdpConnectionIds(byte[] key)
    {
        if (key.Length != SipHash.KeyLength)
        {
            throw new ArgumentException($"a connection-id key is {SipHash.KeyLength} bytes", nameof(key));
        }

        _key = key;
    }

    public static UdpConnectionIds WithRandomKey() => new(RandomNumberGenerator.GetBytes(SipHash.KeyLength));

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
        return (long)SipHash.Hash(_key, input);
    }
}
