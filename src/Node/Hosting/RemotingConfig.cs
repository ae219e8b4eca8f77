using System.Net;
using Akka.Actor;
using Akka.Configuration;

namespace Swarm.Node.Hosting;

/// <summary>Where remoting may listen and how it speaks: TLS or plain TCP, the matching Akka scheme for addresses
/// typed as HOST:PORT, and the rule that nothing listens beyond loopback in clear unless an operator said so.</summary>
public static class RemotingConfig
{
    public const string TlsScheme = "akka.ssl.tcp";

    public const string PlainScheme = "akka.tcp";

    public static string Scheme(bool tls) => tls ? TlsScheme : PlainScheme;

    /// <summary>Whether `swarm node` opens a cluster port at all. A node alone on one machine has no one to cluster
    /// with, so it opens none (its only remoting port is the console's); a seed node, a --cluster-port, a cluster
    /// address beyond loopback or TLS settings ask for clustering.</summary>
    public static bool ClusterRequested(Config config, bool clusterPortGiven, bool tls)
    {
        var hostname = config.GetString("swarm.cluster.hostname", "127.0.0.1");
        var beyondLoopback = !IPAddress.TryParse(hostname, out var ip) || !IPAddress.IsLoopback(ip);
        return clusterPortGiven || tls || beyondLoopback || config.GetStringList("swarm.cluster.seed-nodes", []).Count > 0;
    }

    /// <summary>Refuses a cluster address beyond loopback without TLS: anyone who reaches it would be a member, able
    /// to drive every torrent of the cluster. swarm.cluster.insecure = on is the operator saying the network is theirs.</summary>
    public static void EnsureClusterSecured(IPAddress ip, bool tls, bool insecure)
    {
        if (!tls && !insecure && !IPAddress.IsLoopback(ip))
        {
            throw new ArgumentException($"the cluster address {ip} is beyond loopback without TLS, so any machine that reaches it could join and drive this node: set swarm.tls.certificate and swarm.tls.ca (swarm tls init / swarm tls issue), or swarm.cluster.insecure = on for a network that is yours alone");
        }
    }

    /// <summary>The dot-netty transport's TLS switch (the certificate and checks come from <see cref="TlsSettings.Setup"/>).</summary>
    public static string TransportSsl(bool tls) => $"enable-ssl = {(tls ? "on" : "off")}";

    /// <summary>A seed node given as HOST:PORT becomes SCHEME://NAME@HOST:PORT, the scheme this node speaks; a full
    /// address is taken with its scheme made ours (a plain member cannot reach a TLS one, nor the reverse).</summary>
    public static string SeedAddress(string systemName, string seed, bool tls)
    {
        if (seed.Contains("://", StringComparison.Ordinal))
        {
            Address address;
            try
            {
                address = Address.Parse(seed);
            }
            catch (Exception e) when (e is UriFormatException or ArgumentException)
            {
                throw new ArgumentException($"seed node '{seed}' is not an Akka address: {e.Message}");
            }

            if (address.Protocol is not (TlsScheme or PlainScheme))
            {
                throw new ArgumentException($"seed node '{seed}': this node speaks {Scheme(tls)}, not {address.Protocol}");
            }

            return new Address(Scheme(tls), address.System, address.Host, address.Port).ToString();
        }

        return HostPort.TryParse(seed, out var host, out var port)
            ? $"{Scheme(tls)}://{systemName}@{host}:{port}"
            : throw new ArgumentException($"seed node '{seed}' is not HOST:PORT or {Scheme(tls)}://{systemName}@HOST:PORT");
    }
}
