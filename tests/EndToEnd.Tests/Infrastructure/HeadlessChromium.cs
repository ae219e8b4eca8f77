using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>Debian's chromium (/usr/bin/chromium, installed by scripts/install-peers.sh), headless, driven by
/// Playwright; never a browser Playwright downloads. Pages log their console and errors to the test's output.</summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly ITestOutputHelper _log;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser, ITestOutputHelper log)
    {
        _playwright = playwright;
        _browser = browser;
        _log = log;
    }

    public static async Task<HeadlessChromium> StartAsync(ITestOutputHelper log)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new FileNotFoundException($"{ExecutablePath} is missing: install Debian's chromium (scripts/install-peers.sh)", ExecutablePath);
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Timeout = (float)Timeouts.Start.TotalMilliseconds,
            });
            return new HeadlessChromium(playwright, browser, log);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A new page (in a context of its own) at <paramref name="url"/>, waited for until loaded.</summary>
    /// <param name="credentials">USER:PASSWORD for the node's Basic auth, or null.</param>
    public async Task<IPage> OpenAsync(string url, string? credentials = null, ColorScheme scheme = ColorScheme.Light)
    {
        var options = new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1360, Height = 900 }, ColorScheme = scheme };
        if (credentials is not null)
        {
            var colon = credentials.IndexOf(':', StringComparison.Ordinal);
            options.HttpCredentials = new HttpCredentials { Username = credentials[..colon], Password = credentials[(colon + 1)..] };
        }

        var context = await _browser.NewContextAsync(options);
        context.SetDefaultTimeout((float)Timeouts.Start.TotalMilliseconds);
        var page = await context.NewPageAsync();
        page.Console += (_, m) => _log.WriteLine($"[page console {m.Type}] {m.Text}");
        page.PageError += (_, e) => _log.WriteLine($"[page error] {e}");
        await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.DOMContentLoaded });
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
