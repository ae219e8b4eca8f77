using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Swarm.Actors.Tests.Support;

/// <summary>A throwaway PostgreSQL server for one test class (initdb in a temp folder, loopback, trust auth), for the
/// journal tests that must hold on PostgreSQL as on SQLite. Needs root (the server runs as the postgres user) and
/// Debian's postgresql package; fails, never skips, when they are missing.</summary>
public sealed class PostgresFixture : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private readonly string _bin;
    private readonly string _root;

    public PostgresFixture()
    {
        _bin = (Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [])
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderDescending()
            .FirstOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)");
        _root = Directory.CreateTempSubdirectory("swarm-pg-").FullName;
        Run("chown", "postgres:postgres", _root);
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        try
        {
            AsPostgres("initdb", "-D", DataDir, "-A", "trust", "-U", "postgres", "--no-sync");
            AsPostgres("pg_ctl", "-D", DataDir, "-l", Path.Combine(_root, "pg.log"), "-w", "-o", $"-p {Port} -c listen_addresses=127.0.0.1 -k {_root} -c fsync=off", "start");
            Run(Path.Combine(_bin, "psql"), "-h", "127.0.0.1", "-p", Port.ToString(), "-U", "postgres", "-c", "create database swarm");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=swarm;Timeout=10;Command Timeout=30";

    private string DataDir => Path.Combine(_root, "data");

    public void Dispose()
    {
        try
        {
            AsPostgres("pg_ctl", "-D", DataDir, "-w", "-m", "immediate", "stop");
        }
        catch (InvalidOperationException)
        {
            // Not started: nothing to stop.
        }

        Directory.Delete(_root, recursive: true);
    }

    private void AsPostgres(string tool, params string[] args) => Run("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args]);

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(Bound))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} did not finish in {Bound.TotalSeconds} s");
        }

        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}{stdout.Result}");
        }
    }
}
