using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;
using Google.Protobuf;

namespace Swarm.Node.Hosting;

/// <summary>The console system's TCP transport: Akka's own (named by <c>wrapped-transport-class</c>), plus a note of
/// where each inbound connection really comes from. Akka names a remote system by the address it declares in its
/// handshake, and a console client always declares 127.0.0.1; only the transport sees the connection's source, so
/// it records it in <see cref="ConsoleConnections"/> for the endpoint to log with a refused request. It also drops every
/// message a connection addresses to an actor other than the console endpoint: untrusted mode filters selections,
/// but a message sent to an actor reference by path (the root guardian, /system/...) would still be delivered, and
/// every actor answers <see cref="Identify"/>.</summary>
public sealed class ConsoleTransport : Transport
{
    private readonly Transport _inner;
    private readonly ConsoleConnections _connections;
    private readonly ILoggingAdapter _log;

    /// <summary>Akka.Remote's serializer id for an <c>ActorSelectionMessage</c> (its MessageContainerSerializer).</summary>
    private const int ActorSelectionSerializerId = 6;

    public ConsoleTransport(ActorSystem system, Config config)
    {
        System = system;
        Config = config;
        var wrapped = config.GetString("wrapped-transport-class");
        var type = Type.GetType(wrapped) ?? throw new ConfigurationException($"cannot find the transport '{wrapped}'");
        _inner = (Transport)Activator.CreateInstance(type, system, config)!;
        _connections = ConsoleConnections.Of(system);
        _log = Logging.GetLogger(system, typeof(ConsoleTransport));
    }

    public override string SchemeIdentifier => _inner.SchemeIdentifier;

    public override long MaximumPayloadBytes => _inner.MaximumPayloadBytes;

    public override async Task<(Address, TaskCompletionSource<IAssociationEventListener>)> Listen()
    {
        var (address, inner) = await _inner.Listen().ConfigureAwait(false);
        var upstream = new TaskCompletionSource<IAssociationEventListener>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = upstream.Task.ContinueWith(t => inner.TrySetResult(new InboundWatcher(t.Result, _connections, _log)), TaskContinuationOptions.OnlyOnRanToCompletion);
        return (address, upstream);
    }

    public override bool IsResponsibleFor(Address remote) => _inner.IsResponsibleFor(remote);

    public override Task<AssociationHandle> Associate(Address remoteAddress) => _inner.Associate(remoteAddress);

    public override Task<bool> Shutdown() => _inner.Shutdown();

    public override Task<bool> ManagementCommand(object message) => _inner.ManagementCommand(message);

    /// <summary>The address a connection's first frame (Akka's Associate) declares, or null when it is not one. The
    /// frame is <c>AkkaProtocolMessage { instruction(2): AkkaControlMessage { handshakeInfo(2): AkkaHandshakeInfo {
    /// origin(1): AddressData { system(1), hostname(2), port(3), protocol(4) } } } }</c> (Akka.Remote's wire format).</summary>
    public static Address? DeclaredOrigin(ByteString frame)
    {
        try
        {
            if (Field(frame, 2) is not { } control || Field(control, 2) is not { } handshake || Field(handshake, 1) is not { } origin)
            {
                return null;
            }

            string system = string.Empty, host = string.Empty, protocol = string.Empty;
            var port = 0;
            var input = origin.CreateCodedInput();
            for (uint tag; (tag = input.ReadTag()) != 0;)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1: system = input.ReadString(); break;
                    case 2: host = input.ReadString(); break;
                    case 3: port = (int)input.ReadUInt32(); break;
                    case 4: protocol = input.ReadString(); break;
                    default: input.SkipLastField(); break;
                }
            }

            // Declared at the transport's level ("tcp"); Akka's protocol layer names it "akka.tcp" upwards.
            return system.Length == 0 || host.Length == 0 ? null : new Address(protocol.StartsWith("akka.", StringComparison.Ordinal) ? protocol : $"akka.{protocol}", system, host, port);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }

    /// <summary>Whether a frame may go up to Akka: control frames (handshake, heartbeat, disassociate) and acks always;
    /// a message only when it is addressed to the console endpoint, or a selection addressed to the root (which
    /// untrusted mode then checks against <c>trusted-selection-paths</c>). The frame is <c>AkkaProtocolMessage {
    /// payload(1): AckAndEnvelopeContainer { envelope(2): RemoteEnvelope { recipient(1): ActorRefData { path(1) },
    /// message(2): SerializedMessage { serializerId(2) } } } }</c>. <paramref name="recipient"/> names a refused
    /// message's recipient.</summary>
    public static bool Admits(ByteString frame, out string? recipient)
    {
        recipient = null;
        try
        {
            if (Field(frame, 1) is not { } container || Field(container, 2) is not { } envelope)
            {
                return true;
            }

            recipient = Field(envelope, 1) is { } reference && Field(reference, 1) is { } path ? path.ToStringUtf8() : string.Empty;
            if (!ActorPath.TryParse(recipient, out var target))
            {
                return false;
            }

            var elements = target.Elements;
            if (elements.Count == 2 && elements[0] == "user" && elements[1] == "console")
            {
                return true;
            }

            return elements.Count == 0 && Field(envelope, 2) is { } message && SerializerId(message) == ActorSelectionSerializerId;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    private static int SerializerId(ByteString serializedMessage)
    {
        var input = serializedMessage.CreateCodedInput();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 2 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint)
            {
                return input.ReadInt32();
            }

            input.SkipLastField();
        }

        return -1;
    }

    /// <summary>host:port of a transport-level address, an IPv4 peer written as IPv4 (a dual-stack socket reports
    /// it as ::ffff:a.b.c.d).</summary>
    public static string SourceOf(Address transportAddress)
    {
        var host = transportAddress.Host ?? "?";
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
        {
            ip = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;
            return new IPEndPoint(ip, transportAddress.Port ?? 0).ToString();
        }

        return $"{host}:{transportAddress.Port}";
    }

    /// <summary>The first length-delimited field <paramref name="number"/> of a protobuf message.</summary>
    private static ByteString? Field(ByteString message, int number)
    {
        var input = message.CreateCodedInput();
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                return input.ReadBytes();
            }

            input.SkipLastField();
        }

        return null;
    }

    /// <summary>Hands Akka every inbound connection wrapped, so that its first frame can be read on the way up.</summary>
    private sealed class InboundWatcher(IAssociationEventListener upstream, ConsoleConnections connections, ILoggingAdapter log) : IAssociationEventListener
    {
        public void Notify(IAssociationEvent ev) =>
            upstream.Notify(ev is InboundAssociation inbound ? new InboundAssociation(new WatchedHandle(inbound.Association, connections, log)) : ev);
    }

    /// <summary>An inbound connection as Akka's protocol layer sees it: the transport's own, whose events pass through
    /// <see cref="FirstFrameReader"/> once that layer starts reading.</summary>
    private sealed class WatchedHandle : AssociationHandle
    {
        private readonly AssociationHandle _inner;

        public WatchedHandle(AssociationHandle inner, ConsoleConnections connections, ILoggingAdapter log)
            : base(inner.LocalAddress, inner.RemoteAddress)
        {
            _inner = inner;
            _ = ReadHandlerSource.Task.ContinueWith(
                t => inner.ReadHandlerSource.TrySetResult(new FirstFrameReader(t.Result, inner.RemoteAddress, connections, log)),
                TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously);
        }

        public override bool Write(ByteString payload) => _inner.Write(payload);

#pragma warning disable CS0618, CS0672 // Akka's abstract member; the non-obsolete overload calls it
        public override void Disassociate() => _inner.Disassociate();
#pragma warning restore CS0618, CS0672
    }

    /// <summary>Notes the origin the connection declares against its real source, forgets it when it closes, and drops
    /// what <see cref="Admits"/> refuses (logged once per connection: a foreign client can't flood the log).</summary>
    private sealed class FirstFrameReader(IHandleEventListener upstream, Address source, ConsoleConnections connections, ILoggingAdapter log) : IHandleEventListener
    {
        private Address? _origin;
        private bool _read;
        private bool _refusalLogged;

        public void Notify(IHandleEvent ev)
        {
            if (!_read && ev is InboundPayload first)
            {
                _read = true;
                _origin = DeclaredOrigin(first.Payload);
                if (_origin is not null)
                {
                    connections.Record(_origin, SourceOf(source));
                }
            }
            else if (ev is InboundPayload payload && !Admits(payload.Payload, out var recipient))
            {
                if (!_refusalLogged)
                {
                    _refusalLogged = true;
                    log.Warning("console port: dropped a message from {0} to {1}: only /user/console is reachable (further ones from this connection dropped silently)", SourceOf(source), recipient);
                }

                return;
            }
            else if (ev is Disassociated && _origin is not null)
            {
                connections.Forget(_origin, SourceOf(source));
            }

            upstream.Notify(ev);
        }
    }
}
