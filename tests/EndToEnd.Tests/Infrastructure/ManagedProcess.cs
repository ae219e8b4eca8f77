using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A child process whose stdout and stderr lines are captured so a test can await a line.
/// Disposing it sends SIGTERM, waits for a graceful exit, then kills the whole tree, and writes
/// the tail of its output to the test log.
/// </summary>
public sealed class ManagedProcess : IAsyncDisposable
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(3);
    private const int TailLines = 60;

    private readonly Process _process;
    private readonly ITestOutputHelper? _log;
    private readonly Lock _gate = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<Waiter> _waiters = [];
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private ManagedProcess(string name, Process process, ITestOutputHelper? log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _exit.Task.IsCompleted;

    public IReadOnlyList<string> Stdout
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    public IReadOnlyList<string> Stderr
    {
        get
        {
            lock (_gate)
            {
                return [.. _stderr];
            }
        }
    }

    public static ManagedProcess Start(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        ITestOutputHelper? log = null,
        string? workingDirectory = null,
        string? standardInput = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            // Always redirected: a child must never read the test runner's own input.
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Plain output for the parsers below: no colours or progress bars meant for a terminal.
        info.Environment["NO_COLOR"] = "1";
        info.Environment["TERM"] = "dumb";
        // A null value removes the variable (e.g. XDG_DATA_HOME, so that HOME alone decides the state folder).
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info };
        var managed = new ManagedProcess(name, process, log);
        process.OutputDataReceived += (_, e) => managed.OnLine(e.Data, stdout: true);
        process.ErrorDataReceived += (_, e) => managed.OnLine(e.Data, stdout: false);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot start {name} ({fileName}): {e.Message}", e);
        }

        log?.WriteLine($"[{name}] pid {process.Id}: {fileName} {string.Join(' ', info.ArgumentList)}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            if (standardInput is not null)
            {
                process.StandardInput.Write(standardInput);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It exited before reading its input; its exit code and output tell why.
        }

        _ = managed.WatchExitAsync();
        return managed;
    }

    /// <summary>Waits for a stdout line starting with <paramref name="prefix"/> and returns it.</summary>
    public Task<string> WaitForLineAsync(string prefix, TimeSpan timeout) =>
        WaitForLineAsync(line => line.StartsWith(prefix, StringComparison.Ordinal), $"a stdout line starting with \"{prefix}\"", timeout);

    /// <summary>
    /// Waits for a stdout line matching <paramref name="match"/>, failing at once (with the captured
    /// output) if the process exits first, or after <paramref name="timeout"/>.
    /// </summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, string description, TimeSpan timeout) =>
        WaitForAsync(match, description, timeout, stderr: false);

    /// <summary>The same for a stderr line (log lines).</summary>
    public Task<string> WaitForStderrLineAsync(Func<string, bool> match, string description, TimeSpan timeout) =>
        WaitForAsync(match, description, timeout, stderr: true);

    private async Task<string> WaitForAsync(Func<string, bool> match, string description, TimeSpan timeout, bool stderr)
    {
        Waiter waiter;
        lock (_gate)
        {
            var seen = (stderr ? _stderr : _stdout).FirstOrDefault(match);
            if (seen is not null)
            {
                return seen;
            }

            if (HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before printing {description}.\n{DescribeLocked()}");
            }

            waiter = new Waiter(match, description, stderr);
            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Line.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not print {description} within {timeout.TotalSeconds:0} s.\n{Describe()}");
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>
    /// Runs a readiness wait and returns this process; if the wait fails the process is ended
    /// first, since the caller never got the chance to own it.
    /// </summary>
    public async Task<ManagedProcess> WhenReadyAsync(Func<ManagedProcess, Task> ready)
    {
        try
        {
            await ready(this);
            return this;
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for the process to exit on its own and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            return await _exit.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds:0} s.\n{Describe()}");
        }
    }

    /// <summary>The last lines of both streams, for failure messages.</summary>
    public string Describe()
    {
        lock (_gate)
        {
            return DescribeLocked();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // The OS process state, not HasExited: a grandchild holding stdout open must not make us
        // signal a pid that may since have been reused.
        if (!_process.HasExited)
        {
            _log?.WriteLine($"[{Name}] sending SIGTERM to pid {_process.Id}");
            await SendSigTermAsync();
            if (!await ExitedWithin(GracePeriod))
            {
                _log?.WriteLine($"[{Name}] still running {GracePeriod.TotalSeconds:0} s after SIGTERM; killing its process tree");
                try
                {
                    _process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It exited between the check and the kill.
                }

                await ExitedWithin(TimeSpan.FromSeconds(5));
            }
        }

        WriteToLog();
        _process.Dispose();
    }

    private async Task WatchExitAsync()
    {
        // With asynchronous reads this also waits for both streams to reach EOF, so every line has
        // been captured by the time the exit is published.
        await _process.WaitForExitAsync();
        lock (_gate)
        {
            _exit.TrySetResult(_process.ExitCode);
            foreach (var waiter in _waiters)
            {
                waiter.Line.TrySetException(new InvalidOperationException(
                    $"{Name} exited with code {_process.ExitCode} before printing {waiter.Description}.\n{DescribeLocked()}"));
            }
        }
    }

    private void OnLine(string? line, bool stdout)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            (stdout ? _stdout : _stderr).Add(line);
            foreach (var waiter in _waiters)
            {
                if (waiter.OnStderr != stdout && waiter.Match(line))
                {
                    waiter.Line.TrySetResult(line);
                }
            }
        }
    }

    /// <summary>Sends a signal by name (KILL, STOP, CONT, TERM) with /bin/kill.</summary>
    public async Task SignalAsync(string signal)
    {
        _log?.WriteLine($"[{Name}] kill -{signal} {_process.Id}");
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", _process.Id.ToString()]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("cannot run kill");
        await kill.WaitForExitAsync();
    }

    private async Task SendSigTermAsync()
    {
        // Process.Kill only sends SIGKILL; /bin/kill avoids P/Invoke for the graceful signal.
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString()]) { UseShellExecute = false });
            if (kill is not null)
            {
                await kill.WaitForExitAsync();
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No kill binary: fall through to the hard kill after the grace period.
        }
    }

    private async Task<bool> ExitedWithin(TimeSpan timeout)
    {
        try
        {
            await _exit.Task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void WriteToLog()
    {
        if (_log is null)
        {
            return;
        }

        var exit = HasExited ? $"exit code {_exit.Task.Result}" : "did not exit";
        try
        {
            _log.WriteLine($"[{Name}] {exit}\n{Describe()}");
        }
        catch (InvalidOperationException)
        {
            // The test's output helper is no longer accepting lines.
        }
    }

    private string DescribeLocked()
    {
        var text = new StringBuilder();
        AppendTail(text, "stdout", _stdout);
        AppendTail(text, "stderr", _stderr);
        return text.ToString();
    }

    private static void AppendTail(StringBuilder text, string label, List<string> lines)
    {
        var skipped = Math.Max(0, lines.Count - TailLines);
        text.Append("--- ").Append(label);
        text.Append(skipped > 0 ? $" (last {TailLines} of {lines.Count} lines)" : $" ({lines.Count} lines)");
        text.AppendLine(" ---");
        foreach (var line in lines.Skip(skipped))
        {
            text.AppendLine(line);
        }
    }

    private sealed class Waiter(Func<string, bool> match, string description, bool onStderr)
    {
        public Func<string, bool> Match { get; } = match;

        public bool OnStderr { get; } = onStderr;

        public string Description { get; } = description;

        public TaskCompletionSource<string> Line { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
