using System.Runtime.InteropServices;

namespace Swarm.Node.Hosting;

/// <summary>The one owner of SIGINT and SIGTERM in a `swarm` process. The first signal asks the running command to
/// stop (<see cref="Token"/>); later ones are ignored, so a second Ctrl-C or a SIGTERM during shutdown cannot race the
/// stop already under way (System.CommandLine's own handler and the generic host's each reacted on their own, and two
/// signals could complete one task twice). A command that never watches the token still ends: <see cref="Abandoned"/>
/// completes once the grace period after the first signal has passed.</summary>
public sealed class StopSignals : IDisposable
{
    /// <summary>How long a command that ignores the stop request gets (System.CommandLine's default).</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource<PosixSignal> _abandoned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _received;
    private int _first;

    private StopSignals()
    {
    }

    /// <summary>Cancelled by the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The first signal received, if any.</summary>
    public PosixSignal? Received => Volatile.Read(ref _first) is var first and not 0 ? (PosixSignal)first : null;

    /// <summary>Time the command has to stop after the first signal before <see cref="Abandoned"/> completes.</summary>
    public TimeSpan Grace { get; private set; } = DefaultGrace;

    /// <summary>Set by commands that stop gracefully (a node flushing its journal): running past their own bound is
    /// then a failure, not the ordinary end of a command that ignores signals.</summary>
    public bool Graceful { get; private set; }

    /// <summary>Declares that the command stops by itself on <see cref="Token"/> within <paramref name="bound"/>.</summary>
    public void StopsGracefullyWithin(TimeSpan bound)
    {
        Grace = bound;
        Graceful = true;
    }

    /// <summary>Completes with the first signal when the command did not stop within <see cref="Grace"/>.</summary>
    public Task<PosixSignal> Abandoned => _abandoned.Task;

    public static StopSignals Install()
    {
        var signals = new StopSignals();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            signals._registrations.Add(PosixSignalRegistration.Create(signal, signals.OnSignal));
        }

        return signals;
    }

    /// <summary>The conventional exit code of a process ended by <paramref name="signal"/>: 128 + its number.</summary>
    public static int ExitCodeFor(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 130,
        PosixSignal.SIGTERM => 143,
        _ => 1,
    };

    private void OnSignal(PosixSignalContext context)
    {
        // Always ours: the runtime's default (terminate at once) would skip the journal's last flush.
        context.Cancel = true;
        if (Interlocked.Increment(ref _received) != 1)
        {
            return;
        }

        var signal = context.Signal;
        // PosixSignal values are negative: 0 means none yet.
        Volatile.Write(ref _first, (int)signal);
        var grace = Grace;
        // Off the signal thread: cancellation callbacks stop hosts and may take a while or throw.
        _ = Task.Run(async () =>
        {
            try
            {
                _stop.Cancel();
            }
            catch (AggregateException)
            {
                // A callback failed; the command still sees the token cancelled and stops.
            }

            await Task.Delay(grace).ConfigureAwait(false);
            _abandoned.TrySetResult(signal);
        });
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }
}
