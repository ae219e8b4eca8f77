using System.Buffers.Binary;
using System.Collections;
using System.Net;
using System.Net.Sockets;

namespace Swarm.Protocol.Trackers;

/// <summary>The peers a tracker answers an announce with, already in wire form: 6-byte IPv4 entries (BEP 23), 18-byte
/// IPv6 entries (BEP 7) and, when the answer lists them, 20-byte peer ids (IPv4 peers first). Built once per announce
/// and copied as is into the HTTP or UDP answer; read as endpoints only by the original (non-compact) form.</summary>
public sealed class TrackerServerPeers : IReadOnlyList<(IPEndPoint EndPoint, byte[] PeerId)>
{
    public const int V4Length = 6;
    public const int V6Length = 18;
    public const int PeerIdLength = 20;

    public static readonly TrackerServerPeers None = new([], [], null);

    public TrackerServerPeers(byte[] v4, byte[] v6, byte[]? peerIds)
    {
        if (v4.Length % V4Length != 0 || v6.Length % V6Length != 0)
        {
            throw new ArgumentException("compact peers come in 6-byte (IPv4) and 18-byte (IPv6) entries");
        }

        if (peerIds is not null && peerIds.Length != ((v4.Length / V4Length) + (v6.Length / V6Length)) * PeerIdLength)
        {
            throw new ArgumentException("one 20-byte peer id per peer");
        }

        V4 = v4;
        V6 = v6;
        PeerIds = peerIds;
    }

    /// <summary>IPv4 peers: address and port, big-endian, 6 bytes each.</summary>
    public byte[] V4 { get; }

    /// <summary>IPv6 peers: address and port, big-endian, 18 bytes each.</summary>
    public byte[] V6 { get; }

    /// <summary>Their peer ids, or null when the announce asked for none (zeros are read then).</summary>
    public byte[]? PeerIds { get; }

    public int Count => (V4.Length / V4Length) + (V6.Length / V6Length);

    public (IPEndPoint EndPoint, byte[] PeerId) this[int index]
    {
        get
        {
            var v4Count = V4.Length / V4Length;
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            var entry = index < v4Count ? V4.AsSpan(index * V4Length, V4Length) : V6.AsSpan((index - v4Count) * V6Length, V6Length);
            var endpoint = new IPEndPoint(new IPAddress(entry[..^2]), BinaryPrimitives.ReadUInt16BigEndian(entry[^2..]));
            var id = PeerIds is null ? new byte[PeerIdLength] : PeerIds.AsSpan(index * PeerIdLength, PeerIdLength).ToArray();
            return (endpoint, id);
        }
    }

    /// <summary>The wire form of a list of peers (IPv4 first, then IPv6, each family in its given order).</summary>
    public static TrackerServerPeers From(IReadOnlyList<(IPEndPoint EndPoint, byte[] PeerId)> peers, bool withPeerIds)
    {
        if (peers is TrackerServerPeers ready)
        {
            return ready;
        }

        var v4 = peers.Where(p => p.EndPoint.AddressFamily == AddressFamily.InterNetwork).ToList();
        var v6 = peers.Where(p => p.EndPoint.AddressFamily == AddressFamily.InterNetworkV6).ToList();
        var builder = new Builder(v4.Count + v6.Count, withPeerIds);
        Span<byte> address = stackalloc byte[16];
        foreach (var (endpoint, id) in v4.Concat(v6))
        {
            endpoint.Address.TryWriteBytes(address, out var written);
            if (written == 4)
            {
                builder.AddV4(BinaryPrimitives.ReadUInt32BigEndian(address), (ushort)endpoint.Port, id);
            }
            else
            {
                builder.AddV6(address, (ushort)endpoint.Port, id);
            }
        }

        return builder.Build();
    }

    public IEnumerator<(IPEndPoint EndPoint, byte[] PeerId)> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Collects up to <c>max</c> peers in wire form.</summary>
    public sealed class Builder(int max, bool withPeerIds)
    {
        private readonly byte[] _v4 = new byte[max * V4Length];
        private readonly byte[]? _ids4 = withPeerIds ? new byte[max * PeerIdLength] : null;

        // IPv6 peers are the rarer kind: their room is made on the first one.
        private byte[]? _v6;
        private byte[]? _ids6;
        private int _count4;
        private int _count6;

        public int Count => _count4 + _count6;

        public bool IsFull => Count >= max;

        public void AddV4(uint address, ushort port, ReadOnlySpan<byte> peerId)
        {
            var slot = _v4.AsSpan(_count4 * V4Length, V4Length);
            BinaryPrimitives.WriteUInt32BigEndian(slot, address);
            BinaryPrimitives.WriteUInt16BigEndian(slot[4..], port);
            CopyId(_ids4, _count4, peerId);
            _count4++;
        }

        /// <param name="address">The 16 bytes of the IPv6 address.</param>
        public void AddV6(ReadOnlySpan<byte> address, ushort port, ReadOnlySpan<byte> peerId)
        {
            _v6 ??= new byte[max * V6Length];
            _ids6 ??= withPeerIds ? new byte[max * PeerIdLength] : null;
            var slot = _v6.AsSpan(_count6 * V6Length, V6Length);
            address[..16].CopyTo(slot);
            BinaryPrimitives.WriteUInt16BigEndian(slot[16..], port);
            CopyId(_ids6, _count6, peerId);
            _count6++;
        }

        public TrackerServerPeers Build()
        {
            if (Count == 0)
            {
                return _ids4 is null ? None : new TrackerServerPeers([], [], []);
            }

            byte[]? ids = null;
            if (_ids4 is not null)
            {
                ids = new byte[Count * PeerIdLength];
                _ids4.AsSpan(0, _count4 * PeerIdLength).CopyTo(ids);
                _ids6?.AsSpan(0, _count6 * PeerIdLength).CopyTo(ids.AsSpan(_count4 * PeerIdLength));
            }

            var v4 = _count4 * V4Length == _v4.Length ? _v4 : _v4[..(_count4 * V4Length)];
            return new TrackerServerPeers(v4, _v6 is null ? [] : _v6[..(_count6 * V6Length)], ids);
        }

        private static void CopyId(byte[]? ids, int i, ReadOnlySpan<byte> peerId)
        {
            if (ids is not null)
            {
                peerId[..Math.Min(peerId.Length, PeerIdLength)].CopyTo(ids.AsSpan(i * PeerIdLength));
            }
        }
    }
}
