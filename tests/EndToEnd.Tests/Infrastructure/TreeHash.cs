using System.Security.Cryptography;
using Xunit;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>SHA-256 of every file under a path, for byte-exact comparisons of content trees.</summary>
public static class TreeHash
{
    /// <summary>Relative path (with '/') to SHA-256 hex; a single file maps from its own name.</summary>
    public static SortedDictionary<string, string> Of(string path, Func<string, bool>? include = null)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            result[System.IO.Path.GetFileName(path)] = HashFile(path);
            return result;
        }

        if (!Directory.Exists(path))
        {
            return result;
        }

        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            var relative = System.IO.Path.GetRelativePath(path, file).Replace(System.IO.Path.DirectorySeparatorChar, '/');
            if (include is null || include(relative))
            {
                result[relative] = HashFile(file);
            }
        }

        return result;
    }

    /// <summary>Asserts that <paramref name="actual"/> holds exactly the bytes of <paramref name="expected"/>.</summary>
    public static void AssertSame(string expected, string actual)
    {
        Assert.True(File.Exists(actual) || Directory.Exists(actual), $"Nothing was written at {actual}.");
        AssertSame(Of(expected), Of(actual), $"{actual} differs from {expected}");
    }

    public static void AssertSame(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual, string what)
    {
        var missing = expected.Keys.Except(actual.Keys).ToList();
        var extra = actual.Keys.Except(expected.Keys).ToList();
        var changed = expected.Keys.Intersect(actual.Keys).Where(k => expected[k] != actual[k]).ToList();
        if (missing.Count + extra.Count + changed.Count == 0)
        {
            return;
        }

        Assert.Fail($"{what}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}], different bytes [{string.Join(", ", changed)}]");
    }

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
