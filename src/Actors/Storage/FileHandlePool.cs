using Microsoft.Win32.SafeHandles;

namespace Swarm.Actors.Storage;

/// <summary>A node-wide, bounded pool of open files. Reads happen on socket writer tasks and writes on the
/// storage actors, so leases are reference-counted: a handle is closed only when no one holds it.</summary>
public sealed class FileHandlePool(int maxOpen) : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _open = new(StringComparer.Ordinal);
    private long _clock;

    /// <param name="beforeOpen">Runs before the file is opened (not when an open handle is reused); throws to refuse
    /// the path (see <see cref="SaveFolder.EnsureInside"/>).</param>
    public Lease Acquire(string path, bool write, Action<string>? beforeOpen = null)
    {
        lock (_gate)
        {
            if (_open.TryGetValue(path, out var e) && (e.Writable || !write))
            {
                e.Users++;
                e.LastUsed = ++_clock;
                return new Lease(this, e);
            }

            if (e is not null && e.Users == 0)
            {
                e.Handle.Dispose();
                _open.Remove(path);
            }

            beforeOpen?.Invoke(path);
            EvictIfFull();
            var handle = File.OpenHandle(path, FileMode.Open, write ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var entry = new Entry(path, handle, write) { Users = 1, LastUsed = ++_clock };
            if (e is null)
            {
                _open[path] = entry;
            }
            else
            {
                // A read-only handle is still in use: this writable one lives outside the table and closes when released.
                entry.Detached = true;
            }

            return new Lease(this, entry);
        }
    }

    /// <summary>Closes every idle handle under <paramref name="folder"/> (a torrent removed or paused).</summary>
    public void CloseUnder(string folder)
    {
        lock (_gate)
        {
            foreach (var key in _open.Keys.Where(k => k.StartsWith(folder, StringComparison.Ordinal)).ToList())
            {
                var e = _open[key];
                if (e.Users == 0)
                {
                    e.Handle.Dispose();
                    _open.Remove(key);
                }
                else
                {
                    e.Detached = true;
                    _open.Remove(key);
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var e in _open.Values)
            {
                e.Handle.Dispose();
            }

            _open.Clear();
        }
    }

    private void EvictIfFull()
    {
        while (_open.Count >= maxOpen)
        {
            var victim = _open.Values.Where(e => e.Users == 0).MinBy(e => e.LastUsed);
            if (victim is null)
            {
                return; // everything is in use: exceed the cap briefly rather than block an I/O path
            }

            victim.Handle.Dispose();
            _open.Remove(victim.Path);
        }
    }

    private void Release(Entry e)
    {
        lock (_gate)
        {
            e.Users--;
            if (e.Users == 0 && e.Detached)
            {
                e.Handle.Dispose();
            }
        }
    }

    internal sealed class Entry(string path, SafeFileHandle handle, bool writable)
    {
        public string Path { get; } = path;

        public SafeFileHandle Handle { get; } = handle;

        public bool Writable { get; } = writable;

        public int Users { get; set; }

        public long LastUsed { get; set; }

        public bool Detached { get; set; }
    }

    public readonly struct Lease : IDisposable
    {
        private readonly FileHandlePool _pool;
        private readonly Entry _entry;

        internal Lease(FileHandlePool pool, Entry entry)
        {
            _pool = pool;
            _entry = entry;
        }

        public SafeFileHandle Handle => _entry.Handle;

        public void Dispose() => _pool.Release(_entry);
    }
}
