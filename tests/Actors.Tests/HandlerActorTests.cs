using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Swarm.Actors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests;

/// <summary>Issue 14: <see cref="HandlerActor"/> dispatches as Akka's ReceiveActor does, which every actor that moved
/// onto it was written against: first match in registration order, conditions, base types, Become, the constructor's
/// handlers behind OnReceive, unhandled messages, and registration only while configuring.</summary>
public sealed class HandlerActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private abstract record Shape;

    private sealed record Square(int Side) : Shape;

    private sealed record Circle(int Radius) : Shape;

    private sealed record Switch;

    private sealed record RegisterLate;

    private sealed class Probe : HandlerActor
    {
        public Probe(IActorRef reply)
        {
            Receive<Square>(s => s.Side > 10, s => reply.Tell($"big square {s.Side}"));
            Receive<Square>(s => s.Side == 0 ? false : Told(reply, $"square {s.Side}"));
            Receive<Shape>(s => reply.Tell($"shape {s}"));
            Receive(typeof(string), m => reply.Tell($"text {m}"), m => ((string)m).Length > 0);
            Receive<Switch>(_ => Become(() =>
            {
                Receive<Circle>(c => reply.Tell($"circle {c.Radius}"));
                Receive<Switch>(_ => reply.Tell("already switched"));
                ReceiveAny(OnReceive); // what this behaviour does not take goes to the constructor's handlers
            }));
            Receive<RegisterLate>(_ => TryLate(reply, () => Receive<int>(_ => { })));
        }

        private static bool Told(IActorRef reply, string text)
        {
            reply.Tell(text);
            return true;
        }
    }

    /// <summary>Registers a handler after construction and tells <paramref name="reply"/> what happened.</summary>
    private static void TryLate(IActorRef reply, Action register)
    {
        try
        {
            register();
            reply.Tell("registered");
        }
        catch (InvalidOperationException e)
        {
            reply.Tell(e.Message);
        }
    }

    [Fact]
    public void The_first_handler_whose_type_and_condition_match_takes_the_message()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Probe(TestActor)));

        actor.Tell(new Square(12));
        ExpectMsg("big square 12");
        actor.Tell(new Square(3));
        ExpectMsg("square 3");
        // The handler returning false passes it on; the base type's handler takes it.
        actor.Tell(new Square(0));
        ExpectMsg("shape Square { Side = 0 }");
        actor.Tell(new Circle(2));
        ExpectMsg("shape Circle { Radius = 2 }");
        actor.Tell("hi");
        ExpectMsg("text hi");
    }

    [Fact]
    public void A_message_no_handler_takes_is_unhandled()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(UnhandledMessage));
        var actor = Sys.ActorOf(Props.Create(() => new Probe(TestActor)));

        actor.Tell(string.Empty); // its condition fails
        Assert.Equal(string.Empty, ExpectMsg<UnhandledMessage>().Message);
        actor.Tell(42);
        Assert.Equal(42, ExpectMsg<UnhandledMessage>().Message);
    }

    [Fact]
    public void Become_replaces_the_handlers_and_OnReceive_still_reaches_the_constructors()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Probe(TestActor)));

        actor.Tell(new Circle(1));
        ExpectMsg("shape Circle { Radius = 1 }");
        actor.Tell(new Switch());
        actor.Tell(new Circle(1));
        ExpectMsg("circle 1");
        actor.Tell(new Switch());
        ExpectMsg("already switched");
        actor.Tell(new Square(4)); // not taken by the new behaviour: handed to the constructor's handlers
        ExpectMsg("square 4");
    }

    [Fact]
    public void Registering_outside_the_constructor_and_Become_throws()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Probe(TestActor)));

        actor.Tell(new RegisterLate());
        Assert.Contains("only be registered while the actor is constructed or inside Become", ExpectMsg<string>());
    }

    [Fact]
    public void A_restarted_actor_dispatches_with_its_new_incarnations_handlers()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Crashing(TestActor)));

        actor.Tell("switch");
        actor.Tell("boom"); // thrown in the behaviour Become set: the supervisor restarts the actor
        actor.Tell("count");
        ExpectMsg(1); // the new incarnation's constructor handlers, not the old one's behaviour
    }

    private sealed class Crashing : HandlerActor
    {
        private int _count;

        public Crashing(IActorRef reply)
        {
            Receive<string>(m => m == "switch", _ => Become(() => Receive<string>(m => m == "boom", _ => throw new InvalidOperationException("boom"))));
            Receive<string>(m => m == "count", _ => reply.Tell(++_count));
        }
    }

    [Fact]
    public void A_persistent_actor_recovers_through_its_recover_handlers_and_commands_through_its_command_handlers()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(UnhandledMessage));
        var first = Sys.ActorOf(Props.Create(() => new Counter("handler-counter", TestActor)));
        first.Tell(new Square(2));
        ExpectMsg("persisted 2");
        first.Tell(new Square(3));
        ExpectMsg("persisted 5");
        first.Tell(new Circle(1)); // no command handler takes it
        Assert.Equal(new Circle(1), ExpectMsg<UnhandledMessage>().Message);
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);

        var second = Sys.ActorOf(Props.Create(() => new Counter("handler-counter", TestActor)));
        ExpectMsg("recovered 5"); // both events replayed through Recover<int>, then RecoveryCompleted
        second.Tell("late");
        Assert.Contains("only be registered while the actor is constructed", ExpectMsg<string>());
    }

    private sealed class Counter : HandlerPersistentActor
    {
        private int _total;

        public Counter(string id, IActorRef reply)
        {
            PersistenceId = id;
            Recover<int>(n => _total += n);
            Recover<RecoveryCompleted>(_ =>
            {
                if (_total > 0)
                {
                    reply.Tell($"recovered {_total}");
                }
            });
            Command<Square>(s => s.Side > 0, s => Persist(s.Side, n =>
            {
                _total += n;
                reply.Tell($"persisted {_total}");
            }));
            Command<string>(_ => TryLate(reply, () => Command<int>(_ => { })));
        }

        public override string PersistenceId { get; }
    }
}
