using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Swarm.Actors.Storage;

/// <summary>Reserves a new file's blocks on disk (fallocate) before its data arrives; a no-op where there is none.</summary>
public static class FileAllocation
{
    /// <summary>Issue 14 (storage): gives <paramref name="file"/> all of its <paramref name="length"/> bytes as allocated
    /// but unwritten blocks, and that length. The file system then maps each write onto blocks it already has, where a
    /// sparse file made ext4's delayed allocation reserve, look up and insert extents page by page and allocate them
    /// again at writeback (what aria2's --file-allocation=falloc avoids). Unwritten blocks read as zeros and count as
    /// holes for SEEK_DATA (ext4, XFS, btrfs, tmpfs), so <see cref="WrittenRanges"/> still finds only written data.
    /// Returns false where it was refused (the file system cannot, or the disk is short of space): the caller sets the
    /// length sparse as before, and a full disk fails a write when it comes, as it would have.</summary>
    public static bool Reserve(SafeFileHandle file, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0)
        {
            return false;
        }

        // Mode 0: allocate and extend the size. Not posix_fallocate, which writes zeros where fallocate is missing.
        return Fallocate(file, 0, 0, length) == 0;
    }

    // A plain P/Invoke: LibraryImport would need unsafe code, which the build forbids. The handle marshals as the
    // file descriptor; off_t is 64 bits on the 64-bit platforms the node runs on.
    [DllImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static extern int Fallocate(SafeFileHandle fd, int mode, long offset, long length);
}
