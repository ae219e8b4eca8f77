using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Swarm.Actors;
using Swarm.Actors.Clustering;
using Swarm.Actors.Configuration;

namespace Swarm.Node.Hosting;

/// <summary>What a `swarm node` adds to its configuration and event stream when it is a cluster member.</summary>
public sealed partial class SwarmNode
{
    /// <summary>Remoting and cluster HOCON for this member; refuses an unsecured non-loopback cluster and a taken port
    /// before any actor starts.</summary>
    private static Config ClusterConfig(ClusterSettings cluster, long frameSize, bool tls, bool insecure)
    {
        if (!IPAddress.TryParse(cluster.Hostname, out var ip))
        {
            throw new ArgumentException($"swarm.cluster.hostname '{cluster.Hostname}' must be an IP address (members address each other by it)");
        }

        RemotingConfig.EnsureClusterSecured(ip, tls, insecure);
        PortCheck.EnsureFree(ip, cluster.Port, "cluster");

        var seeds = cluster.SeedNodes.Select(s => RemotingConfig.SeedAddress(cluster.Name, s, tls)).ToList();
        return ConfigurationFactory.ParseString($$"""
            akka {
              actor.provider = cluster
              remote.dot-netty.tcp {
                hostname = "{{cluster.Hostname}}"
                port = {{cluster.Port}}
                {{RemotingConfig.TransportSsl(tls)}}
                # Default 128000 bytes: larger messages (metainfo of big torrents, gossip of many torrents) are dropped.
                maximum-frame-size = {{frameSize}}b
              }
              cluster.seed-nodes = [{{string.Join(", ", seeds.Select(SwarmConfiguration.Quote))}}]
            }
            """);
    }
}

/// <summary>Hands <see cref="ClusterMessages.MembershipRefused"/> from the event stream to the host.</summary>
internal sealed class RefusalListener : HandlerActor
{
    public RefusalListener(TaskCompletionSource<string> refused) =>
        Receive<ClusterMessages.MembershipRefused>(m => refused.TrySetResult(m.Reason));
}
