using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Swarm.Actors.Serialization;

/// <summary>The types one remoting port may deserialize, found by reflection over our message classes, so that a new
/// message cannot be forgotten: every sealed record nested in a <c>*Messages</c> class whose fields hold plain data
/// only (numbers, strings, enums, byte arrays, our own records, the BCL's collections of those). A record that holds
/// anything else (an actor reference, a socket, a delegate, an object) is local to the node and stays off the list.
/// Hyperion writes the CLR name of every object it serializes and reads it back before it creates anything; this list
/// is what it may accept (<see cref="WireTypeFilter"/>).</summary>
public sealed class WireProtocol
{
    /// <summary>Generic collections (and the interfaces our records declare them by) whose closed forms are data when
    /// their arguments are: a record field typed <c>IReadOnlyList&lt;string&gt;</c> may arrive as any of them.</summary>
    private static readonly ImmutableHashSet<Type> Collections =
    [
        typeof(IEnumerable<>), typeof(IReadOnlyList<>), typeof(IReadOnlyCollection<>), typeof(IList<>), typeof(ICollection<>),
        typeof(IReadOnlyDictionary<,>), typeof(IDictionary<,>), typeof(IReadOnlySet<>), typeof(ISet<>),
        typeof(List<>), typeof(Dictionary<,>), typeof(HashSet<>), typeof(SortedDictionary<,>), typeof(SortedSet<>),
        typeof(KeyValuePair<,>), typeof(Nullable<>),
        typeof(ImmutableArray<>), typeof(ImmutableList<>), typeof(ImmutableDictionary<,>), typeof(ImmutableHashSet<>),
        typeof(ImmutableSortedDictionary<,>), typeof(ImmutableSortedSet<>),
        typeof(ValueTuple<,>), typeof(ValueTuple<,,>), typeof(ValueTuple<,,,>),
    ];

    private static readonly Assembly[] Ours = [typeof(WireProtocol).Assembly, typeof(Protocol.InfoHash).Assembly];

    private readonly Dictionary<Type, string?> _verdicts = [];

    private WireProtocol(IEnumerable<Type> candidates)
    {
        var roots = candidates.Distinct().ToList();
        var messages = new List<Type>();
        foreach (var root in roots)
        {
            if (Verdict(root) is null)
            {
                messages.Add(root);
            }
        }

        Messages = [.. messages.OrderBy(t => t.FullName, StringComparer.Ordinal)];
        Types = [.. _verdicts.Where(kv => kv.Value is null && IsConcrete(kv.Key)).Select(kv => kv.Key)];
        LocalOnly = _verdicts.Where(kv => kv.Value is not null && roots.Contains(kv.Key))
            .ToImmutableSortedDictionary(kv => kv.Key.FullName!, kv => kv.Value!, StringComparer.Ordinal);
        Filter = new WireTypeFilter(Types, [.. Collections]);
    }

    // Built on first use, not with the type: every actor system creates its serializers at start, and the reflection
    // over every message record cost a `get`/`seed` (which never sends a message over the wire) ~0.14 s of CPU.
    private static readonly Lazy<WireProtocol> LazyCluster = new(() => new(MessageClasses().SelectMany(Records).Concat(ReplicatedValues())));
    private static readonly Lazy<WireProtocol> LazyConsole = new(() => new(Records(typeof(ConsoleEndpoint.ConsoleMessages))));

    /// <summary>What cluster members say to each other (gossip values, metainfo and search asks, and every other data
    /// message of ours, which members may send when a feature starts to).</summary>
    public static WireProtocol Cluster => LazyCluster.Value;

    /// <summary>What a console and a node's console endpoint say to each other: the console protocol alone.</summary>
    public static WireProtocol Console => LazyConsole.Value;

    /// <summary>The message records that may cross this port.</summary>
    public ImmutableArray<Type> Messages { get; }

    /// <summary>Every concrete type a message of this port may contain, the messages included.</summary>
    public ImmutableHashSet<Type> Types { get; }

    /// <summary>Message records kept off the wire, with the field that keeps them local.</summary>
    public ImmutableSortedDictionary<string, string> LocalOnly { get; }

    /// <summary>The filter Hyperion consults for every type name it reads or writes.</summary>
    public WireTypeFilter Filter { get; }

    /// <summary>Every <c>public static class *Messages</c> of the actors assembly.</summary>
    public static IEnumerable<Type> MessageClasses() =>
        typeof(WireProtocol).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: true, IsSealed: true, IsPublic: true } && t.Name.EndsWith("Messages", StringComparison.Ordinal))
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

    /// <summary>What members gossip through Distributed Data: the type arguments of every key our actors declare
    /// (<c>LWWDictionaryKey&lt;string, MemberHoldings&gt;</c>). Akka serializes the replicated structures; their
    /// values are ours, and go through this serializer.</summary>
    public static IEnumerable<Type> ReplicatedValues() =>
        typeof(WireProtocol).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(f => typeof(Akka.DistributedData.IKey).IsAssignableFrom(f.FieldType))
            .SelectMany(f => f.FieldType.GetGenericArguments())
            .Where(t => !WireTypeFilter.Leaves.Contains(t))
            .Distinct();

    /// <summary>The sealed records nested in a messages class.</summary>
    public static IEnumerable<Type> Records(Type messagesClass) =>
        messagesClass.GetNestedTypes(BindingFlags.Public).Where(t => t.IsSealed && t.GetMethod("<Clone>$") is not null);

    private static bool IsConcrete(Type t) => !t.IsInterface && !t.IsAbstract && !t.IsGenericTypeDefinition;

    /// <summary>Null when <paramref name="type"/> holds plain data only; otherwise why not.</summary>
    private string? Verdict(Type type)
    {
        if (_verdicts.TryGetValue(type, out var known))
        {
            return known;
        }

        // A record that refers to itself (through a field) is data if the rest of it is.
        _verdicts[type] = null;
        var verdict = Judge(type);
        _verdicts[type] = verdict;
        return verdict;
    }

    private string? Judge(Type type)
    {
        if (WireTypeFilter.Leaves.Contains(type) || type.IsEnum)
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetArrayRank() == 1 ? Verdict(type.GetElementType()!) : $"{type}: a multi-dimensional array";
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            if (Collections.Contains(definition))
            {
                return type.GetGenericArguments().Select(Verdict).FirstOrDefault(v => v is not null);
            }

            if (!Ours.Contains(type.Assembly))
            {
                return $"{type}: not a data type";
            }
        }

        if (!Ours.Contains(type.Assembly) || typeof(Delegate).IsAssignableFrom(type))
        {
            return $"{type}: not a data type";
        }

        if (type.IsInterface || type.IsAbstract)
        {
            // Whatever implements it may arrive: each data implementation is allowed, the others are refused.
            foreach (var implementation in Ours.SelectMany(a => a.GetTypes()).Where(t => IsConcrete(t) && type.IsAssignableFrom(t)))
            {
                Verdict(implementation);
            }

            return null;
        }

        for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.IsDefined(typeof(CompilerGeneratedAttribute)) && field.FieldType == typeof(Type))
                {
                    continue;
                }

                if (Verdict(field.FieldType) is { } why)
                {
                    return $"{Shorten(field.Name)} ({why})";
                }
            }
        }

        return null;
    }

    /// <summary>A record's property name rather than its backing field's.</summary>
    private static string Shorten(string field) =>
        field.StartsWith('<') && field.IndexOf('>', StringComparison.Ordinal) is > 1 and var end ? field[1..end] : field;
}
