using System.Data.Common;
using System.Runtime.CompilerServices;
using Npgsql;

namespace Swarm.Actors.Persistence;

/// <summary>Footprint (issue 14): the only place that names Npgsql's types. A method that names a type in any branch
/// loads that type's assembly when it is compiled or its ReadyToRun code is prepared, so the SQLite-or-PostgreSQL
/// choices (<c>JournalStore</c>, <see cref="JournalPrefetch"/>) loaded Npgsql (and its dependencies) into every
/// process, a `swarm get` on SQLite included. Behind these calls, which are never inlined, it loads only when a
/// PostgreSQL store is used.</summary>
public static class PostgreSqlConnections
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static DbConnection Create(string connectionString) => new NpgsqlConnection(connectionString);

    /// <summary>"host:port/database" of a connection string, for messages.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{b.Host}:{b.Port}/{b.Database}";
    }
}
