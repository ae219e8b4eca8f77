using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace Swarm.Actors.Serialization;

/// <summary>Akka's JSON serializer (Newtonsoft), made at its first message instead of with the actor system (issue 14):
/// Akka makes every configured serializer as the system starts, and nothing of ours binds to JSON (the wire is
/// <see cref="WireSerializer"/>, the journal <c>PersistedEventSerializer</c>), so `get`, `seed` and most nodes never
/// loaded Newtonsoft.Json for a use. It keeps Akka's identifier for JSON: a message another system wrote with it reads
/// the same.</summary>
public sealed class DeferredJsonSerializer : Serializer
{
    private readonly Lazy<NewtonSoftJsonSerializer> _json;

    public DeferredJsonSerializer(ExtendedActorSystem system)
        : base(system) => _json = new(() => new NewtonSoftJsonSerializer(system));

    /// <summary>With <c>akka.actor.serialization-settings.json</c>, as Akka makes its own.</summary>
    public DeferredJsonSerializer(ExtendedActorSystem system, Config config)
        : base(system) => _json = new(() => new NewtonSoftJsonSerializer(system, config));

    /// <summary>True once a message was written or read.</summary>
    public bool Started => _json.IsValueCreated;

    public override int Identifier => SerializerIdentifierHelper.GetSerializerIdentifierFromConfig(typeof(NewtonSoftJsonSerializer), system);

    /// <summary>As Newtonsoft's: the type is given by the binding, not carried.</summary>
    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj) => _json.Value.ToBinary(obj);

    public override object FromBinary(byte[] bytes, Type type) => _json.Value.FromBinary(bytes, type);
}
