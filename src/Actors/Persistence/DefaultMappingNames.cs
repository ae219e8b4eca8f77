using Akka.Configuration;

namespace Swarm.Actors.Persistence;

/// <summary>Names of Akka.Persistence.Sql's default table mapping, quoted for SQL: the bulk read
/// (<see cref="JournalPrefetch"/>) and the plain writer (<see cref="SqliteJournalRows"/>) name the plugin's tables
/// and columns the same way.</summary>
internal static class DefaultMappingNames
{
    /// <summary>The mapping's <paramref name="table"/> (<c>journal</c>, <c>snapshot</c>), in its schema when one is set.</summary>
    public static string Table(Config mapping, string table)
    {
        var schema = mapping.GetString("schema-name", null);
        var name = Quote(mapping.GetString($"{table}.table-name"));
        return string.IsNullOrEmpty(schema) ? name : $"{Quote(schema)}.{name}";
    }

    /// <summary>The column the mapping names for <paramref name="key"/> in <paramref name="table"/>.</summary>
    public static string Column(Config mapping, string table, string key) => Quote(mapping.GetString($"{table}.columns.{key}"));

    private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
