using System.Runtime.InteropServices;
using System.Text;

namespace Swarm.Node.ConsoleClient;

/// <summary>A blocking connection to a Unix stream socket through libc itself, for the one-shot console on Linux
/// (issue 14). System.Net.Sockets was most of a one-shot `swarm console status`: its first Socket creates the
/// sockets' telemetry EventSource and ActivitySource (System.Diagnostics.Tracing and DiagnosticSource loaded), the
/// thread pool and the socket engine's epoll thread, none of which a connect, one write and one read use. Measured
/// under strace on this machine: ≈ 80 ms from loading System.Net.Sockets to the connect, under load.
/// Linux only (the sockaddr_un layout and the option numbers below are Linux's); elsewhere the console keeps
/// System.Net.Sockets (<see cref="LocalConsoleLink"/>).</summary>
internal sealed class UnixSocketStream : Stream
{
    private const int AfUnix = 1;
    private const int SockStream = 1;
    private const int SockCloexec = 0x80000;
    private const int SolSocket = 1;
    private const int SoRcvTimeo = 20;
    private const int SoSndTimeo = 21;
    private const int ShutRdWr = 2;
    private const int MsgNoSignal = 0x4000;
    private const int Eintr = 4;
    private const int Eagain = 11;

    /// <summary>sun_path's size in Linux's sockaddr_un, the terminator included.</summary>
    private const int SunPathBytes = 108;

    private int _fd;

    private UnixSocketStream(int fd) => _fd = fd;

    /// <summary>Connected to the socket at <paramref name="path"/>, with <paramref name="silence"/> as the bound of every
    /// read and write; null when nothing listens there (a socket file left by a node that did not stop cleanly).</summary>
    /// <exception cref="IOException">The socket cannot be made at all.</exception>
    public static UnixSocketStream? Connect(string path, TimeSpan silence)
    {
        var address = new byte[2 + SunPathBytes];
        address[0] = AfUnix; // sa_family_t, little-endian: Linux's platforms are.
        var length = Encoding.UTF8.GetBytes(path, 0, path.Length, address, 2);
        if (length >= SunPathBytes)
        {
            return null;
        }

        var fd = Socket(AfUnix, SockStream | SockCloexec, 0);
        if (fd < 0)
        {
            throw Failure("socket");
        }

        // struct timeval { long tv_sec; long tv_usec; }
        long[] timeout = [(long)Math.Ceiling(silence.TotalSeconds), 0];
        int result;
        do
        {
            result = ConnectSocket(fd, address, 2 + length + 1);
        }
        while (result < 0 && Marshal.GetLastPInvokeError() == Eintr);

        if (result < 0 || SetOption(fd, SolSocket, SoRcvTimeo, timeout, 16) < 0 || SetOption(fd, SolSocket, SoSndTimeo, timeout, 16) < 0)
        {
            // Refused, or no such socket: nothing listens on that name.
            Close(fd);
            return null;
        }

        return new UnixSocketStream(fd);
    }

    public override bool CanRead => _fd >= 0;

    public override bool CanWrite => _fd >= 0;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Ends both directions: a read blocked on another thread returns the end of the stream at once.</summary>
    public void Shutdown()
    {
        if (_fd >= 0)
        {
            ShutdownSocket(_fd, ShutRdWr);
        }
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        while (true)
        {
            var n = Receive(_fd, ref MemoryMarshal.GetReference(buffer), buffer.Length, 0);
            if (n >= 0)
            {
                return (int)n;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Eintr)
            {
                throw errno == Eagain ? new IOException("receive timed out", new TimeoutException()) : Failure("recv", errno);
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        while (!buffer.IsEmpty)
        {
            var n = Send(_fd, ref MemoryMarshal.GetReference(buffer), buffer.Length, MsgNoSignal);
            if (n >= 0)
            {
                buffer = buffer[(int)n..];
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Eintr)
            {
                throw errno == Eagain ? new IOException("send timed out", new TimeoutException()) : Failure("send", errno);
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
        // Every write went to the socket.
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Close(fd);
        }

        base.Dispose(disposing);
    }

    private static IOException Failure(string call) => Failure(call, Marshal.GetLastPInvokeError());

    private static IOException Failure(string call, int errno) => new($"{call}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);

    // Plain P/Invokes: LibraryImport would need unsafe code, which the build forbids.
    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static extern int Socket(int domain, int type, int protocol);

    [DllImport("libc", EntryPoint = "connect", SetLastError = true)]
    private static extern int ConnectSocket(int fd, byte[] address, int length);

    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static extern int SetOption(int fd, int level, int name, long[] value, int length);

    [DllImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static extern nint Receive(int fd, ref byte buffer, nint length, int flags);

    [DllImport("libc", EntryPoint = "send", SetLastError = true)]
    private static extern nint Send(int fd, ref byte buffer, nint length, int flags);

    [DllImport("libc", EntryPoint = "shutdown")]
    private static extern int ShutdownSocket(int fd, int how);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
