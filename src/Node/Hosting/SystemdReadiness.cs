using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Swarm.Node.Hosting;

/// <summary>Tells systemd (Type=notify, deploy/systemd/swarm.service) that the node is up: READY=1 once the host
/// has started the actor system and the node's actors. Outside systemd (no NOTIFY_SOCKET) it does nothing.</summary>
/// <remarks>Not <c>UseSystemd()</c>: its lifetime handles SIGTERM itself, and the node's signals belong to
/// <see cref="StopSignals"/>, which tells a requested stop from a removal from the cluster. No STOPPING=1 either:
/// a member removed from the cluster stops its host and starts a new one in the same process, and STOPPING=1 would
/// make systemd wait for an exit that does not come and then kill the process.</remarks>
internal sealed class SystemdReadiness(ISystemdNotifier notifier, IHostApplicationLifetime lifetime) : IHostedService
{
    private CancellationTokenRegistration _started;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (notifier.IsEnabled)
        {
            _started = lifetime.ApplicationStarted.Register(() => notifier.Notify(new ServiceState("READY=1\nSTATUS=running")));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _started.DisposeAsync().AsTask();
}

public static class SystemdReadinessExtensions
{
    /// <summary>Sends READY=1 to systemd once the host has started (when NOTIFY_SOCKET names systemd's socket).</summary>
    public static IServiceCollection AddSystemdReadiness(this IServiceCollection services)
    {
        services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        return services.AddHostedService<SystemdReadiness>();
    }
}
