using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Swarm.Actors.Storage;

/// <summary>Advice to the kernel's page cache about a file's bytes (posix_fadvise); a no-op where there is none.</summary>
public static class PageCache
{
    /// <summary>posix_fadvise's POSIX_FADV_DONTNEED on Linux.</summary>
    private const int DontNeed = 4;

    /// <summary>Lets the kernel free the clean cached pages of [<paramref name="offset"/>, +<paramref name="length"/>)
    /// now, rather than when memory runs short. Dirty pages stay (the kernel starts writing them back): no data is
    /// lost, whatever the state of the range. Returns false where the advice was refused or is not available.</summary>
    public static bool Drop(SafeFileHandle file, long offset, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
        {
            return false;
        }

        // posix_fadvise returns the error number itself (0 on success), not -1 with errno.
        return Fadvise(file, offset, length, DontNeed) == 0;
    }

    // A plain P/Invoke: LibraryImport would need unsafe code, which the build forbids. The handle marshals as the
    // file descriptor.
    [DllImport("libc", EntryPoint = "posix_fadvise")]
    private static extern int Fadvise(SafeFileHandle fd, long offset, long length, int advice);
}
