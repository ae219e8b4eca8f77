using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using Swarm.Actors.Serialization;

namespace Swarm.Actors.Tests.Serialization;

/// <summary>A filled-in instance of any wire type, built by reflection, so that every message record (a new one too)
/// gets a sample with every field set: each collection holds one element, each nullable a value.</summary>
public static class WireSamples
{
    public static object For(Type type, WireProtocol protocol) => Build(type, protocol, depth: 0);

    private static object Build(Type type, WireProtocol protocol, int depth)
    {
        if (depth > 16)
        {
            throw new InvalidOperationException($"sample of {type} nests too deep");
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Build(underlying, protocol, depth + 1);
        }

        if (type == typeof(string))
        {
            return "s-" + depth;
        }

        if (type == typeof(Protocol.InfoHash))
        {
            // Twenty bytes, or it is no info-hash (its own invariant).
            return new Protocol.InfoHash(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray());
        }

        if (type == typeof(Protocol.Trackers.TrackerServerPeers))
        {
            // Wire-form peers keep their own invariant (whole 6/18-byte entries, one id each): one IPv4 and one IPv6.
            byte[] v4 = [127, 0, 0, 1, 0x1A, 0xE1];
            byte[] v6 = [.. System.Net.IPAddress.IPv6Loopback.GetAddressBytes(), 0x1A, 0xE2];
            return new Protocol.Trackers.TrackerServerPeers(v4, v6, [.. Enumerable.Range(1, 40).Select(i => (byte)i)]);
        }

        if (type == typeof(bool))
        {
            return true;
        }

        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return values.GetValue(values.Length - 1)!;
        }

        if (type == typeof(DateTime))
        {
            return new DateTime(2026, 11, 29, 21, 0, 0, DateTimeKind.Utc);
        }

        if (type == typeof(DateTimeOffset))
        {
            return new DateTimeOffset(2026, 11, 29, 21, 0, 0, TimeSpan.Zero);
        }

        if (type == typeof(TimeSpan))
        {
            return TimeSpan.FromSeconds(7);
        }

        if (type == typeof(Guid))
        {
            return Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        }

        if (type.IsPrimitive || type == typeof(decimal))
        {
            return Convert.ChangeType(7, type, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            var array = Array.CreateInstance(element, 1);
            array.SetValue(Build(element, protocol, depth + 1), 0);
            return array;
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var args = type.GetGenericArguments();
            if (definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>))
            {
                var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(args))!;
                dictionary.Add(Build(args[0], protocol, depth + 1), Build(args[1], protocol, depth + 1));
                return dictionary;
            }

            if (definition == typeof(ImmutableSortedSet<>) || definition == typeof(ImmutableHashSet<>))
            {
                var one = Array.CreateInstance(args[0], 1);
                one.SetValue(Build(args[0], protocol, depth + 1), 0);
                var factory = definition == typeof(ImmutableSortedSet<>) ? typeof(ImmutableSortedSet) : typeof(ImmutableHashSet);
                var create = factory.GetMethods().Single(m => m.Name == "Create" && m.GetParameters() is [{ ParameterType.IsArray: true }]);
                return create.MakeGenericMethod(args).Invoke(null, [one])!;
            }

            if (definition == typeof(ImmutableDictionary<,>))
            {
                var method = typeof(ImmutableDictionary).GetMethods().Single(m => m.Name == nameof(ImmutableDictionary.CreateRange) && m.GetParameters().Length == 1);
                var pair = Activator.CreateInstance(typeof(KeyValuePair<,>).MakeGenericType(args), Build(args[0], protocol, depth + 1), Build(args[1], protocol, depth + 1))!;
                var pairs = Array.CreateInstance(pair.GetType(), 1);
                pairs.SetValue(pair, 0);
                return method.MakeGenericMethod(args).Invoke(null, [pairs])!;
            }

            if (definition == typeof(ImmutableArray<>))
            {
                var one = Array.CreateInstance(args[0], 1);
                one.SetValue(Build(args[0], protocol, depth + 1), 0);
                var create = typeof(ImmutableArray).GetMethods().Single(m => m.Name == nameof(ImmutableArray.Create) && m.GetParameters() is [{ ParameterType.IsArray: true }]);
                return create.MakeGenericMethod(args).Invoke(null, [one])!;
            }

            if (definition == typeof(IReadOnlyList<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(IEnumerable<>) || definition == typeof(IList<>) || definition == typeof(List<>))
            {
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(args))!;
                list.Add(Build(args[0], protocol, depth + 1));
                return list;
            }

            if (type.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
            {
                return Activator.CreateInstance(type, [.. args.Select(a => Build(a, protocol, depth + 1))])!;
            }
        }

        if (type.IsInterface || type.IsAbstract)
        {
            var implementation = protocol.Types.Where(t => !t.IsArray && type.IsAssignableFrom(t)).OrderBy(t => t.FullName, StringComparer.Ordinal).First();
            return Build(implementation, protocol, depth + 1);
        }

        var constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .Where(c => c.GetParameters().All(p => !p.ParameterType.IsByRefLike && !p.ParameterType.IsPointer))
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault();
        if (constructor is not null && (constructor.GetParameters().Length > 0 || type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Length == 0))
        {
            return constructor.Invoke([.. constructor.GetParameters().Select(p => Build(p.ParameterType, protocol, depth + 1))]);
        }

        // No constructor that takes every field (a state type made by its own factories): its fields are set directly.
        var instance = RuntimeHelpers.GetUninitializedObject(type);
        for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                field.SetValue(instance, Build(field.FieldType, protocol, depth + 1));
            }
        }

        return instance;
    }
}
