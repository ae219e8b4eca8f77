using Swarm.Protocol;

namespace Swarm.Actors.Storage;

/// <summary>Keeps every file a torrent touches inside its save folder. Torrent paths are sanitized, but the disk may
/// already hold symbolic links (left by a user, another program or another torrent): a path is used only if it
/// resolves, link by link as the kernel resolves it, to a place inside the folder. The check runs before a file is
/// opened or created, not on every read or write.</summary>
public sealed class SaveFolder(string root)
{
    /// <summary>Linux follows at most 40 links while resolving one path (path_resolution(7)).</summary>
    private const int MaxLinks = 40;

    private static readonly char Separator = Path.DirectorySeparatorChar;

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Throws an <see cref="IOException"/> (which pauses the torrent with that message) when
    /// <paramref name="path"/>, or any folder on its way, is a symbolic link leading outside the save folder.</summary>
    public void EnsureInside(string path)
    {
        var realRoot = RealPath(Root);
        var full = Path.GetFullPath(path);
        var below = Root.EndsWith(Separator) ? Root : Root + Separator;
        // Issue 14: a path below the root as written is walked on from the root's physical path, where walking it whole
        // arrives after the root's components anyway; the root's links are read once per check instead of twice.
        var real = !OperatingSystem.IsWindows() && full.StartsWith(below, StringComparison.Ordinal) ? Walk(realRoot, full[below.Length..], path) : RealPath(path);
        var prefix = realRoot.EndsWith(Separator) ? realRoot : realRoot + Separator;
        if (real != realRoot && !real.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new IOException($"'{Printable.ForTerminal(path)}' leads through a symbolic link to '{Printable.ForTerminal(real)}', outside the save folder {Printable.ForTerminal(Root)}");
        }
    }

    /// <summary>Whether <paramref name="path"/> stays inside the folder (see <see cref="EnsureInside"/>).</summary>
    public bool IsInside(string path)
    {
        try
        {
            EnsureInside(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The physical path: every symbolic link on the way replaced by its target, ".." taken after that
    /// (as realpath(3) does); the part that does not exist yet is kept as written.</summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            return full; // links there need privileges to create; the lexical check in TorrentStorage applies
        }

        return Walk(Separator.ToString(), full, path);
    }

    /// <summary>Resolves <paramref name="relative"/>'s components one by one from <paramref name="start"/>, a physical
    /// path (see <see cref="RealPath"/>); <paramref name="path"/> is named in errors.</summary>
    private static string Walk(string start, string relative, string path)
    {
        var pending = new Stack<string>();
        Push(pending, relative);
        var current = start;
        var links = 0;
        while (pending.TryPop(out var component))
        {
            if (component is "" or ".")
            {
                continue;
            }

            if (component == "..")
            {
                current = Parent(current);
                continue;
            }

            var next = current.EndsWith(Separator) ? current + component : current + Separator + component;
            if (new FileInfo(next).LinkTarget is not { } target)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"'{Printable.ForTerminal(path)}' goes through more than {MaxLinks} symbolic links");
            }

            if (Path.IsPathRooted(target))
            {
                current = Separator.ToString();
            }

            Push(pending, target);
        }

        return current;
    }

    private static void Push(Stack<string> pending, string path)
    {
        var components = path.Split(Separator);
        for (var i = components.Length - 1; i >= 0; i--)
        {
            pending.Push(components[i]);
        }
    }

    private static string Parent(string path)
    {
        var slash = path.TrimEnd(Separator).LastIndexOf(Separator);
        return slash <= 0 ? Separator.ToString() : path[..slash];
    }
}
