using System.Security.Cryptography;
using System.Text;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>A torrent file as read by the tests' own bencode, independent of swarm.</summary>
public sealed class Metainfo
{
    private Metainfo(IReadOnlyDictionary<string, object> root, byte[] rawInfo)
    {
        Root = root;
        RawInfo = rawInfo;
        Info = (IReadOnlyDictionary<string, object>)root["info"];
        InfoHash = Convert.ToHexStringLower(SHA1.HashData(rawInfo));
    }

    public IReadOnlyDictionary<string, object> Root { get; }

    public IReadOnlyDictionary<string, object> Info { get; }

    /// <summary>The info dictionary's bytes exactly as they appear in the file.</summary>
    public byte[] RawInfo { get; }

    /// <summary>40 lowercase hex characters.</summary>
    public string InfoHash { get; }

    public string Name => Text(Info["name"]);

    public long PieceLength => (long)Info["piece length"];

    public int PieceCount => ((byte[])Info["pieces"]).Length / 20;

    public bool IsPrivate => Info.TryGetValue("private", out var p) && (long)p == 1;

    /// <summary>Files in torrent order, paths joined by '/'; a single-file torrent lists its name.</summary>
    public IReadOnlyList<(string Path, long Length)> Files =>
        Info.TryGetValue("files", out var files)
            ? [.. ((List<object>)files).Cast<Dictionary<string, object>>()
                .Select(f => (string.Join('/', ((List<object>)f["path"]).Select(Text)), (long)f["length"]))]
            : [(Name, (long)Info["length"])];

    public long Length => Files.Sum(f => f.Length);

    /// <summary>"announce" then every "announce-list" URL, without duplicates.</summary>
    public IReadOnlyList<string> Trackers
    {
        get
        {
            var urls = new List<string>();
            if (Root.TryGetValue("announce", out var announce))
            {
                urls.Add(Text(announce));
            }

            if (Root.TryGetValue("announce-list", out var tiers))
            {
                urls.AddRange(((List<object>)tiers).Cast<List<object>>().SelectMany(t => t).Select(Text));
            }

            return [.. urls.Distinct(StringComparer.Ordinal)];
        }
    }

    public static Metainfo Load(string path)
    {
        var data = File.ReadAllBytes(path);
        return new Metainfo((IReadOnlyDictionary<string, object>)Bencode.Decode(data), Bencode.RawValue(data, "info"));
    }

    /// <summary>Why two info dictionaries differ, in words, for assertion messages.</summary>
    public static string DescribeInfoDifference(Metainfo expected, Metainfo actual)
    {
        var text = new StringBuilder();
        foreach (var key in expected.Info.Keys.Union(actual.Info.Keys).Order(StringComparer.Ordinal))
        {
            var inExpected = expected.Info.TryGetValue(key, out var e);
            var inActual = actual.Info.TryGetValue(key, out var a);
            if (!inExpected || !inActual)
            {
                text.AppendLine($"info key \"{key}\" only in {(inExpected ? "the expected" : "the actual")} torrent");
            }
            else if (!Bencode.Encode(e!).AsSpan().SequenceEqual(Bencode.Encode(a!)))
            {
                text.AppendLine($"info key \"{key}\" differs");
            }
        }

        text.AppendLine($"expected files: {string.Join(", ", expected.Files.Select(f => $"{f.Path} ({f.Length})"))}");
        text.AppendLine($"actual files:   {string.Join(", ", actual.Files.Select(f => $"{f.Path} ({f.Length})"))}");
        return text.ToString();
    }

    private static string Text(object value) => Encoding.UTF8.GetString((byte[])value);
}
