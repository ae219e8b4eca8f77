using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Fixtures;

/// <summary>A throwaway PostgreSQL server of the test's own (initdb in a temp folder, loopback, trust auth), which
/// the test can stop and start again. Needs root (it runs the server as the postgres user) and Debian's
/// postgresql package; fails, never skips, when they are missing.</summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly string _bin;
    private readonly string _root;

    private PostgresServer(ITestOutputHelper log, string bin, string root, int port)
    {
        _log = log;
        _bin = bin;
        _root = root;
        Port = port;
    }

    public int Port { get; }

    private string DataDir => Path.Combine(_root, "data");

    public string ConnectionString => $"Host={SwarmCli.Loopback};Port={Port};Username=postgres;Database=swarm;Timeout=5;Command Timeout=10";

    /// <summary>A HOCON file that points swarm's journal at this server.</summary>
    public string WriteSwarmConfig(string folder)
    {
        var file = Path.Combine(folder, "postgres.conf");
        File.WriteAllText(file, $"""
            swarm.journal.provider = "PostgreSQL.15"
            swarm.journal.connection-string = "{ConnectionString}"
            """);
        return file;
    }

    public static async Task<PostgresServer> StartAsync(ITestOutputHelper log)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql; scripts/test.sh does)");
        }

        // Its own folder, owned by postgres: the test's temp folder is private to root.
        var root = Directory.CreateTempSubdirectory("swarm-pg-").FullName;
        await Run(log, "chown", ["postgres:postgres", root]);
        var server = new PostgresServer(log, bin, root, FreePort.Next());
        try
        {
            await server.AsPostgres("initdb", ["-D", server.DataDir, "-A", "trust", "-U", "postgres", "--no-sync"]);
            await server.StartServerAsync();
            await Run(log, "psql", ["-h", SwarmCli.Loopback, "-p", server.Port.ToString(), "-U", "postgres", "-c", "create database swarm"]);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public Task StartServerAsync() =>
        AsPostgres("pg_ctl", ["-D", DataDir, "-l", Path.Combine(_root, "pg.log"), "-w", "-o", $"-p {Port} -c listen_addresses={SwarmCli.Loopback} -k {_root} -c fsync=off", "start"]);

    /// <summary>Fast shutdown: open connections are cut, as when a database server goes away.</summary>
    public Task StopServerAsync() => AsPostgres("pg_ctl", ["-D", DataDir, "-w", "-m", "fast", "stop"]);

    public async ValueTask DisposeAsync()
    {
        await Command.RunAsync("pg_ctl stop", "runuser", ["-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", DataDir, "-w", "-m", "immediate", "stop"], Timeouts.Exit, _log);
        Directory.Delete(_root, recursive: true);
    }

    private Task AsPostgres(string tool, IEnumerable<string> args) =>
        Run(_log, "runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]);

    private static async Task Run(ITestOutputHelper log, string file, IEnumerable<string> args) =>
        (await Command.RunAsync(file, file, args, Timeouts.Start, log)).EnsureSuccess();
}
