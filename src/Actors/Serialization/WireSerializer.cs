using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Hyperion;
using Hyperion.Internal;

namespace Swarm.Actors.Serialization;

/// <summary>Hyperion between our processes, restricted to one port's <see cref="WireProtocol"/> and with Hyperion's
/// list of unsafe types refused. It keeps Hyperion's identifier (-5): to a member or console without the filter it is
/// plain Hyperion. The settings are given to Hyperion here because Akka's own routes lose them (in 1.5.73
/// <c>HyperionSerializerSetup</c> is read but not passed on, and <c>allowed-types</c> builds Hyperion's filter, which
/// refuses every type on the way out, see <see cref="WireTypeFilter"/>).</summary>
/// <remarks>Hyperion is made at the first message (issue 14): Akka makes every configured serializer with the actor
/// system, and Hyperion's compiled 31 expression trees and loaded its assembly in every process, `get` and `seed`
/// included, which never send a message over the network.</remarks>
public abstract class WireSerializer(ExtendedActorSystem system, Func<WireProtocol> protocol) : Akka.Serialization.Serializer(system)
{
    /// <summary>How the message of every refusal starts (the node's log bridge recognizes it).</summary>
    public const string RefusalPrefix = "refused a message holding ";

    /// <summary>Hyperion's own identifier (<c>HyperionSerializer.Identifier</c>).</summary>
    public const int HyperionIdentifier = -5;

    private readonly Lazy<HyperionSerializer> _hyperion = new(() => new HyperionSerializer(system, HyperionSerializerSettings.Default.WithDisallowUnsafeType(true).WithTypeFilter(new DeferredFilter(protocol))));

    /// <summary>The port's protocol, built when the first message is judged (see <see cref="WireProtocol.Cluster"/>).</summary>
    public WireProtocol Protocol => protocol();

    /// <summary>True once a message was written or read (Hyperion is made then).</summary>
    public bool HyperionStarted => _hyperion.IsValueCreated;

    public override int Identifier => HyperionIdentifier;

    /// <summary>As Hyperion: the type travels inside its bytes.</summary>
    public override bool IncludeManifest => false;

    /// <summary>A refused type ends as one line of Akka remoting's ("Deserialization failed … association remains
    /// live"), which logs this message: the type, and that it is not ours.</summary>
    public override object FromBinary(byte[] bytes, Type type)
    {
        try
        {
            return _hyperion.Value.FromBinary(bytes, type);
        }
        catch (SerializationException e) when (Refused(e) is { } refused)
        {
            throw new SerializationException($"{RefusalPrefix}{Describe(refused.BadTypeString)}: not a type of swarm's {Name} protocol, dropped", refused);
        }
    }

    public override byte[] ToBinary(object obj)
    {
        try
        {
            return _hyperion.Value.ToBinary(obj);
        }
        catch (EvilDeserializationException e)
        {
            throw new SerializationException($"{obj.GetType()} is not a type of swarm's {Name} protocol: it is never sent ({Describe(e.BadTypeString)} refused)", e);
        }
    }

    /// <summary>The protocol's name for log lines.</summary>
    protected abstract string Name { get; }

    /// <summary>Hyperion takes its filter when the serializer is made; the protocol behind it is asked for at the
    /// first type name.</summary>
    private sealed class DeferredFilter(Func<WireProtocol> protocol) : ITypeFilter
    {
        public bool IsAllowed(string typeName) => protocol().Filter.IsAllowed(typeName);
    }

    private static EvilDeserializationException? Refused(Exception? e) =>
        e is null ? null : e as EvilDeserializationException ?? Refused(e.InnerException);

    /// <summary>A refused name is the sender's text: it is shortened and stripped of control characters for the log.</summary>
    private static string Describe(string? typeName)
    {
        var name = WireTypeFilter.Normalize(typeName ?? "?");
        name = new string([.. name.Where(c => !char.IsControl(c))]);
        return name.Length > 200 ? name[..200] + "…" : name;
    }
}

/// <summary>Between cluster members (bound to System.Object in hocon/swarm.conf).</summary>
public sealed class ClusterWireSerializer(ExtendedActorSystem system) : WireSerializer(system, () => WireProtocol.Cluster)
{
    protected override string Name => "cluster";
}

/// <summary>Between a console and a node's console endpoint (both ends' actor systems).</summary>
public sealed class ConsoleWireSerializer(ExtendedActorSystem system) : WireSerializer(system, () => WireProtocol.Console)
{
    protected override string Name => "console";
}
