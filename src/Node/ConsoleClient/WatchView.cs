using Spectre.Console;
using Spectre.Console.Rendering;
using Swarm.Node.Cli;
using Swarm.Protocol;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>`watch [TORRENT]`: live progress bars and rates. On a terminal a Spectre live table redrawn in place until a
/// key or Ctrl-C; otherwise one line per torrent per refresh (JSON lines with --json), until Ctrl-C or SIGTERM.</summary>
internal static class WatchView
{
    private const int BarWidth = 24;

    public static async Task<int> RunAsync(IConsoleLink connection, string? torrent, bool json, TimeSpan interval, bool keysStop, TimeProvider clock, CancellationToken stop)
    {
        var first = await Fetch(connection, torrent).ConfigureAwait(false);
        if (first is not TorrentListing listing)
        {
            return ConsoleRenderer.Render(first, json, Console.Out, Console.Error, clock.GetUtcNow().UtcDateTime);
        }

        if (json || Console.IsOutputRedirected)
        {
            return await Plain(connection, torrent, json, listing, interval, clock, stop).ConfigureAwait(false);
        }

        var exit = ExitCodes.Ok;
        await AnsiConsole.Live(Render(listing, torrent, clock)).AutoClear(false).StartAsync(async ctx =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await WaitOrKey(interval, keysStop, clock, stop).ConfigureAwait(false))
                {
                    break;
                }

                var reply = await Fetch(connection, torrent).ConfigureAwait(false);
                if (reply is not TorrentListing next)
                {
                    exit = ConsoleRenderer.Render(reply, false, Console.Out, Console.Error, clock.GetUtcNow().UtcDateTime);
                    break;
                }

                ctx.UpdateTarget(Render(next, torrent, clock));
            }
        }).ConfigureAwait(false);
        return exit;
    }

    private static async Task<int> Plain(IConsoleLink connection, string? torrent, bool json, TorrentListing listing, TimeSpan interval, TimeProvider clock, CancellationToken stop)
    {
        while (true)
        {
            foreach (var t in listing.Torrents)
            {
                Console.Out.WriteLine(json
                    ? ConsoleRenderer.JsonOneLine(t)
                    : $"{t.InfoHash[..8]} {Printable.ForTerminal(t.Name)}: {ConsoleRenderer.Percent(t.Progress)} {t.State}, down {Format.Rate(t.DownloadRate)}, up {Format.Rate(t.UploadRate)}, {t.Peers} peer(s)");
            }

            Console.Out.Flush();
            try
            {
                await Task.Delay(interval, clock, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Ok;
            }

            var reply = await Fetch(connection, torrent).ConfigureAwait(false);
            if (reply is not TorrentListing next)
            {
                return ConsoleRenderer.Render(reply, json, Console.Out, Console.Error, clock.GetUtcNow().UtcDateTime);
            }

            listing = next;
        }
    }

    /// <summary>Waits one refresh interval; true if a key was pressed (the key is consumed) or the watch was cancelled.</summary>
    private static async Task<bool> WaitOrKey(TimeSpan interval, bool keysStop, TimeProvider clock, CancellationToken stop)
    {
        var until = clock.GetUtcNow() + interval;
        while (clock.GetUtcNow() < until)
        {
            if (stop.IsCancellationRequested)
            {
                return true;
            }

            if (keysStop && Console.KeyAvailable)
            {
                Console.ReadKey(intercept: true);
                return true;
            }

            await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>One torrent is fetched with `show` (its peers come along); all of them with `torrents`.</summary>
    private static async Task<IConsoleReply> Fetch(IConsoleLink connection, string? torrent)
    {
        if (torrent is null)
        {
            return await connection.SendAsync(new ListNodeTorrents()).ConfigureAwait(false);
        }

        var reply = await connection.SendAsync(new ShowTorrent(torrent)).ConfigureAwait(false);
        return reply is TorrentDetail d ? new TorrentListing([d.Torrent]) : reply;
    }

    private static IRenderable Render(TorrentListing listing, string? torrent, TimeProvider clock)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("ID", "NAME", "PROGRESS", "STATE", "DOWN", "UP", "PEERS")
            .Caption($"[grey]{clock.GetLocalNow():HH:mm:ss} · press any key or Ctrl-C to stop[/]");
        table.Columns[4].RightAligned();
        table.Columns[5].RightAligned();
        table.Columns[6].RightAligned();
        foreach (var t in listing.Torrents)
        {
            var filled = (int)Math.Round(t.Progress * BarWidth);
            var colour = t.State switch
            {
                "seeding" => "green",
                "error" or "failed" => "red",
                "paused" => "grey",
                _ => "blue",
            };
            table.AddRow(
                t.InfoHash[..8],
                Markup.Escape(Printable.ForTerminal(t.Name.Length > 32 ? t.Name[..31] + "…" : t.Name)),
                $"[{colour}]{new string('█', filled)}[/][grey]{new string('░', BarWidth - filled)}[/] {ConsoleRenderer.Percent(t.Progress)}",
                Markup.Escape(t.State),
                Format.Rate(t.DownloadRate),
                Format.Rate(t.UploadRate),
                t.Peers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (listing.Torrents.Length == 0)
        {
            table.AddRow("", torrent is null ? "no torrents" : $"no torrent {Markup.Escape(torrent)}", "", "", "", "", "");
        }

        return table;
    }
}
