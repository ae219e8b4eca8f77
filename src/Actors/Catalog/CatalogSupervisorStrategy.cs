using Akka.Actor;
using Akka.Actor.Internal;
using Akka.Event;
using Swarm.Actors.Configuration;

namespace Swarm.Actors.Catalog;

/// <summary>How the catalog supervises its children, decided per child. A torrent or a magnet that throws is restarted
/// on its own: a torrent's verified pieces and settings live in its journal and the catalog, and a magnet starts its
/// fetch again from the link, so a fresh instance loses nothing, and a bug one of them trips must not stop the others or
/// the node. One that throws <c>max-restarts</c> times within <c>restart-window</c> will not heal by trying again: it is
/// stopped and <paramref name="gaveUp"/> is told why (before its <see cref="Terminated"/>), so the catalog shows it as
/// failed instead of letting it vanish. A status gathering is one question whose asker has its own deadline: a failed
/// one is stopped, not asked again.</summary>
internal sealed class CatalogSupervisorStrategy(CatalogSettings settings, ILoggingAdapter log, Action<IActorRef, Exception> gaveUp)
    : OneForOneStrategy(settings.MaxRestarts, (int)settings.RestartWindow.TotalMilliseconds, Akka.Actor.Decider.From(Directive.Restart), loggingEnabled: false)
{
    /// <summary>The failure itself: a constructor's exception comes wrapped by Akka ("exception during creation", "error
    /// while creating actor instance", the reflection call).</summary>
    public static Exception Cause(Exception e) => e is ActorInitializationException ? Innermost(e) : e;

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    protected override Directive Handle(IActorRef child, Exception exception) =>
        IsRestartable(child) ? Directive.Restart : Directive.Stop;

    public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause, ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children)
    {
        var e = Cause(cause);
        if (restart && stats.RequestRestartPermission(MaxNumberOfRetries, WithinTimeRangeMilliseconds))
        {
            log.Error("{0} failed and is restarted: {1}: {2}", child.Path.Name, e.GetType().Name, e.Message);
            RestartChild(child, cause, suspendFirst: false);
            return;
        }

        if (restart)
        {
            log.Error("{0} failed {1} times within {2} s and is stopped: {3}: {4}", child.Path.Name, MaxNumberOfRetries + 1, WithinTimeRangeMilliseconds / 1000, e.GetType().Name, e.Message);
            gaveUp(child, e);
        }
        else
        {
            log.Warning("{0} failed and is stopped: {1}: {2}", child.Path.Name, e.GetType().Name, e.Message);
        }

        context.Stop(child);
    }

    private static bool IsRestartable(IActorRef child) =>
        child.Path.Name.StartsWith(CatalogActor.TorrentPrefix, StringComparison.Ordinal) || child.Path.Name.StartsWith(CatalogActor.MagnetPrefix, StringComparison.Ordinal);
}
