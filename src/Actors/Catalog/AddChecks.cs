using Swarm.Actors.Storage;
using Swarm.Protocol;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.Catalog.CatalogMessages;

namespace Swarm.Actors.Catalog;

/// <summary>What an add must pass before the catalog journals it, in the order a person would fix them: the file count,
/// the paths (no other torrent of the node on them), then the disk space for the bytes not already there. Reads the
/// disk (file lengths, free space); the decisions are <see cref="AddLimits"/> and <see cref="PathClaims"/>.</summary>
public static class AddChecks
{
    /// <summary>Owner key of the paths of a removed torrent whose data is being deleted: they stay claimed until then.</summary>
    public const string DeletingPrefix = "deleting/";

    /// <summary>The refusal (one line), or null and the paths the torrent will claim.</summary>
    public static (string? Refusal, IReadOnlyList<string> Paths) Check(AddTorrent add, PathClaims claims, AddLimits limits, Func<string, string> nameOf)
    {
        var meta = add.Metainfo;
        if (limits.FileCountRefusal(meta) is { } tooMany)
        {
            return (tooMany, []);
        }

        IReadOnlyList<string> paths;
        try
        {
            paths = PathClaims.PathsOf(meta, add.SavePath);
        }
        catch (ArgumentException)
        {
            // Not a path any file system takes (a NUL in it): no file can ever be there to overlap, and the torrent
            // fails with that error as it starts, as any torrent that cannot reach its folder does.
            return (null, []);
        }
        catch (Exception e) when (e is InvalidTorrentException or IOException or UnauthorizedAccessException)
        {
            return ($"cannot save {meta.InfoHash.Hex[..8]} ({Printable.ForTerminal(meta.Name)}) to {Printable.ForTerminal(add.SavePath)}: {Printable.ForTerminal(e.Message)}", []);
        }

        if (claims.Conflict(meta.InfoHash.Hex, paths) is { } conflict)
        {
            var other = conflict.InfoHash.StartsWith(DeletingPrefix, StringComparison.Ordinal)
                ? $"a removed torrent ({conflict.InfoHash[DeletingPrefix.Length..][..8]}) whose data is still being deleted"
                : $"torrent {conflict.InfoHash[..8]} ({Printable.ForTerminal(nameOf(conflict.InfoHash))})";
            return ($"refused {meta.InfoHash.Hex[..8]} ({Printable.ForTerminal(meta.Name)}): {Printable.ForTerminal(conflict.Path)} belongs to {other} on this node; save it to another folder", []);
        }

        // A seed-only torrent never writes: it needs no room.
        if (!add.Options.SeedOnly)
        {
            var needed = DiskSpace.BytesToWrite(meta, paths);
            if (limits.SpaceRefusal(meta, Printable.ForTerminal(add.SavePath), needed, DiskSpace.FreeAt(add.SavePath)) is { } noRoom)
            {
                return (noRoom, []);
            }
        }

        return (null, paths);
    }
}
