using System.Globalization;
using System.Runtime.InteropServices;

namespace Swarm.Actors.Storage;

/// <summary>Footprint (issue 14): hands the kernel back the pages of this process's mapped images (the runtime, the
/// framework and our assemblies, their native libraries) once a node went quiet. Start-up and recovery touch far more
/// of them than an idle node runs (an idle node's RSS was two-thirds such pages, ~30 MiB of them mapped by no other
/// process), and they stay resident for as long as they stay mapped. Only what reads back the same from its file is
/// paged out: file mappings that are not writable and hold no private copy of a page (madvise MADV_PAGEOUT, Linux
/// 5.4+; pages other processes map too are left to them). A page touched again is read back from the page cache or
/// the file, as after any eviction.</summary>
public static class MappedImages
{
    private const int MadvPageOut = 21;

    /// <summary>The ranges of an smaps listing (/proc/self/smaps) whose pages can be dropped and read back unchanged:
    /// mapped from a file (not the runtime's anonymous memfd double mappings), not writable, with no anonymous (copied
    /// on write) page.</summary>
    public static IReadOnlyList<(ulong Start, ulong Length)> Reclaimable(TextReader smaps)
    {
        var ranges = new List<(ulong, ulong)>();
        (ulong Start, ulong Length)? current = null;
        for (var line = smaps.ReadLine(); line is not null; line = smaps.ReadLine())
        {
            if (Header(line) is { } header)
            {
                current = header.FromFile && !header.Writable ? (header.Start, header.End - header.Start) : null;
            }
            else if (current is { } range && line.StartsWith("Anonymous:", StringComparison.Ordinal))
            {
                if (line.AsSpan("Anonymous:".Length).Trim() is "0 kB")
                {
                    ranges.Add(range);
                }

                current = null;
            }
        }

        return ranges;
    }

    /// <summary>Pages out every reclaimable range of this process (see <see cref="Reclaimable"/>); nothing off Linux
    /// or on a kernel without MADV_PAGEOUT.</summary>
    /// <returns>The bytes of the ranges advised (resident or not).</returns>
    public static long PageOut()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        IReadOnlyList<(ulong Start, ulong Length)> ranges;
        try
        {
            using var smaps = new StreamReader("/proc/self/smaps");
            ranges = Reclaimable(smaps);
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }

        long advised = 0;
        foreach (var (start, length) in ranges)
        {
            if (madvise((nint)start, (nuint)length, MadvPageOut) == 0)
            {
                advised += (long)length;
            }
            else if (Marshal.GetLastPInvokeError() == 22)
            {
                // EINVAL: a kernel before 5.4 knows no MADV_PAGEOUT (or the range went away meanwhile): stop here.
                break;
            }
        }

        return advised;
    }

    /// <summary>An smaps range header: "START-END PERMS OFFSET DEV INODE [PATH]"; null for the lines of fields.</summary>
    private static (ulong Start, ulong End, bool Writable, bool FromFile)? Header(string line)
    {
        var dash = line.IndexOf('-', StringComparison.Ordinal);
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        if (dash <= 0 || space <= dash
            || !ulong.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var start)
            || !ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var end))
        {
            return null;
        }

        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 5)
        {
            return null;
        }

        var path = fields.Length == 6 ? fields[5].Trim() : string.Empty;
        var fromFile = path.StartsWith('/') && !path.StartsWith("/memfd:", StringComparison.Ordinal) && !path.EndsWith(" (deleted)", StringComparison.Ordinal);
        return (start, end, fields[1].Contains('w', StringComparison.Ordinal), fromFile);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);
}
