using System.Buffers;
using Swarm.Protocol.Bencode;
using Xunit;

namespace Swarm.Protocol.Tests;

/// <summary>Structural comparison of bencode trees (records holding arrays and lists compare by reference).</summary>
internal static class BValues
{
    public static bool Same(BValue a, BValue b) => (a, b) switch
    {
        (BInteger x, BInteger y) => x.Value == y.Value,
        (BString x, BString y) => x.Bytes.AsSpan().SequenceEqual(y.Bytes),
        (BList x, BList y) => x.Items.Count == y.Items.Count && x.Items.Zip(y.Items).All(p => Same(p.First, p.Second)),
        (BDictionary x, BDictionary y) => x.Entries.Count == y.Entries.Count
            && x.Entries.All(kv => y.Entries.TryGetValue(kv.Key, out var v) && Same(kv.Value, v)),
        _ => false,
    };

    public static BString Str(string text) => new(text);

    public static BInteger Int(long value) => new(value);

    public static BList List(params BValue[] items) => new(items);
}

/// <summary>Builds .torrent files field by field, so each test can break exactly one rule.</summary>
internal static class Craft
{
    public const int PieceLength = 16 * 1024;

    /// <summary>A valid single-file info dictionary (1000 bytes, one piece) with <paramref name="changes"/> applied;
    /// a null value removes the key.</summary>
    public static BDictionary SingleInfo(params (string Key, BValue? Value)[] changes) =>
        With(
            [
                ("name", new BString("a.bin")),
                ("piece length", new BInteger(PieceLength)),
                ("pieces", Pieces(1000, PieceLength)),
                ("length", new BInteger(1000)),
            ],
            changes);

    /// <summary>A valid multi-file info dictionary named "folder" holding <paramref name="files"/>, with pieces to match
    /// (absurd or negative lengths are left out of the sum, so the test reaches the rule it aims at).</summary>
    public static BDictionary MultiInfo(IEnumerable<BValue> files, params (string Key, BValue? Value)[] changes)
    {
        var list = files.ToList();
        var total = list.OfType<BDictionary>().Sum(f => f["length"] is BInteger { Value: >= 0 and < (1L << 40) } l ? l.Value : 0);
        return With(
            [
                ("name", new BString("folder")),
                ("piece length", new BInteger(PieceLength)),
                ("pieces", Pieces(Math.Max(total, 1), PieceLength)),
                ("files", new BList(list)),
            ],
            changes);
    }

    public static BDictionary File(long length, params string[] path) =>
        BDictionary.From(("length", new BInteger(length)), ("path", new BList(path.Select(p => (BValue)new BString(p)).ToList())));

    public static BDictionary PadFile(long length, params string[] path) =>
        BDictionary.From(
            ("attr", new BString("p")),
            ("length", new BInteger(length)),
            ("path", new BList(path.Select(p => (BValue)new BString(p)).ToList())));

    public static BString Pieces(long total, int pieceLength)
    {
        var count = (total + pieceLength - 1) / pieceLength;
        var bytes = new byte[count * 20];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 7);
        }

        return new BString(bytes);
    }

    public static byte[] Torrent(BDictionary info, params (string Key, BValue? Value)[] outer) =>
        BencodeWriter.Encode(With([("announce", new BString("http://tracker.example/announce")), ("info", info)], outer));

    public static BDictionary With(IEnumerable<(string Key, BValue Value)> defaults, IEnumerable<(string Key, BValue? Value)> changes)
    {
        var d = defaults.ToDictionary(e => e.Key, e => (BValue?)e.Value, StringComparer.Ordinal);
        foreach (var (k, v) in changes)
        {
            d[k] = v;
        }

        return BDictionary.From([.. d.Select(kv => (kv.Key, kv.Value))]);
    }
}

/// <summary>A linked buffer segment, to build multi-segment <see cref="ReadOnlySequence{T}"/>s.</summary>
internal sealed class Segment : ReadOnlySequenceSegment<byte>
{
    private Segment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>One segment per chunk, in order; empty chunks give empty segments.</summary>
    public static ReadOnlySequence<byte> Sequence(params byte[][] chunks)
    {
        Assert.NotEmpty(chunks);
        var first = new Segment(chunks[0], 0);
        var last = first;
        foreach (var chunk in chunks.Skip(1))
        {
            var next = new Segment(chunk, last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Cuts <paramref name="data"/> at each of <paramref name="cuts"/> (sorted offsets).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var chunks = new List<byte[]>();
        var start = 0;
        foreach (var cut in cuts)
        {
            chunks.Add(data[start..cut]);
            start = cut;
        }

        chunks.Add(data[start..]);
        return Sequence([.. chunks]);
    }
}
