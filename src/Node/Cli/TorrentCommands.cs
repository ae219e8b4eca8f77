using System.CommandLine;
using System.Text.Json;
using Swarm.Protocol;
using Swarm.Protocol.Metainfo;

namespace Swarm.Node.Cli;

/// <summary>`swarm torrent create` and `swarm torrent info`.</summary>
internal static class TorrentCommands
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = false };

    public static Command Build()
    {
        var torrent = new Command("torrent", "Create and inspect .torrent files");
        torrent.Add(Create());
        torrent.Add(Info());
        torrent.Add(Magnet());
        return torrent;
    }

    private static Command Magnet()
    {
        var file = new Argument<string>("FILE") { Description = "The .torrent file" };
        var peers = new Option<string[]>("--peer") { Description = "A peer to name in the link (x.pe), IP:PORT (repeatable)" };
        var cmd = new Command("magnet", "Print the torrent's magnet link (BEP 9): info-hash, name, trackers") { file, peers };
        cmd.SetAction(r => Run(() =>
        {
            var meta = Load(r.GetValue(file)!);
            foreach (var p in r.GetValue(peers) ?? [])
            {
                if (!System.Net.IPEndPoint.TryParse(p, out var ep) || ep.Port == 0)
                {
                    throw new CliException($"--peer '{p}' is not IP:PORT");
                }
            }

            Console.WriteLine(new Protocol.Magnet.MagnetLink(meta.InfoHash, meta.Name, [.. meta.Trackers], r.GetValue(peers) ?? []) { InfoHashV2 = meta.V2?.InfoHash });
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "File or folder to share" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the .torrent", Required = true };
        var trackers = new Option<string[]>("--tracker") { Description = "Announce URL (repeatable; the first is 'announce')" };
        var pieceLength = new Option<int?>("--piece-length") { Description = "Piece length in bytes (power of two; automatic by default)" };
        var isPrivate = new Option<bool>("--private") { Description = "Mark the torrent private (BEP 27)" };
        var comment = new Option<string?>("--comment") { Description = "Comment stored in the torrent" };
        var webSeeds = new Option<string[]>("--web-seed") { Description = "HTTP/HTTPS mirror of the content, BEP 19 url-list (repeatable)" }; // issue 17
        var cmd = new Command("create", "Create a .torrent from a file or folder") { path, output, trackers, pieceLength, isPrivate, comment, webSeeds };

        // BitTorrent v2 (BEP 52): a v2-only or a hybrid (v1 + v2) torrent, as libtorrent 2 makes them.
        var v2 = new Option<bool>("--v2") { Description = "Create a BitTorrent v2-only torrent (BEP 52)" };
        var hybrid = new Option<bool>("--hybrid") { Description = "Create a hybrid v1 + v2 torrent (BEP 52)" };
        cmd.Add(v2);
        cmd.Add(hybrid);
        cmd.SetAction(r => Run(() =>
        {
            var options = new TorrentBuildOptions(
                r.GetValue(trackers) ?? [],
                r.GetValue(pieceLength),
                r.GetValue(isPrivate),
                r.GetValue(comment))
            { WebSeeds = r.GetValue(webSeeds) ?? [] };
            if (r.GetValue(v2) && r.GetValue(hybrid))
            {
                throw new CliException("--v2 and --hybrid exclude each other: --hybrid already holds v2");
            }

            var bytes = r.GetValue(v2) || r.GetValue(hybrid)
                ? TorrentFilesV2.Create(r.GetValue(path)!, options, hybrid: r.GetValue(hybrid))
                : TorrentFiles.Create(r.GetValue(path)!, options);
            File.WriteAllBytes(r.GetValue(output)!, bytes);
            var meta = MetainfoParser.Parse(bytes);
            Console.WriteLine(meta.InfoHash.Hex);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Info()
    {
        var file = new Argument<string>("FILE") { Description = "The .torrent file" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("info", "Show what a .torrent file holds") { file, json };
        cmd.SetAction(r => Run(() =>
        {
            var meta = Load(r.GetValue(file)!);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(
                    new
                    {
                        infoHash = meta.InfoHash.Hex,
                        name = meta.Name,
                        pieceLength = meta.PieceLength,
                        pieces = meta.PieceCount,
                        length = meta.TotalLength,
                        files = meta.Files.Where(f => !f.IsPadding).Select(f => new { path = f.JoinedPath, length = f.Length }),
                        trackers = meta.Trackers,
                        @private = meta.IsPrivate,
                        infoHashV2 = meta.V2?.InfoHash.Hex,
                        version = meta.Version,
                        webSeeds = meta.WebSeeds,
                    },
                    Json));
            }
            else
            {
                Console.WriteLine($"name:         {Printable.ForTerminal(meta.Name)}");
                Console.WriteLine($"info-hash:    {meta.InfoHash.Hex}");
                if (meta.V2 is { } v2)
                {
                    Console.WriteLine($"info-hash v2: {v2.InfoHash.Hex}{(v2.IsHybrid ? " (hybrid)" : " (v2-only: the wire uses the first 20 bytes)")}");
                }

                Console.WriteLine($"size:         {Format.Bytes(meta.TotalLength)} ({meta.TotalLength} bytes)");
                Console.WriteLine($"pieces:       {meta.PieceCount} × {Format.Bytes(meta.PieceLength)}");
                Console.WriteLine($"private:      {(meta.IsPrivate ? "yes" : "no")}");
                foreach (var seed in meta.WebSeeds)
                {
                    Console.WriteLine($"web seed:     {Printable.ForTerminal(seed)}");
                }

                if (meta.CreatedBy is not null)
                {
                    Console.WriteLine($"created by:   {Printable.ForTerminal(meta.CreatedBy)}");
                }

                if (meta.CreationDate is { } date)
                {
                    Console.WriteLine($"created:      {date:u}");
                }

                if (meta.Comment is not null)
                {
                    Console.WriteLine($"comment:      {Printable.ForTerminal(meta.Comment)}");
                }

                foreach (var t in meta.Trackers)
                {
                    Console.WriteLine($"tracker:      {Printable.ForTerminal(t)}");
                }

                foreach (var f in meta.Files.Where(f => !f.IsPadding))
                {
                    Console.WriteLine($"file:         {Printable.ForTerminal(f.JoinedPath)} ({Format.Bytes(f.Length)})");
                }
            }

            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>Reads and validates a .torrent; any problem becomes a one-line <see cref="CliException"/>.</summary>
    public static TorrentMetainfo Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read '{path}': {e.Message}");
        }

        try
        {
            return MetainfoParser.Parse(bytes);
        }
        catch (InvalidTorrentException e)
        {
            throw new CliException($"invalid torrent '{path}': {e.Message}");
        }
    }

    /// <summary>Runs a command body, mapping user errors to exit code 2 and one line on stderr (no stack trace).</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is CliException or InvalidTorrentException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"swarm: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"swarm: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
