using System.Net.Http.Headers;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.WebSeeds;

namespace Swarm.Actors.WebSeeds;

/// <summary>A web seed's round that cannot complete: the reason is shown and logged, the seed backs off.</summary>
internal sealed class WebSeedFetchException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Fetches runs of a torrent's content from one web seed over HTTP(S): one Range request per file part
/// (padding zero-filled here), redirects followed by hand (capped, same scheme only, no loops), and every answer held
/// to exactly the bytes asked for (<see cref="WebSeedResponse"/>) before its body is read. No actor state: the seed
/// actor runs it in a task and gets the bytes as messages.</summary>
internal sealed class WebSeedFetcher(HttpClient http, TorrentMetainfo meta, string seedUrl, int maxRedirects)
{
    /// <summary>Fills <paramref name="buffer"/> (the run's length) with the run's bytes, or throws
    /// <see cref="WebSeedFetchException"/> (or <see cref="OperationCanceledException"/> on <paramref name="ct"/>).</summary>
    public async Task FetchRun(ContentRun run, byte[] buffer, CancellationToken ct)
    {
        foreach (var part in RangePlanner.Plan(meta.Files, run))
        {
            if (part.IsPadding)
            {
                buffer.AsSpan(part.RunOffset, part.Length).Clear(); // BEP 47: padding is zeros, never fetched
                continue;
            }

            await FetchPart(part, buffer.AsMemory(part.RunOffset, part.Length), ct).ConfigureAwait(false);
        }
    }

    private async Task FetchPart(FileRange part, Memory<byte> into, CancellationToken ct)
    {
        var file = meta.Files[part.File];
        var url = new Uri(WebSeedUrls.FileUrl(seedUrl, meta, file));
        var visited = new List<Uri> { url };
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Range = new RangeHeaderValue(part.FileOffset, part.FileOffset + part.Length - 1);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new WebSeedFetchException($"{url.GetLeftPart(UriPartial.Authority)}: {e.Message}", e);
            }

            using (response)
            {
                var contentRange = response.Content.Headers.NonValidated.TryGetValues("Content-Range", out var cr) ? string.Join(",", cr) : null;
                var (verdict, reason) = WebSeedResponse.Judge((int)response.StatusCode, contentRange, response.Content.Headers.ContentLength, part, file.Length);
                switch (verdict)
                {
                    case WebSeedVerdict.Redirect:
                        var location = response.Headers.NonValidated.TryGetValues("Location", out var l) ? l.FirstOrDefault() : null;
                        var (target, refusal) = WebSeedResponse.Redirect(url, location, visited, maxRedirects);
                        url = target ?? throw new WebSeedFetchException($"{file.JoinedPath}: {refusal}");
                        visited.Add(url);
                        continue;
                    case WebSeedVerdict.Body:
                        await ReadExactly(response, into, url, ct).ConfigureAwait(false);
                        return;
                    default:
                        throw new WebSeedFetchException($"{url}: {reason}");
                }
            }
        }
    }

    /// <summary>The body must be exactly the range: a shorter one (the connection closed early) or a longer one
    /// (more bytes than the range, with no Content-Length to stop at) is refused.</summary>
    private static async Task ReadExactly(HttpResponseMessage response, Memory<byte> into, Uri url, CancellationToken ct)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var read = 0;
            while (read < into.Length)
            {
                var n = await body.ReadAsync(into[read..], ct).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new WebSeedFetchException($"{url}: the body ended after {read} of {into.Length} bytes");
                }

                read += n;
            }

            var extra = new byte[1];
            if (await body.ReadAsync(extra, ct).ConfigureAwait(false) > 0)
            {
                throw new WebSeedFetchException($"{url}: the body holds more than the {into.Length} bytes asked for");
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new WebSeedFetchException($"{url}: {e.Message}", e);
        }
    }
}
