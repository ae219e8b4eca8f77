namespace Swarm.Node.Hosting;

/// <summary>Start-up (issue 14): a one-shot `get` runs without emitting code at run time. Akka's HOCON parses every
/// duration with a <c>RegexOptions.Compiled</c> regex (IL emitted, then compiled optimised by the JIT at the first
/// <c>GetTimeSpan</c>), and System.Text.Json and the host's dependency injection emit accessors: each is built once and
/// run a few dozen times in a `get`'s life. Without dynamic code the regex is interpreted and the rest uses reflection.
/// Measured (lt → swarm, interleaved, load 3-25): a one-piece `get` 0.68 → 0.58 s of CPU and 100 → 93 MiB; 1 GiB in
/// 256 KiB pieces 3.06 → 3.03 s, 256 MiB in 4 KiB pieces 1.67 → 1.65 s. Akka's ReceiveActors were interpreted too,
/// and those transfers hid what that cost per message (found later in a profile; our actors no longer build expression
/// trees, see <see cref="Swarm.Actors.HandlerActor"/>). Not for `node` (linq2db's recovery queries and the cluster's
/// serializers would be interpreted) nor `seed` (its start-up is not on any transfer's clock).</summary>
internal static class InterpretedDynamicCode
{
    /// <summary>The switch the runtime reads once, at the first look at <c>RuntimeFeature.IsDynamicCodeSupported</c>.</summary>
    internal const string Switch = "System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported";

    public static bool AppliesTo(IReadOnlyList<string> args) => args.Count > 0 && args[0] == "get";

    /// <summary>Call first thing in Main: nothing may have asked the runtime whether it emits code before.</summary>
    public static void Apply(IReadOnlyList<string> args)
    {
        if (AppliesTo(args))
        {
            AppContext.SetSwitch(Switch, false);
        }
    }
}
