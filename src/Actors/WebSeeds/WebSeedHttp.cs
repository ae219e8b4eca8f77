using System.Net;
using Akka.Actor;

namespace Swarm.Actors.WebSeeds;

/// <summary>The node's one HTTP client for web seeds: a pooled SocketsHttpHandler shared by every seed of every
/// torrent (connections per server capped), created on first use and disposed with the actor system. Redirects are
/// not followed here: the fetcher follows them itself, to cap them and refuse a change of scheme.</summary>
public sealed class WebSeedHttp : IExtension, IDisposable
{
    private WebSeedHttp(WebSeedSettings settings)
    {
        Client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = settings.MaxConnectionsPerServer,
            ConnectTimeout = settings.ConnectTimeout,
            PooledConnectionIdleTimeout = settings.PooledConnectionIdleTimeout,
            UseCookies = false,
            UseProxy = false,
        })
        {
            // Each round has its own deadline, read from the node's clock.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd("SwarmActors");
    }

    public HttpClient Client { get; }

    /// <summary>The client of <paramref name="system"/> (one node), made with <paramref name="settings"/> the first time.</summary>
    public static WebSeedHttp For(ActorSystem system, WebSeedSettings settings) =>
        (WebSeedHttp)system.RegisterExtension(new Provider(settings));

    public void Dispose() => Client.Dispose();

    private sealed class Provider(WebSeedSettings settings) : ExtensionIdProvider<WebSeedHttp>
    {
        public override WebSeedHttp CreateExtension(ExtendedActorSystem system)
        {
            var http = new WebSeedHttp(settings);
            system.RegisterOnTermination(http.Dispose);
            return http;
        }
    }
}
