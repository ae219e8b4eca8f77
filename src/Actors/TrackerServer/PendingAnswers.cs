using System.Collections.Concurrent;

namespace Swarm.Actors.TrackerServer;

/// <summary>A one-shot reply reference a tracker front end hands a swarm in place of an ask (UDP and HTTP alike).</summary>
public interface IPendingAnswer
{
    /// <summary>When the announce went to its swarm (the tracker's clock).</summary>
    DateTimeOffset Sent { get; }

    bool IsDone { get; }

    /// <summary>Answers "busy" unless answered already.</summary>
    void Expire();
}

/// <summary>A front end's answers in the order they were sent: a swarm that stopped with an announce in its mailbox never
/// answers, so a sweep answers "busy" to every one still waiting past the ask timeout (and drops the answered ones in
/// front of it). Added to from the front end's threads, swept by one timer.</summary>
public sealed class PendingAnswers<T>
    where T : IPendingAnswer
{
    private readonly ConcurrentQueue<T> _waiting = new();

    public void Add(T answer) => _waiting.Enqueue(answer);

    public void ExpireSentBefore(DateTimeOffset deadline)
    {
        while (_waiting.TryPeek(out var answer) && (answer.IsDone || answer.Sent < deadline))
        {
            _waiting.TryDequeue(out _);
            answer.Expire();
        }
    }
}
