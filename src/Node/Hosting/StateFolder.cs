using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Swarm.Node.Hosting;

/// <summary>The torrent and save folder a one-shot command (`get`, `seed`) works on: with the default state location,
/// it has a state folder of its own.</summary>
public sealed record TransferKey(string InfoHash, string SavePath);

/// <summary>Where one run keeps its state (journal, node id), held exclusively by this process while it runs.
/// With the default location, `swarm node` uses &lt;state&gt;/node and each `get`/`seed` uses
/// &lt;state&gt;/transfers/&lt;info-hash&gt;-&lt;hash of the save folder&gt;, so any number of them run side by side and
/// a `get` re-run with the same arguments finds its journal again. An explicit folder (--data-dir,
/// swarm.data-dir) is used as it is, by one process at a time. The lock is an OS file lock: it goes with the
/// process, even after kill -9, so it is never stale.</summary>
public sealed class StateFolder : IDisposable
{
    private const string LockFile = "lock";
    private const string OwnerFile = "lock.pid";

    /// <summary>What .NET reports in <see cref="Exception.HResult"/> when the flock is held elsewhere: the errno
    /// EWOULDBLOCK on Linux (11), on macOS (35), or ERROR_SHARING_VIOLATION on Windows.</summary>
    private static readonly int[] HeldElsewhere = [11, 35, unchecked((int)0x80070020)];

    private readonly FileStream _lock;

    private StateFolder(string path, FileStream held)
    {
        Path = path;
        _lock = held;
    }

    public string Path { get; }

    /// <summary>The user's state location when none is configured: $XDG_DATA_HOME/swarm or ~/.local/share/swarm.</summary>
    public static string DefaultRoot =>
        System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "swarm");

    /// <summary>The folder a run uses: <paramref name="configured"/> (swarm.data-dir) when set, else the node's or
    /// the transfer's own folder under <see cref="DefaultRoot"/>.</summary>
    public static string Resolve(string? configured, TransferKey? transfer)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return System.IO.Path.GetFullPath(configured);
        }

        return transfer is null
            ? System.IO.Path.Combine(DefaultRoot, "node")
            : System.IO.Path.Combine(DefaultRoot, "transfers", TransferFolderName(transfer));
    }

    /// <summary>&lt;info-hash&gt;-&lt;first 64 bits of SHA-256 of the full save path&gt;: one folder per torrent and
    /// destination, stable across runs.</summary>
    public static string TransferFolderName(TransferKey transfer)
    {
        var full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(transfer.SavePath));
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(full));
        return $"{transfer.InfoHash.ToLowerInvariant()}-{Convert.ToHexStringLower(digest, 0, 8)}";
    }

    /// <summary>Creates the folder and takes its lock; an <see cref="IOException"/> naming the holder when another
    /// process has it.</summary>
    public static StateFolder Acquire(string path, TransferKey? transfer)
    {
        var lockPath = System.IO.Path.Combine(path, LockFile);
        FileStream held;
        try
        {
            Directory.CreateDirectory(path);
            // FileShare.None is an exclusive flock(2) on Unix: released by the kernel when the process ends.
            held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or FileNotFoundException or DirectoryNotFoundException)
        {
            throw new IOException($"cannot use the state folder {path}: {e.Message}", e);
        }
        catch (IOException e) when (!HeldElsewhere.Contains(e.HResult))
        {
            throw new IOException($"cannot use the state folder {path}: {e.Message}", e);
        }
        catch (IOException e)
        {
            var holder = Holder(path);
            throw new IOException(transfer is null
                ? $"the state folder {path} is in use by another swarm process{holder}; give this one its own --data-dir"
                : $"another swarm process{holder} is already working on torrent {transfer.InfoHash} in {System.IO.Path.GetFullPath(transfer.SavePath)}; stop it or wait for it to finish", e);
        }

        try
        {
            File.WriteAllText(System.IO.Path.Combine(path, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            // Only the refusal message of a later process would lack our pid.
        }

        return new StateFolder(path, held);
    }

    private static string Holder(string path)
    {
        try
        {
            var text = File.ReadAllText(System.IO.Path.Combine(path, OwnerFile)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? $" (pid {pid})" : string.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    public void Dispose() => _lock.Dispose();
}
