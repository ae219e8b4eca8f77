using System.Net;
using Akka.Configuration;

namespace Swarm.Node.Http;

/// <summary>The `swarm.rpc` block: where the node's HTTP surface (Transmission RPC, metrics, health) listens and who
/// may use it.</summary>
/// <param name="Username">Basic credentials; empty = none (then only a loopback bind is allowed).</param>
/// <param name="AllowedHosts">Host names accepted in the Host header besides the bind address and loopback names.</param>
public sealed record RpcSettings(bool Enabled, string BindAddress, int Port, string Username, string Password, IReadOnlyList<string> AllowedHosts, TimeSpan RequestTimeout)
{
    public const string UsernameVariable = "SWARM_RPC_USERNAME";

    public const string PasswordVariable = "SWARM_RPC_PASSWORD";

    public string EffectiveUsername => Environment.GetEnvironmentVariable(UsernameVariable) is { Length: > 0 } env ? env : Username;

    public string EffectivePassword => Environment.GetEnvironmentVariable(PasswordVariable) is { Length: > 0 } env ? env : Password;

    public bool HasCredentials => EffectiveUsername.Length > 0 || EffectivePassword.Length > 0;

    public static RpcSettings From(Config config)
    {
        var rpc = config.GetConfig("swarm.rpc");
        return new RpcSettings(
            rpc?.GetBoolean("enabled", true) ?? true,
            rpc?.GetString("bind-address", "127.0.0.1") ?? "127.0.0.1",
            rpc?.GetInt("port", 9091) ?? 9091,
            rpc?.GetString("username", string.Empty) ?? string.Empty,
            rpc?.GetString("password", string.Empty) ?? string.Empty,
            rpc?.GetStringList("allowed-hosts")?.ToArray() ?? [],
            rpc?.GetTimeSpan("request-timeout", TimeSpan.FromSeconds(15)) ?? TimeSpan.FromSeconds(15));
    }

    /// <summary>The bind address, checked: beyond loopback only with credentials (the console's rule for its secret).</summary>
    public IPAddress CheckedBindAddress()
    {
        if (!IPAddress.TryParse(BindAddress, out var ip))
        {
            throw new ArgumentException($"--rpc-bind '{BindAddress}' is not an IP address");
        }

        if (!IPAddress.IsLoopback(ip) && !HasCredentials)
        {
            throw new ArgumentException($"the RPC would listen on {ip}, beyond loopback, without credentials: set swarm.rpc.username and swarm.rpc.password or {UsernameVariable} and {PasswordVariable}");
        }

        if (HasCredentials && (EffectiveUsername.Length == 0 || EffectivePassword.Length == 0))
        {
            throw new ArgumentException($"RPC credentials need both a username and a password (swarm.rpc.username/password or {UsernameVariable}/{PasswordVariable})");
        }

        return ip;
    }
}

/// <summary>The `swarm.watch` block: a folder whose dropped .torrent and .magnet files are added.</summary>
/// <param name="Dir">Empty = no watch folder.</param>
public sealed record WatchSettings(string Dir, TimeSpan Interval, string SavePath)
{
    public static WatchSettings From(Config config)
    {
        var watch = config.GetConfig("swarm.watch");
        return new WatchSettings(
            watch?.GetString("dir", string.Empty) ?? string.Empty,
            watch?.GetTimeSpan("interval", TimeSpan.FromSeconds(2)) ?? TimeSpan.FromSeconds(2),
            watch?.GetString("save-path", string.Empty) ?? string.Empty);
    }
}
