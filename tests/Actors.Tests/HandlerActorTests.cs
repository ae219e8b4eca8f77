using Akka.Actor;
using Akka.Event;
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
            Receive<RegisterLate>(_ =>
            {
                try
                {
                    Receive<int>(_ => { });
                    reply.Tell("registered");
                }
                catch (InvalidOperationException e)
                {
                    reply.Tell(e.Message);
                }
            });
        }

        private static bool Told(IActorRef reply, string text)
        {
            reply.Tell(text);
            return true;
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
}
