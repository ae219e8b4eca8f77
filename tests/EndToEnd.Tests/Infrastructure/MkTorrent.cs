using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Torrents made by mktorrent, an independent creator: wherever the torrent creator is not what a
/// test checks, swarm downloads from a torrent it did not write.
/// </summary>
public static class MkTorrent
{
    /// <summary>64 KiB pieces: a few MiB become dozens of pieces, so picking and pipelining get exercised.</summary>
    public const int DefaultPieceLengthLog2 = 16;

    public static async Task<Metainfo> CreateAsync(
        string path,
        string output,
        ITestOutputHelper? log = null,
        string? announce = null,
        int pieceLengthLog2 = DefaultPieceLengthLog2,
        bool isPrivate = false,
        string? comment = null)
    {
        List<string> arguments = ["-l", pieceLengthLog2.ToString(), "-o", output];
        if (announce is not null)
        {
            arguments.AddRange(["-a", announce]);
        }

        if (isPrivate)
        {
            arguments.Add("-p");
        }

        if (comment is not null)
        {
            arguments.AddRange(["-c", comment]);
        }

        arguments.Add(path);
        (await Command.RunAsync("mktorrent", "mktorrent", arguments, Timeouts.Start, log)).EnsureSuccess();
        return Metainfo.Load(output);
    }
}
