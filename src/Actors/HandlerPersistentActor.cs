using Akka.Persistence;

namespace Swarm.Actors;

/// <summary>A persistent actor whose commands and recovered events go to ordered tables of typed handlers, registered
/// as on Akka's ReceivePersistentActor (<c>Command&lt;T&gt;</c>, <c>CommandAny</c>, <c>Recover&lt;T&gt;</c>) in the
/// constructor, with its rules: the first handler whose type and condition match takes the message, a message none takes
/// is unhandled, and registering after construction throws. Why not ReceivePersistentActor: see
/// <see cref="HandlerActor"/> (the catalog's table was the last expression tree a one-shot get built and interpreted).</summary>
public abstract class HandlerPersistentActor : UntypedPersistentActor
{
    private readonly HandlerTable _commands = new();
    private readonly HandlerTable _events = new();
    private bool _sealed;

    /// <summary>Takes commands of type <typeparamref name="T"/> for which <paramref name="shouldHandle"/> (when given) holds.</summary>
    protected void Command<T>(Action<T> handler, Predicate<T>? shouldHandle = null) => Registering(_commands).Add(handler, shouldHandle);

    /// <summary>Takes commands of type <typeparamref name="T"/> for which <paramref name="shouldHandle"/> holds.</summary>
    protected void Command<T>(Predicate<T> shouldHandle, Action<T> handler) => Registering(_commands).Add(handler, shouldHandle);

    /// <summary>Offers commands of type <typeparamref name="T"/> to <paramref name="handler"/>, which returns whether it took one.</summary>
    protected void Command<T>(Func<T, bool> handler) => Registering(_commands).Add(handler);

    /// <summary>Takes every command no earlier handler took.</summary>
    protected void CommandAny(Action<object> handler) => Registering(_commands).Add(typeof(object), handler, null);

    /// <summary>Takes recovered events (and snapshot offers, RecoveryCompleted) of type <typeparamref name="T"/>.</summary>
    protected void Recover<T>(Action<T> handler, Predicate<T>? shouldHandle = null) => Registering(_events).Add(handler, shouldHandle);

    /// <summary>Takes every recovered message no earlier handler took.</summary>
    protected void RecoverAny(Action<object> handler) => Registering(_events).Add(typeof(object), handler, null);

    protected sealed override void OnCommand(object message)
    {
        _sealed = true; // a restarted incarnation's PreStart runs from PostRestart, not through AroundPreStart
        if (!_commands.Handle(message))
        {
            Unhandled(message);
        }
    }

    protected sealed override void OnRecover(object message)
    {
        _sealed = true;
        if (!_events.Handle(message))
        {
            Unhandled(message);
        }
    }

    /// <summary>The constructor's registrations end before recovery starts: later ones throw.</summary>
    public override void AroundPreStart()
    {
        _sealed = true;
        base.AroundPreStart();
    }

    private HandlerTable Registering(HandlerTable table) => _sealed ? throw HandlerTable.RegisteredLate("Command and Recover", "constructed") : table;
}
