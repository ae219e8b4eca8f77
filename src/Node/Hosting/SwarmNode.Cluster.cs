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

/// <summary>Completes <paramref name="welcomed"/> once this member is in the cluster's membership (joining, weakly up or
/// up): the seeds let it in, so a later removal is one to rejoin after, not a refusal to give up on.</summary>
/// <remarks>Not "up": a member frozen or cut off between its welcome and the gossip that makes it up (seconds on a
/// loaded machine) is removed like any other and must restart, while a node whose seeds refuse it (TLS, another cluster
/// name) never appears in the membership at all.</remarks>
internal sealed class WelcomeListener : HandlerActor
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);

    public WelcomeListener(TaskCompletionSource welcomed) =>
        Receive<Akka.Cluster.ClusterEvent.IMemberEvent>(
            _ =>
            {
                welcomed.TrySetResult();
                Context.Stop(Self);
            },
            e => e.Member.UniqueAddress.Equals(_cluster.SelfUniqueAddress) && e.Member.Status != Akka.Cluster.MemberStatus.Removed);

    protected override void PreStart() =>
        _cluster.Subscribe(Self, Akka.Cluster.ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(Akka.Cluster.ClusterEvent.IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);
}
