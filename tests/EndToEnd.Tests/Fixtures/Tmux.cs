using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Fixtures;

/// <summary>A detached tmux session running one command on a real pseudo-terminal: keys are typed with send-keys and
/// the screen is read with capture-pane, so a test sees what a person would.</summary>
public sealed class Tmux : IAsyncDisposable
{
    private readonly string _session;
    private readonly ITestOutputHelper _log;
    private readonly string _socket;

    private Tmux(string session, string socket, ITestOutputHelper log)
    {
        _session = session;
        _socket = socket;
        _log = log;
    }

    public static async Task<Tmux> StartAsync(ITestOutputHelper log, string dir, IReadOnlyList<string> command, int width = 160, int height = 40)
    {
        // A private server socket: tests never touch a user's tmux sessions, and parallel tests never collide.
        var socket = Path.Combine(dir, "tmux.sock");
        var session = "swarm-test";
        var shellCommand = string.Join(' ', command.Select(Quote));
        (await Run(log, socket, "new-session", "-d", "-s", session, "-x", width.ToString(), "-y", height.ToString(), $"env TERM=xterm-256color {shellCommand}; echo \"[exited $?]\"; sleep 600")).EnsureSuccess();
        return new Tmux(session, socket, log);
    }

    /// <summary>Types keys: literal text, or tmux key names like Enter, Tab, C-c.</summary>
    public async Task SendAsync(params string[] keys) => (await Run(null, _socket, ["send-keys", "-t", _session, .. keys])).EnsureSuccess();

    public async Task TypeAsync(string text) => (await Run(null, _socket, "send-keys", "-t", _session, "-l", text)).EnsureSuccess();

    public async Task<string> ScreenAsync() => (await Run(null, _socket, "capture-pane", "-p", "-t", _session)).EnsureSuccess().StdoutText;

    /// <summary>Waits until the screen satisfies <paramref name="predicate"/>; fails with the last screen otherwise.</summary>
    public async Task<string> WaitForScreenAsync(Func<string, bool> predicate, string description, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var screen = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            screen = await ScreenAsync();
            if (predicate(screen))
            {
                return screen;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"the terminal never showed {description} within {timeout.TotalSeconds:0} s. Last screen:\n{screen}");
        return screen;
    }

    public async ValueTask DisposeAsync()
    {
        var screen = await Run(null, _socket, "capture-pane", "-p", "-t", _session);
        _log.WriteLine($"[tmux] last screen:\n{screen.StdoutText}");
        await Run(null, _socket, "kill-server");
    }

    private static Task<CommandResult> Run(ITestOutputHelper? log, string socket, params IEnumerable<string> args) =>
        Command.RunAsync("tmux", "tmux", ["-S", socket, .. args], TimeSpan.FromSeconds(10), log);

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
