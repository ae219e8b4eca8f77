// Every test runs real peers that saturate the machine's cores and some (Transmission) depend on
// wall-clock timers; running them one at a time keeps the timings they rely on meaningful.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]

// The peers under test (transmission-daemon, aria2c, opentracker, python3-libtorrent) are Debian packages.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
