using System.Collections.Immutable;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Swarm.Actors.Clustering;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Actors.Serialization;
using Swarm.Actors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Serialization;

/// <summary>A test's own type, as a foreign system would send it.</summary>
public sealed record ForeignCommand(string Run);

/// <summary>A foreign record that claims to be a console command.</summary>
public sealed record SmuggledCommand(string Run) : ConsoleMessages.IConsoleCommand;

public sealed class WireSerializerTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    public static TheoryData<string> ClusterMessages => [.. WireProtocol.Cluster.Messages.Select(t => t.AssemblyQualifiedName!)];

    public static TheoryData<string> ConsoleMessages => [.. WireProtocol.Console.Messages.Select(t => t.AssemblyQualifiedName!)];

    [Fact]
    public void The_hocon_binds_every_message_to_the_cluster_wire_serializer()
    {
        Assert.IsType<ClusterWireSerializer>(Sys.Serialization.FindSerializerFor(new ClusterMessages.GetMetainfo("ab")));
        Assert.IsType<ClusterWireSerializer>(Sys.Serialization.FindSerializerFor(new ForeignCommand("x")));
    }

    [Theory]
    [MemberData(nameof(ClusterMessages))]
    public void Every_data_record_of_our_message_classes_round_trips_between_members(string typeName)
    {
        var type = Type.GetType(typeName, throwOnError: true)!;
        var serializer = Sys.Serialization.FindSerializerFor(WireSamples.For(type, WireProtocol.Cluster));
        AssertRoundTrips(serializer, WireSamples.For(type, WireProtocol.Cluster));
    }

    /// <summary>Issue 14: Akka's JSON serializer is made at its first message, with JSON's identifier.</summary>
    [Fact]
    public void Json_is_made_at_the_first_message_and_keeps_its_identity()
    {
        var json = new DeferredJsonSerializer((ExtendedActorSystem)Sys);
        Assert.False(json.Started);
        Assert.Equal(new NewtonSoftJsonSerializer((ExtendedActorSystem)Sys).Identifier, json.Identifier);
        var bytes = json.ToBinary(new ForeignCommand("x"));
        Assert.True(json.Started);
        // Read back by whatever the system has under JSON's identifier (this one, from hocon/swarm.conf).
        Assert.Equal(new ForeignCommand("x"), Sys.Serialization.Deserialize(bytes, json.Identifier, typeof(ForeignCommand)));
    }

    /// <summary>Issue 14: Hyperion is made at the first message, not with every actor system; on the wire the
    /// serializer is still Hyperion (its identifier, no manifest).</summary>
    [Fact]
    public void Hyperion_is_made_at_the_first_message_and_keeps_its_identity()
    {
        var wire = new ClusterWireSerializer((ExtendedActorSystem)Sys);
        Assert.False(wire.HyperionStarted);
        var hyperion = new HyperionSerializer((ExtendedActorSystem)Sys);
        Assert.Equal(hyperion.Identifier, wire.Identifier);
        Assert.Equal(hyperion.IncludeManifest, wire.IncludeManifest);

        var message = new ClusterMessages.GetMetainfo("ab");
        var bytes = wire.ToBinary(message);
        Assert.True(wire.HyperionStarted);
        Assert.Equal(message, hyperion.FromBinary(bytes, typeof(ClusterMessages.GetMetainfo)));
    }

    [Theory]
    [MemberData(nameof(ConsoleMessages))]
    public void Every_console_record_round_trips_between_console_and_node(string typeName)
    {
        var type = Type.GetType(typeName, throwOnError: true)!;
        AssertRoundTrips(new ConsoleWireSerializer((ExtendedActorSystem)Sys), WireSamples.For(type, WireProtocol.Console));
    }

    [Fact]
    public void The_lists_hold_the_messages_that_cross_and_leave_out_those_that_cannot()
    {
        var cluster = WireProtocol.Cluster;
        // Asked of other members, and gossiped through Distributed Data.
        Assert.Contains(typeof(ClusterMessages.GetMetainfo), cluster.Messages);
        Assert.Contains(typeof(ClusterMessages.MetainfoFound), cluster.Messages);
        Assert.Contains(typeof(ClusterMessages.SearchMember), cluster.Messages);
        Assert.Contains(typeof(ClusterMessages.MemberHits), cluster.Messages);
        Assert.Contains(typeof(MemberHoldings), cluster.Messages);
        Assert.Contains(typeof(TorrentHolding), cluster.Types);
        // The console's protocol is all there, and nothing of the cluster's is open to consoles.
        Assert.Contains(typeof(ConsoleMessages.ConsoleRequest), WireProtocol.Console.Messages);
        Assert.Equal(WireProtocol.Records(typeof(ConsoleMessages)).Count(), WireProtocol.Console.Messages.Length);
        Assert.DoesNotContain(typeof(ClusterMessages.GetMetainfo), WireProtocol.Console.Types);
        Assert.DoesNotContain(typeof(MemberHoldings), WireProtocol.Console.Types);
        // Local records (actor references, sockets, callbacks) are named with the field that keeps them local.
        foreach (var (name, why) in cluster.LocalOnly)
        {
            Output!.WriteLine($"local only: {name}: {why}");
        }

        Assert.NotEmpty(cluster.LocalOnly);
        Assert.All(cluster.LocalOnly.Keys, name => Assert.DoesNotContain(cluster.Messages, t => t.FullName == name));
    }

    [Fact]
    public void A_foreign_record_is_refused_on_the_way_in_and_never_sent()
    {
        var wire = (WireSerializer)Sys.Serialization.FindSerializerFor(new ClusterMessages.GetMetainfo("ab"));
        var bytes = Unfiltered().ToBinary(new ForeignCommand("rm -rf /"));

        var e = Assert.Throws<SerializationException>(() => wire.FromBinary(bytes, typeof(object)));
        Assert.Contains("refused a message holding Swarm.Actors.Tests.Serialization.ForeignCommand, Swarm.Actors.Tests", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a type of swarm's cluster protocol", e.Message, StringComparison.Ordinal);
        Assert.Throws<SerializationException>(() => wire.ToBinary(new ForeignCommand("x")));
    }

    [Fact]
    public void A_foreign_type_inside_one_of_our_messages_is_refused()
    {
        var console = new ConsoleWireSerializer((ExtendedActorSystem)Sys);
        var bytes = Unfiltered().ToBinary(new ConsoleMessages.ConsoleRequest("secret", new SmuggledCommand("/bin/sh")));

        var e = Assert.Throws<SerializationException>(() => console.FromBinary(bytes, typeof(object)));
        Assert.Contains("SmuggledCommand", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hyperions_unsafe_types_are_refused()
    {
        var wire = (WireSerializer)Sys.Serialization.FindSerializerFor(new ClusterMessages.GetMetainfo("ab"));
        var e = Assert.Throws<SerializationException>(() => wire.FromBinary(Unfiltered().ToBinary(new FileInfo("/etc/passwd")), typeof(object)));
        Assert.Contains("System.IO.FileInfo", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_console_port_refuses_what_only_members_say()
    {
        var console = new ConsoleWireSerializer((ExtendedActorSystem)Sys);
        var bytes = Unfiltered().ToBinary(new ClusterMessages.GetMetainfo("ab"));

        var e = Assert.Throws<SerializationException>(() => console.FromBinary(bytes, typeof(object)));
        Assert.Contains("ClusterMessages+GetMetainfo", e.Message, StringComparison.Ordinal);
        Assert.Contains("console protocol", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Collections_our_code_builds_cross_in_every_form()
    {
        var wire = Sys.Serialization.FindSerializerFor(new ClusterMessages.GetMetainfo("ab"));
        string[] words = ["a", "b"];
        IReadOnlyList<string> expression = [.. words];
        IReadOnlyList<string> literal = ["a", "b"];
        AssertRoundTrips(wire, new ClusterMessages.SearchMember(expression));
        AssertRoundTrips(wire, new ClusterMessages.SearchMember(literal));
        AssertRoundTrips(wire, new ClusterMessages.SearchMember(words.ToImmutableArray()));
        AssertRoundTrips(wire, new ClusterMessages.SearchMember(words.ToImmutableList()));
        AssertRoundTrips(wire, new ClusterMessages.SearchMember([]));
        AssertRoundTrips(wire, new ClusterMessages.ClusterView("me", [], ImmutableDictionary<string, int>.Empty.Add("ab", 3)));
    }

    /// <summary>Hyperion as a foreign system runs it: any type, unsafe ones too.</summary>
    private HyperionSerializer Unfiltered() => new((ExtendedActorSystem)Sys, HyperionSerializerSettings.Default.WithDisallowUnsafeType(false));

    private static void AssertRoundTrips(Serializer serializer, object message)
    {
        var back = serializer.FromBinary(serializer.ToBinary(message), message.GetType());
        WireEquality.AssertSame(message, back);
    }
}
