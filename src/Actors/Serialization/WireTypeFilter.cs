using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Hyperion;

namespace Swarm.Actors.Serialization;

/// <summary>Hyperion's type filter for one port: a type name is allowed when it names one of the port's types, an
/// array of an allowed type, or one of the known generic collections closed over allowed types. Hyperion asks with
/// the full assembly-qualified name when it writes and with its own short form (no version, <c>,%core%</c> for the
/// core library) when it reads, and its own <c>TypeFilterBuilder</c> compares only the short form, which refuses
/// every message on the way out; both forms are compared here without versions. The name is judged as text: a
/// refused type is never loaded.</summary>
public sealed partial class WireTypeFilter : ITypeFilter
{
    private readonly ImmutableHashSet<string> _types;
    private readonly ImmutableHashSet<string> _definitions;

    public WireTypeFilter(IEnumerable<Type> types, IEnumerable<Type> genericDefinitions)
    {
        _types = [.. types.Select(t => Normalize(t.AssemblyQualifiedName!)), .. Leaves.Concat(Containers).Select(t => Normalize(t.AssemblyQualifiedName!))];
        _definitions = [.. genericDefinitions.Select(t => Normalize(t.AssemblyQualifiedName!))];
    }

    /// <summary>Leaf types: Hyperion writes them by value, but by name inside a collection typed as an interface.</summary>
    internal static readonly ImmutableHashSet<Type> Leaves =
    [
        typeof(bool), typeof(byte), typeof(sbyte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long),
        typeof(ulong), typeof(char), typeof(float), typeof(double), typeof(decimal), typeof(string), typeof(Guid),
        typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan),
    ];

    /// <summary>How Hyperion writes the entries of a dictionary; key and value are checked by their own names.</summary>
    private static readonly Type[] Containers = [typeof(System.Collections.DictionaryEntry)];

    public bool IsAllowed(string typeName) => Allowed(Normalize(typeName), depth: 0);

    /// <summary>The name without assembly versions, cultures, key tokens and Hyperion's core marker.</summary>
    public static string Normalize(string typeName) => Qualifiers().Replace(typeName.Replace(",%core%", string.Empty, StringComparison.Ordinal), string.Empty);

    private bool Allowed(string name, int depth)
    {
        // Our deepest legitimate name nests a collection in a collection; a name nested deeper is an attack on the parser.
        if (depth > 8 || name.Length > 4096)
        {
            return false;
        }

        if (_types.Contains(name))
        {
            return true;
        }

        var comma = TopLevelComma(name);
        if (comma < 0)
        {
            return false;
        }

        var typePart = name[..comma];
        var assembly = name[(comma + 1)..].Trim();
        if (typePart.EndsWith("[]", StringComparison.Ordinal))
        {
            return Allowed($"{typePart[..^2]}, {assembly}", depth + 1);
        }

        var open = typePart.IndexOf('[', StringComparison.Ordinal);
        if (open < 0 || !typePart.EndsWith(']'))
        {
            return false;
        }

        if (!_definitions.Contains($"{typePart[..open]}, {assembly}") && !IsSynthesizedWrapper(typePart[..open], assembly))
        {
            return false;
        }

        var arguments = Arguments(typePart[(open + 1)..^1]);
        return arguments is not null && arguments.Count > 0 && arguments.All(a => Allowed(a, depth + 1));
    }

    /// <summary>The compiler's read-only wrappers (<c>&lt;&gt;z__ReadOnlyArray&lt;T&gt;</c> …) that a collection
    /// expression of our code puts behind an <c>IReadOnlyList&lt;T&gt;</c>: each holds an array, a list or one
    /// element, and is emitted into the assembly of the code that builds the message.</summary>
    private static bool IsSynthesizedWrapper(string definition, string assembly) =>
        definition.StartsWith("<>z__ReadOnly", StringComparison.Ordinal) && assembly.StartsWith("swarm", StringComparison.OrdinalIgnoreCase);

    /// <summary>The index of the comma that separates the type from its assembly (outside any brackets).</summary>
    private static int TopLevelComma(string name)
    {
        var depth = 0;
        for (var i = 0; i < name.Length; i++)
        {
            switch (name[i])
            {
                case '[': depth++; break;
                case ']': depth--; break;
                case ',' when depth == 0: return i;
            }
        }

        return -1;
    }

    /// <summary>"[A, Asm],[B, Asm]" → the names inside the brackets; null when the brackets do not balance.</summary>
    private static List<string>? Arguments(string list)
    {
        var result = new List<string>();
        var depth = 0;
        var start = -1;
        for (var i = 0; i < list.Length; i++)
        {
            switch (list[i])
            {
                case '[':
                    if (depth++ == 0)
                    {
                        start = i + 1;
                    }

                    break;
                case ']':
                    if (--depth == 0)
                    {
                        result.Add(list[start..i].Trim());
                    }
                    else if (depth < 0)
                    {
                        return null;
                    }

                    break;
                case ',' when depth == 0:
                    break;
                default:
                    if (depth == 0 && !char.IsWhiteSpace(list[i]))
                    {
                        return null;
                    }

                    break;
            }
        }

        return depth == 0 ? result : null;
    }

    [GeneratedRegex(@"(, Version=[\d\.]+)?(, Culture=[^,\] \t]+)?(, PublicKeyToken=(null|[\da-f]+))?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Qualifiers();
}
