using System.Net;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerClient;

/// <summary>Which HTTP tracker redirects are followed: at most <c>swarm.tracker.max-redirects</c> in a row, and only to
/// http or https (a redirect to file://, ftp:// or anything else is an error, never a request).</summary>
public static class TrackerRedirects
{
    /// <summary>Whether <paramref name="status"/> asks to repeat the request elsewhere.</summary>
    public static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>Where the redirect from <paramref name="current"/> leads, as the <paramref name="followed"/>+1-th
    /// redirect of this announce; a tracker error when there is no target, too many redirects, or a target that
    /// is not http(s).</summary>
    public static Uri Next(Uri current, Uri? location, int followed, int max)
    {
        if (location is null)
        {
            throw new TrackerException("tracker redirected without a Location");
        }

        if (followed >= max)
        {
            throw new TrackerException($"tracker redirected more than {max} times");
        }

        var target = location.IsAbsoluteUri ? location : new Uri(current, location);
        return target.Scheme is "http" or "https"
            ? target
            : throw new TrackerException($"tracker redirected to {Printable.Escape(target.OriginalString)}: only http and https are followed");
    }
}
