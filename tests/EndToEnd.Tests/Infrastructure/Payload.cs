namespace Swarm.EndToEnd.Tests.Infrastructure;

public enum PayloadKind
{
    SingleFile,
    MultiFile,
}

/// <summary>Content on disk: <see cref="Path"/> is <see cref="Name"/> inside <see cref="Parent"/>.</summary>
/// <param name="Parent">The folder every client is given as its data or download folder.</param>
/// <param name="Name">The torrent's name: the file, or the top folder of a multi-file torrent.</param>
public sealed record Content(string Parent, string Name)
{
    public string Path => System.IO.Path.Combine(Parent, Name);
}

/// <summary>
/// Deterministic pseudo-random payloads. Random bytes (not zeros) so a client that skips writing or
/// reads the wrong offset cannot pass by accident; fixed seeds so a failure reproduces.
/// </summary>
public static class Payload
{
    public const string SingleName = "single.bin";
    public const string FolderName = "folder";

    /// <summary>
    /// Odd sizes that straddle piece boundaries, nested folders, and names whose ordinal order
    /// ("Readme.txt" before "alpha.bin", "sub/deeper/..." before "sub/zz.bin") differs from a
    /// case-insensitive or files-before-folders order.
    /// </summary>
    public static readonly IReadOnlyList<(string Path, long Length)> FolderLayout =
    [
        ("Readme.txt", 12_345),
        ("alpha.bin", (1 << 20) + 5),
        ("sub/beta.dat", 700 << 10),
        ("sub/deeper/gamma.bin", (3 << 20) + 17),
        ("sub/zz.bin", 100_003),
    ];

    public const long SingleLength = (3 << 20) + 17;

    public static Content Create(PayloadKind kind, string parent, int seed = 1) => kind switch
    {
        PayloadKind.SingleFile => CreateFile(parent, SingleName, SingleLength, seed),
        PayloadKind.MultiFile => CreateFolder(parent, FolderName, seed),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static Content CreateFile(string parent, string name, long length, int seed)
    {
        Directory.CreateDirectory(parent);
        WriteRandomFile(System.IO.Path.Combine(parent, name), length, seed);
        return new Content(parent, name);
    }

    public static Content CreateFolder(string parent, string name, int seed)
    {
        var root = System.IO.Path.Combine(parent, name);
        for (var i = 0; i < FolderLayout.Count; i++)
        {
            var (path, length) = FolderLayout[i];
            var file = System.IO.Path.Combine(root, path);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
            WriteRandomFile(file, length, seed * 1000 + i);
        }

        return new Content(parent, name);
    }

    public static void WriteRandomFile(string path, long length, int seed)
    {
        // System.Random with a seed keeps its legacy algorithm, so the bytes are stable across runtimes.
        var random = new Random(seed);
        var buffer = new byte[1 << 20];
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        for (var left = length; left > 0;)
        {
            var chunk = (int)Math.Min(buffer.Length, left);
            random.NextBytes(buffer.AsSpan(0, chunk));
            stream.Write(buffer, 0, chunk);
            left -= chunk;
        }
    }
}
