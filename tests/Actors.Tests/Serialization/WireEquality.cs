using System.Collections;
using System.Reflection;
using Xunit;

namespace Swarm.Actors.Tests.Serialization;

/// <summary>Field-by-field equality of a message and its round trip (records compare arrays by reference, and some of
/// our types have no JSON form).</summary>
public static class WireEquality
{
    public static void AssertSame(object? expected, object? actual, string path = "message")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: {expected ?? "null"} became {actual ?? "null"}");
            return;
        }

        var type = expected.GetType();
        Assert.True(type == actual.GetType(), $"{path}: {type} became {actual.GetType()}");
        if (type.IsPrimitive || type.IsEnum || expected is string or decimal or DateTime or DateTimeOffset or TimeSpan or Guid)
        {
            Assert.True(expected.Equals(actual), $"{path}: {expected} became {actual}");
            return;
        }

        if (expected is IEnumerable sequence)
        {
            var left = sequence.Cast<object?>().ToList();
            var right = ((IEnumerable)actual).Cast<object?>().ToList();
            Assert.True(left.Count == right.Count, $"{path}: {left.Count} elements became {right.Count}");
            for (var i = 0; i < left.Count; i++)
            {
                AssertSame(left[i], right[i], $"{path}[{i}]");
            }

            return;
        }

        for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                AssertSame(field.GetValue(expected), field.GetValue(actual), $"{path}.{field.Name}");
            }
        }
    }
}
