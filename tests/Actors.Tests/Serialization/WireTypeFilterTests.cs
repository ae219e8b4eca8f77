using System.Collections.Immutable;
using Swarm.Actors.Clustering;
using Swarm.Actors.Serialization;
using Xunit;

namespace Swarm.Actors.Tests.Serialization;

/// <summary>The filter judges Hyperion's type names as text, in both forms Hyperion asks with.</summary>
public sealed class WireTypeFilterTests
{
    private static readonly WireTypeFilter Filter = WireProtocol.Cluster.Filter;

    [Fact]
    public void Our_types_are_allowed_by_full_and_by_short_name()
    {
        Assert.True(Filter.IsAllowed(typeof(ClusterMessages.GetMetainfo).AssemblyQualifiedName!));
        Assert.True(Filter.IsAllowed("Swarm.Actors.Clustering.ClusterMessages+GetMetainfo, Swarm.Actors"));
        Assert.True(Filter.IsAllowed("System.String, System.Private.CoreLib,%core%"));
    }

    [Fact]
    public void Collections_and_arrays_of_allowed_types_are_allowed_at_any_reasonable_depth()
    {
        Assert.True(Filter.IsAllowed(typeof(ImmutableDictionary<string, MemberHoldings[]>).AssemblyQualifiedName!));
        Assert.True(Filter.IsAllowed(typeof(List<KeyValuePair<string, int?>>).AssemblyQualifiedName!));
        Assert.True(Filter.IsAllowed(typeof(string[][]).AssemblyQualifiedName!));
    }

    [Fact]
    public void Other_types_and_collections_holding_them_are_refused()
    {
        Assert.False(Filter.IsAllowed(typeof(System.Diagnostics.Process).AssemblyQualifiedName!));
        Assert.False(Filter.IsAllowed(typeof(List<System.Diagnostics.Process>).AssemblyQualifiedName!));
        Assert.False(Filter.IsAllowed(typeof(Dictionary<string, object>).AssemblyQualifiedName!));
        Assert.False(Filter.IsAllowed(typeof(Func<string>).AssemblyQualifiedName!));
        Assert.False(Filter.IsAllowed(typeof(int[,]).AssemblyQualifiedName!));
        // Our own name in a foreign assembly is not ours.
        Assert.False(Filter.IsAllowed("Swarm.Actors.Clustering.ClusterMessages+GetMetainfo, Evil"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("System.String")]
    [InlineData("System.Collections.Generic.List`1[[System.String, System.Private.CoreLib], System.Private.CoreLib")]
    [InlineData("System.Collections.Generic.List`1[]], System.Private.CoreLib")]
    [InlineData("System.Collections.Generic.List`1[[System.String, System.Private.CoreLib]]x, System.Private.CoreLib")]
    [InlineData("<>z__ReadOnlyArray`1[[System.Diagnostics.Process, System]], Swarm.Actors")]
    public void Malformed_or_smuggling_names_are_refused(string name) => Assert.False(Filter.IsAllowed(name));

    [Fact]
    public void A_name_nested_deeper_than_any_message_is_refused()
    {
        var name = "System.String, System.Private.CoreLib";
        for (var i = 0; i < 20; i++)
        {
            name = $"System.Collections.Generic.List`1[[{name}]], System.Private.CoreLib";
        }

        Assert.False(Filter.IsAllowed(name));
    }
}
