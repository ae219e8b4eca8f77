using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Swarm.Actors.TrackerServer;

/// <summary>One torrent's remembered peers, packed: dense 12-byte entries (IPv4 address, port, last-seen second, seed,
/// returned and IPv6 flags) beside their 20-byte peer ids, found through an open-addressing index of ints hashed by
/// address alone (so the peers of one address sit on one probe run and are counted without a second map). An IPv6
/// peer's 16-byte address sits in a side chunk at the same position, allocated only for chunks that hold one: most
/// peers announce over IPv4, and 16 bytes each for them was a quarter of the table (issue 14's tracker bench). Entries,
/// ids and side chunks sit in chunks of <see cref="ChunkLength"/>: the first grows by half up to a chunk, the others
/// are allocated whole, so a large swarm grows without copying itself into ever larger arrays (whose dropped copies,
/// on the large-object heap, wait for a full collection) and holds at most one chunk unused. About 40 bytes a peer of
/// live data (32 in the chunks, the index's share) instead of the ~450 of a dictionary of records holding endpoints and
/// arrays. Mutable by design: it is owned by one tracked-torrent actor and never shared; every rule about whom to keep
/// lives in <see cref="TrackedSwarm"/>.</summary>
public sealed class PeerTable
{
    public const int PeerIdLength = 20;
    private const byte SeedFlag = 1;
    private const byte ReturnedFlag = 2;
    private const byte V6Flag = 4;

    // A keyed hash: addresses are chosen by whoever announces, so probe runs must not be steerable into one slot.
    private readonly ulong _keyHigh = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private readonly ulong _keyLow = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    // 1,024 peers a chunk: 12 KiB of entries, 20 KiB of ids (16 KiB of IPv6 addresses), each below the large-object
    // heap's threshold.
    private const int ChunkBits = 10;
    private const int ChunkLength = 1 << ChunkBits;
    private const int ChunkMask = ChunkLength - 1;

    // Entry i is in chunk i >> ChunkBits at i & ChunkMask; chunks past the capacity are null.
    private Entry[][] _entries = [[]];
    private byte[][] _ids = [[]];
    // IPv6 addresses of entries flagged V6, at the entry's position; a chunk's array is null until it holds one.
    private PeerAddress[]?[] _v6 = [null];
    private int _capacity;

    // Slot → entry index + 1; 0 = free. Length a power of two, at most 70 % full.
    private int[] _index = new int[8];

    public int Count { get; private set; }

    /// <summary>Remembered peers that lack nothing.</summary>
    public int Seeds { get; private set; }

    public PeerEntry this[int i] => i < Count ? View(i) : throw new ArgumentOutOfRangeException(nameof(i));

    // Single fields of an entry, for the walk that answers each announce: no entry view is built per peer looked at.
    public PeerAddress AddressAt(int i) => i < Count ? Address(i) : throw new ArgumentOutOfRangeException(nameof(i));

    public ushort PortAt(int i) => i < Count ? At(i).Port : throw new ArgumentOutOfRangeException(nameof(i));

    public bool IsSeedAt(int i) => i < Count ? (At(i).Flags & SeedFlag) != 0 : throw new ArgumentOutOfRangeException(nameof(i));

    public ReadOnlySpan<byte> PeerIdAt(int i) => i < Count ? IdAt(i) : throw new ArgumentOutOfRangeException(nameof(i));

    /// <summary>The entry of <paramref name="address"/>:<paramref name="port"/>, or -1.</summary>
    public int IndexOf(PeerAddress address, ushort port)
    {
        var key = Key(address);
        var mask = _index.Length - 1;
        for (var slot = Home(address, mask); ; slot = (slot + 1) & mask)
        {
            var v = _index[slot];
            if (v == 0)
            {
                return -1;
            }

            if (At(v - 1).Port == port && Holds(v - 1, address, key))
            {
                return v - 1;
            }
        }
    }

    /// <summary>How many ports of <paramref name="address"/> are remembered (one probe run).</summary>
    public int CountOf(PeerAddress address)
    {
        var key = Key(address);
        var mask = _index.Length - 1;
        var n = 0;
        for (var slot = Home(address, mask); _index[slot] != 0; slot = (slot + 1) & mask)
        {
            if (Holds(_index[slot] - 1, address, key))
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Remembers a peer not yet in the table (check with <see cref="IndexOf"/>); it has not returned yet.</summary>
    public void Add(PeerAddress address, ushort port, ReadOnlySpan<byte> peerId, bool seed, int seen)
    {
        if (Count == _capacity)
        {
            Grow();
        }

        if ((Count + 1) * 10 > _index.Length * 7)
        {
            Reindex(_index.Length * 2);
        }

        At(Count) = new Entry { Key = Key(address), Port = port, Seen = seen, Flags = (byte)((seed ? SeedFlag : 0) | (address.IsV4 ? 0 : V6Flag)) };
        if (!address.IsV4)
        {
            V6Chunk(Count)[Count & ChunkMask] = address;
        }

        CopyId(peerId, Count);
        Count++;
        Seeds += seed ? 1 : 0;
        Place(Count - 1);
    }

    /// <summary>A known peer announced again: it has returned, with what it lacks now and its peer id.</summary>
    public void Refresh(int i, ReadOnlySpan<byte> peerId, bool seed, int seen)
    {
        ref var e = ref At(i);
        Seeds += (seed ? 1 : 0) - ((e.Flags & SeedFlag) != 0 ? 1 : 0);
        e.Flags = (byte)((e.Flags & V6Flag) | ReturnedFlag | (seed ? SeedFlag : 0));
        e.Seen = seen;
        CopyId(peerId, i);
    }

    /// <summary>Forgets entry <paramref name="i"/>; the last entry takes its place (entries above
    /// <paramref name="i"/> keep theirs, so a sweep from the end down visits each once).</summary>
    public void RemoveAt(int i)
    {
        if (i >= Count)
        {
            throw new ArgumentOutOfRangeException(nameof(i));
        }

        Unplace(i);
        Seeds -= (At(i).Flags & SeedFlag) != 0 ? 1 : 0;
        var last = Count - 1;
        if (i != last)
        {
            // The last entry's slot now points at i.
            _index[SlotOf(last)] = i + 1;
            At(i) = At(last);
            IdAt(last).CopyTo(IdAt(i));
            if ((At(i).Flags & V6Flag) != 0)
            {
                V6Chunk(i)[i & ChunkMask] = _v6[last >> ChunkBits]![last & ChunkMask];
            }
        }

        At(last) = default;
        Count--;
        Shrink();
    }

    /// <summary>Room for one more entry: the first chunk grows by half up to a whole chunk, then chunks are added.</summary>
    private void Grow()
    {
        if (_capacity < ChunkLength)
        {
            ResizeFirstChunk(Math.Min(ChunkLength, Math.Max(8, _capacity + (_capacity / 2))));
            return;
        }

        var chunk = _capacity >> ChunkBits;
        if (chunk == _entries.Length)
        {
            Array.Resize(ref _entries, chunk * 2);
            Array.Resize(ref _ids, chunk * 2);
            Array.Resize(ref _v6, chunk * 2);
        }

        // On the pinned-object heap: a chunk lives as long as its swarm stays large, and is never copied by a
        // collection on its way to the oldest generation (which left the young copies' room resident).
        _entries[chunk] = GC.AllocateArray<Entry>(ChunkLength, pinned: true);
        _ids[chunk] = GC.AllocateArray<byte>(ChunkLength * PeerIdLength, pinned: true);
        _capacity += ChunkLength;
    }

    /// <summary>A swarm that shrank gives most of its room back rather than keeping its peak: whole chunks while two
    /// stand empty (one is kept for the next arrivals), the first chunk once a quarter full, and the index with them.</summary>
    private void Shrink()
    {
        var shrunk = false;
        while (_capacity > ChunkLength && _capacity - Count >= 2 * ChunkLength)
        {
            _capacity -= ChunkLength;
            _entries[_capacity >> ChunkBits] = null!;
            _ids[_capacity >> ChunkBits] = null!;
            _v6[_capacity >> ChunkBits] = null;
            shrunk = true;
        }

        if (_capacity <= ChunkLength && _capacity > 64 && Count < _capacity / 4)
        {
            ResizeFirstChunk(Math.Max(8, Count + (Count / 2)));
            shrunk = true;
        }

        if (shrunk)
        {
            var slots = 8;
            while (Count * 10 > slots * 7 / 2)
            {
                slots *= 2;
            }

            if (slots < _index.Length)
            {
                Reindex(slots);
            }
        }
    }

    private PeerEntry View(int i)
    {
        ref var e = ref At(i);
        return new(Address(i), e.Port, e.Seen, (e.Flags & SeedFlag) != 0, (e.Flags & ReturnedFlag) != 0);
    }

    private ref Entry At(int i) => ref _entries[i >> ChunkBits][i & ChunkMask];

    private PeerAddress Address(int i)
    {
        ref var e = ref At(i);
        return (e.Flags & V6Flag) != 0 ? _v6[i >> ChunkBits]![i & ChunkMask] : PeerAddress.FromV4(e.Key);
    }

    // An IPv4 address is its own key; an IPv6 address's key only narrows the comparison with its side entry.
    private static uint Key(PeerAddress address) => address.IsV4 ? address.V4 : (uint)(address.High ^ (address.High >> 32) ^ address.Low ^ (address.Low >> 32));

    private bool Holds(int i, PeerAddress address, uint key)
    {
        ref var e = ref At(i);
        return e.Key == key && ((e.Flags & V6Flag) != 0
            ? !address.IsV4 && _v6[i >> ChunkBits]![i & ChunkMask] == address
            : address.IsV4);
    }

    // The side chunk of entry i's chunk, allocated at the chunk's length when it gets its first IPv6 peer.
    private PeerAddress[] V6Chunk(int i)
    {
        var chunk = i >> ChunkBits;
        return _v6[chunk] ??= chunk == 0
            ? new PeerAddress[_entries[0].Length]
            : GC.AllocateArray<PeerAddress>(ChunkLength, pinned: true);
    }

    private Span<byte> IdAt(int i) => _ids[i >> ChunkBits].AsSpan((i & ChunkMask) * PeerIdLength, PeerIdLength);

    private int Home(PeerAddress address, int mask)
    {
        var h = Mix(address.High ^ _keyHigh) ^ Mix(address.Low ^ _keyLow);
        return (int)(h & (ulong)mask);
    }

    // The finaliser of MurmurHash3: every input bit reaches every output bit.
    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        return x ^ (x >> 33);
    }

    private void CopyId(ReadOnlySpan<byte> peerId, int i)
    {
        var slot = IdAt(i);
        slot.Clear();
        peerId[..Math.Min(peerId.Length, PeerIdLength)].CopyTo(slot);
    }

    /// <summary>The first chunk grows by half and shrinks while the table is smaller than a chunk: its entries, ids and
    /// (once it holds an IPv6 peer) its IPv6 side chunk take the new capacity together.</summary>
    private void ResizeFirstChunk(int capacity)
    {
        _capacity = capacity;
        Array.Resize(ref _entries[0], capacity);
        Array.Resize(ref _ids[0], capacity * PeerIdLength);
        if (_v6[0] is not null)
        {
            Array.Resize(ref _v6[0], capacity);
        }
    }

    private void Reindex(int slots)
    {
        _index = new int[slots];
        for (var i = 0; i < Count; i++)
        {
            Place(i);
        }
    }

    private void Place(int i)
    {
        var mask = _index.Length - 1;
        var slot = Home(Address(i), mask);
        while (_index[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        _index[slot] = i + 1;
    }

    private int SlotOf(int i)
    {
        var mask = _index.Length - 1;
        var slot = Home(Address(i), mask);
        while (_index[slot] != i + 1)
        {
            slot = (slot + 1) & mask;
        }

        return slot;
    }

    // Backward-shift deletion: later members of the probe run move up, so no run is ever broken by a hole.
    private void Unplace(int i)
    {
        var mask = _index.Length - 1;
        var hole = SlotOf(i);
        var next = hole;
        while (true)
        {
            next = (next + 1) & mask;
            var v = _index[next];
            if (v == 0)
            {
                _index[hole] = 0;
                return;
            }

            var home = Home(Address(v - 1), mask);
            // The entry at `next` may fill the hole unless its home lies cyclically in (hole, next].
            var stays = hole <= next ? home > hole && home <= next : home > hole || home <= next;
            if (!stays)
            {
                _index[hole] = v;
                hole = next;
            }
        }
    }

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct Entry
    {
        public uint Key;
        public int Seen;
        public ushort Port;
        public byte Flags;
    }
}

/// <summary>One remembered peer as read from a <see cref="PeerTable"/>.</summary>
/// <param name="Seen">The second (on the swarm's own count) it last announced.</param>
/// <param name="Returned">It announced again after its first announce (until then it is on probation).</param>
public readonly record struct PeerEntry(PeerAddress Address, ushort Port, int Seen, bool Seed, bool Returned);
