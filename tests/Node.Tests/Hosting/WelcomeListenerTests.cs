using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Swarm.Node.Hosting;
using Xunit;

namespace Swarm.Node.Tests.Hosting;

/// <summary>When `swarm node` takes a removed member for one that got in (and restarts it) rather than one its seeds
/// refused (and exits): as soon as it is in the membership, before it is up.</summary>
public sealed class WelcomeListenerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_member_still_joining_counts_as_welcomed()
    {
        // Two members needed before the leader moves anyone up: alone, this member stays joining.
        var config = ConfigurationFactory.ParseString("""
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.cluster.min-nr-of-members = 2
            """);
        using var system = ActorSystem.Create("welcome", config);
        var cluster = Cluster.Get(system);
        var welcomed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new WelcomeListener(welcomed)), "membership-welcome");
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        Assert.False(welcomed.Task.IsCompleted);

        cluster.Join(cluster.SelfAddress);
        await welcomed.Task.WaitAsync(Bound);

        // Cluster.State follows the same events in an actor of its own: wait (bounded) for it to list this member.
        var self = await SelfInStateAsync(cluster);
        Assert.Equal(MemberStatus.Joining, self.Status);
        Assert.False(up.Task.IsCompleted);
        await system.Terminate();
    }

    private static async Task<Member> SelfInStateAsync(Cluster cluster)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (true)
        {
            if (cluster.State.Members.FirstOrDefault(m => m.UniqueAddress.Equals(cluster.SelfUniqueAddress)) is { } self)
            {
                return self;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), timeout.Token);
        }
    }
}
