using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Http;

/// <summary>What watches the node from outside: /metrics (Prometheus), /health/live (the process serves) and
/// /health/ready (the journal answers and, in a cluster, this member is up in it).</summary>
public sealed class NodeProbes(NodeCommands commands, TransmissionTorrents torrents, TorrentIds ids, Func<CancellationToken, Task> checkJournal, TimeSpan journalTimeout)
{
    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet("/metrics", Metrics);
        routes.MapGet("/health/live", ctx => Text(ctx, StatusCodes.Status200OK, "live"));
        routes.MapGet("/health/ready", Ready);
    }

    private async Task Metrics(HttpContext ctx)
    {
        var status = await commands.Send(new GetNodeStatus(), ctx.RequestAborted).ConfigureAwait(false) as NodeStatus;
        if (status is null)
        {
            await Text(ctx, StatusCodes.Status503ServiceUnavailable, "the node did not give its status").ConfigureAwait(false);
            return;
        }

        TorrentSummary[] list;
        try
        {
            list = await torrents.List().ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            await Text(ctx, StatusCodes.Status503ServiceUnavailable, e.Message).ConfigureAwait(false);
            return;
        }

        var (journalUp, journalSeconds, _) = await Journal(ctx.RequestAborted).ConfigureAwait(false);
        ClusterInfo? cluster = null;
        ClusterTorrent[]? clusterTorrents = null;
        if (status.ClusterRole != "standalone")
        {
            cluster = await commands.Send(new GetCluster(), ctx.RequestAborted).ConfigureAwait(false) as ClusterInfo;
            clusterTorrents = (await commands.Send(new ListClusterTorrents(), ctx.RequestAborted).ConfigureAwait(false) as ClusterTorrentListing)?.Torrents;
        }

        var snapshot = new MetricsSnapshot(
            status,
            [.. list.Select(t => (ids.IdOf(t.InfoHash), t, ids.AddedDate(t.InfoHash)))],
            cluster,
            clusterTorrents,
            journalUp,
            journalSeconds);
        ctx.Response.ContentType = PrometheusText.ContentType;
        await ctx.Response.WriteAsync(NodeMetrics.Render(snapshot), ctx.RequestAborted).ConfigureAwait(false);
    }

    private async Task Ready(HttpContext ctx)
    {
        var (journalUp, _, journalError) = await Journal(ctx.RequestAborted).ConfigureAwait(false);
        if (!journalUp)
        {
            await Text(ctx, StatusCodes.Status503ServiceUnavailable, $"not ready: {journalError}").ConfigureAwait(false);
            return;
        }

        if (await commands.Send(new GetNodeStatus(), ctx.RequestAborted).ConfigureAwait(false) is not NodeStatus status)
        {
            await Text(ctx, StatusCodes.Status503ServiceUnavailable, "not ready: the node did not give its status").ConfigureAwait(false);
            return;
        }

        if (status.ClusterRole != "standalone")
        {
            var cluster = await commands.Send(new GetCluster(), ctx.RequestAborted).ConfigureAwait(false) as ClusterInfo;
            if (cluster?.Members.FirstOrDefault(m => m.Self) is not { Status: "up" })
            {
                await Text(ctx, StatusCodes.Status503ServiceUnavailable, $"not ready: not joined to the cluster yet ({status.ClusterRole})").ConfigureAwait(false);
                return;
            }
        }

        await Text(ctx, StatusCodes.Status200OK, "ready").ConfigureAwait(false);
    }

    private async Task<(bool Up, double Seconds, string? Error)> Journal(CancellationToken aborted)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        timeout.CancelAfter(journalTimeout);
        var watch = Stopwatch.StartNew();
        try
        {
            await checkJournal(timeout.Token).ConfigureAwait(false);
            return (true, watch.Elapsed.TotalSeconds, null);
        }
        catch (IOException e)
        {
            return (false, watch.Elapsed.TotalSeconds, e.Message);
        }
    }

    private static Task Text(HttpContext ctx, int status, string text)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        return ctx.Response.WriteAsync(text + "\n");
    }
}
