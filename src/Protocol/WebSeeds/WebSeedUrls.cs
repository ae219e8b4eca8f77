using System.Text;
using Swarm.Protocol.Metainfo;

namespace Swarm.Protocol.WebSeeds;

/// <summary>BEP 19's mapping from a web seed URL to the URL of one file of the torrent. A single-file torrent: the URL
/// is the file itself, unless it ends in '/', then it is the folder holding a file of the torrent's name. A multi-file
/// torrent: the URL is the folder above the torrent's folder: URL/name/path. Each path component is percent-encoded
/// (UTF-8) on its own, so spaces, '#', '?', '%' and non-ASCII names reach the server as one path segment each.</summary>
public static class WebSeedUrls
{
    public static string FileUrl(string seedUrl, TorrentMetainfo meta, TorrentFile file)
    {
        if (!meta.IsMultiFile)
        {
            return seedUrl.EndsWith('/') ? seedUrl + Escape(meta.Name) : seedUrl;
        }

        var url = new StringBuilder(seedUrl);
        if (!seedUrl.EndsWith('/'))
        {
            // libtorrent and BEP 19's examples: a multi-file seed URL names a folder, with or without its slash.
            url.Append('/');
        }

        url.Append(Escape(meta.Name));
        foreach (var component in file.Path)
        {
            url.Append('/').Append(Escape(component));
        }

        return url.ToString();
    }

    /// <summary>One path segment, percent-encoded except RFC 3986's unreserved characters.</summary>
    public static string Escape(string component) => Uri.EscapeDataString(component);
}
