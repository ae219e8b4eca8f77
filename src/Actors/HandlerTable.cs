namespace Swarm.Actors;

/// <summary>One behaviour of a <see cref="HandlerActor"/> or <see cref="HandlerPersistentActor"/>: typed handlers in
/// registration order. The handlers that can take a message's type are found once per type and kept.</summary>
internal sealed class HandlerTable
{
    private readonly List<Entry> _entries = [];
    private readonly Dictionary<Type, Entry[]> _byType = [];

    public void Add<T>(Action<T> handler, Predicate<T>? shouldHandle) => _entries.Add(new ActionEntry<T>(handler, shouldHandle));

    public void Add<T>(Func<T, bool> handler) => _entries.Add(new FuncEntry<T>(handler));

    public void Add(Type messageType, Action<object> handler, Predicate<object>? shouldHandle) =>
        _entries.Add(new ObjectEntry(messageType, handler, shouldHandle));

    /// <summary>False when no handler took the message.</summary>
    public bool Handle(object message)
    {
        var type = message.GetType();
        if (!_byType.TryGetValue(type, out var candidates))
        {
            candidates = _entries.Where(e => e.MessageType.IsAssignableFrom(type)).ToArray();
            _byType[type] = candidates;
        }

        foreach (var entry in candidates)
        {
            if (entry.Handle(message))
            {
                return true;
            }
        }

        return false;
    }

    public static InvalidOperationException RegisteredLate(string what, string when) =>
        new($"{what} handlers may only be registered while the actor is {when}.");

    private abstract class Entry(Type messageType)
    {
        public Type MessageType { get; } = messageType;

        public abstract bool Handle(object message);
    }

    private sealed class ActionEntry<T>(Action<T> handler, Predicate<T>? shouldHandle) : Entry(typeof(T))
    {
        public override bool Handle(object message)
        {
            var typed = (T)message;
            if (shouldHandle is not null && !shouldHandle(typed))
            {
                return false;
            }

            handler(typed);
            return true;
        }
    }

    private sealed class FuncEntry<T>(Func<T, bool> handler) : Entry(typeof(T))
    {
        public override bool Handle(object message) => handler((T)message);
    }

    private sealed class ObjectEntry(Type messageType, Action<object> handler, Predicate<object>? shouldHandle) : Entry(messageType)
    {
        public override bool Handle(object message)
        {
            if (shouldHandle is not null && !shouldHandle(message))
            {
                return false;
            }

            handler(message);
            return true;
        }
    }
}
