using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Event;

namespace Swarm.Actors.Tests.Support;

/// <summary>Akka's scheduler (it does the scheduling) wrapped to remember every repeating message it was given and whether it was cancelled, so a
/// test can tell which actors keep periodic timers (actor timers are scheduled here). Enabled with
/// <see cref="Config"/>.</summary>
public sealed class CountingScheduler(Config config, ILoggingAdapter log) : SchedulerBase(config, log), IDateTimeOffsetNowTimeProvider, IDisposable
{
    private readonly HashedWheelTimerScheduler _inner = new(config, log);
    private readonly ConcurrentQueue<(ICanTell Receiver, ICancelable? Cancelable)> _repeating = new();

    public static Config Config { get; } = ConfigurationFactory.ParseString(
        $"akka.scheduler.implementation = \"{typeof(CountingScheduler).FullName}, {typeof(CountingScheduler).Assembly.GetName().Name}\"");

    /// <summary>Repeating messages to <paramref name="receiver"/> still scheduled (not cancelled).</summary>
    public int Running(Func<ActorPath, bool> receiver) =>
        _repeating.Count(r => Matches(r.Receiver, receiver) && r.Cancelable is { IsCancellationRequested: false });

    /// <summary>Repeating messages ever scheduled to <paramref name="receiver"/>.</summary>
    public int Started(Func<ActorPath, bool> receiver) => _repeating.Count(r => Matches(r.Receiver, receiver));

    public override TimeSpan MonotonicClock => _inner.MonotonicClock;

    public override TimeSpan HighResMonotonicClock => _inner.HighResMonotonicClock;

    protected override DateTimeOffset TimeNow => ((IDateTimeOffsetNowTimeProvider)_inner).Now;

    public void Dispose() => _inner.Dispose();

    protected override void InternalScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable)
    {
        _repeating.Enqueue((receiver, cancelable));
        ((ITellScheduler)_inner).ScheduleTellRepeatedly(initialDelay, interval, receiver, message, sender, cancelable);
    }

    protected override void InternalScheduleTellOnce(TimeSpan delay, ICanTell receiver, object message, IActorRef sender, ICancelable cancelable) =>
        ((ITellScheduler)_inner).ScheduleTellOnce(delay, receiver, message, sender, cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, Action action, ICancelable cancelable) =>
        ((IActionScheduler)_inner).ScheduleOnce(delay, action, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action, ICancelable cancelable) =>
        ((IActionScheduler)_inner).ScheduleRepeatedly(initialDelay, interval, action, cancelable);

    protected override void InternalScheduleOnce(TimeSpan delay, IRunnable action, ICancelable cancelable) =>
        ((IRunnableScheduler)_inner).ScheduleOnce(delay, action, cancelable);

    protected override void InternalScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, IRunnable action, ICancelable cancelable) =>
        ((IRunnableScheduler)_inner).ScheduleRepeatedly(initialDelay, interval, action, cancelable);

    private static bool Matches(ICanTell receiver, Func<ActorPath, bool> wanted) => receiver is IActorRef r && wanted(r.Path);
}
