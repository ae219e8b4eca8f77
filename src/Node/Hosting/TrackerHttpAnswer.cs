using Akka.Actor;
using Swarm.Actors.TrackerServer;

namespace Swarm.Node.Hosting;

/// <summary>Where the answer to one HTTP announce goes: the sender of the announce, completed by whoever answers (the
/// swarm, or the registry when it refuses) on that thread, so the response is written there without a hop back.
/// Like the reference an ask makes, without its timer and registration: <see cref="TrackerHost"/>'s sweep completes
/// it with null ("busy") once it is older than the ask timeout. Answered once.</summary>
internal sealed class TrackerHttpAnswer(ActorPath path, IActorRefProvider provider, DateTimeOffset sent) : MinimalActorRef, IPendingAnswer
{
    private readonly TaskCompletionSource<object?> _answer = new();

    public override ActorPath Path { get; } = path;

    public override IActorRefProvider Provider { get; } = provider;

    /// <summary>When the announce went to its swarm (the tracker's clock).</summary>
    public DateTimeOffset Sent { get; } = sent;

    public bool IsDone => _answer.Task.IsCompleted;

    /// <summary>The message answered, or null when none came in time.</summary>
    public Task<object?> Answer => _answer.Task;

    public void Expire() => _answer.TrySetResult(null);

    protected override void TellInternal(object message, IActorRef sender) => _answer.TrySetResult(message);
}
