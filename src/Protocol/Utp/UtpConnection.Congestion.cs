namespace Swarm.Protocol.Utp;

/// <summary>The pacing of <see cref="UtpConnection"/>: round-trip estimate and retransmit timeout (as TCP and
/// libtorrent), and LEDBAT (BEP 29): the window grows while the one-way queuing delay our packets see stays under the
/// target and shrinks as it passes it, so uTP yields to other traffic on the same link.</summary>
public sealed partial class UtpConnection
{
    /// <summary>The base delay is the smallest delay of this many minutes (BEP 29 keeps two to three), so a clock
    /// drift or a route change is forgotten.</summary>
    private const int BaseHistoryMinutes = 3;

    private const long Minute = 60_000_000;

    private readonly uint[] _baseHistory = new uint[BaseHistoryMinutes];
    private int _baseCount;
    private long _baseBucketStart;
    private double _window;
    private double _ssthresh = double.MaxValue;
    private bool _slowStart = true;
    private bool _windowFull;
    private bool _haveRtt;
    private ushort? _lossSeq;

    /// <summary>The congestion window in bytes.</summary>
    public int Window
    {
        get => (int)_window;
        private set => _window = value;
    }

    /// <summary>The retransmit timeout in microseconds.</summary>
    public long Rto { get; private set; }

    public long Rtt { get; private set; }

    public long RttVariance { get; private set; }

    /// <summary>The last measured queuing delay of our packets (sample minus base delay), in microseconds.</summary>
    public long QueuingDelay { get; private set; }

    private int MinWindow => 2 * _o.MaxPayload;

    private void RttSample(long sample)
    {
        sample = Math.Max(0, sample);
        if (!_haveRtt)
        {
            _haveRtt = true;
            Rtt = sample;
            RttVariance = sample / 2;
        }
        else
        {
            var delta = Rtt - sample;
            RttVariance += (Math.Abs(delta) - RttVariance) / 4;
            Rtt += (sample - Rtt) / 8;
        }

        Rto = Math.Max(Rtt + (4 * RttVariance), _o.MinTimeout);
    }

    /// <param name="delay">The peer's timestamp difference: how long our packet took to reach it, plus the offset of its
    /// clock from ours, which the base delay cancels.</param>
    private void OnAcked(int bytes, uint delay, long now)
    {
        var baseDelay = UpdateBaseDelay(delay, now);
        QueuingDelay = Math.Max(0, (int)(delay - baseDelay));
        var offTarget = Math.Clamp((double)(_o.TargetDelay - QueuingDelay) / _o.TargetDelay, -1, 1);
        if (_slowStart)
        {
            if (offTarget < 0)
            {
                _slowStart = false;
            }
            else if (_windowFull)
            {
                _window += bytes;
                _slowStart = _window < _ssthresh;
            }
        }

        if (!_slowStart)
        {
            var windowFactor = Math.Min(bytes, _window) / Math.Max(_window, bytes);
            var change = _o.Gain * offTarget * windowFactor;

            // Growing a window we do not fill would only license a burst later.
            if (change > 0 && !_windowFull)
            {
                change = 0;
            }

            _window += change;
        }

        _window = Math.Clamp(_window, MinWindow, _o.MaxWindow);
    }

    /// <summary>Halves the window at most once per window of packets (a burst of losses is one congestion event).</summary>
    private void OnLoss(ushort seq)
    {
        if (_lossSeq is { } last && UtpSeq.AtOrBefore(seq, last))
        {
            return;
        }

        _lossSeq = (ushort)(SeqNr - 1);
        _window = Math.Max(_window / 2, MinWindow);
        _ssthresh = _window;
        _slowStart = false;
    }

    private void OnTimeout()
    {
        _ssthresh = Math.Max(_window / 2, MinWindow);
        _window = MinWindow;
        _slowStart = true;
        _lossSeq = (ushort)(SeqNr - 1);
    }

    private uint UpdateBaseDelay(uint sample, long now)
    {
        if (_baseCount == 0)
        {
            _baseHistory[0] = sample;
            _baseCount = 1;
            _baseBucketStart = now;
        }
        else if (now - _baseBucketStart >= Minute)
        {
            Array.Copy(_baseHistory, 0, _baseHistory, 1, BaseHistoryMinutes - 1);
            _baseHistory[0] = sample;
            _baseCount = Math.Min(_baseCount + 1, BaseHistoryMinutes);
            _baseBucketStart = now;
        }
        else if ((int)(sample - _baseHistory[0]) < 0)
        {
            _baseHistory[0] = sample;
        }

        var min = _baseHistory[0];
        for (var i = 1; i < _baseCount; i++)
        {
            if ((int)(_baseHistory[i] - min) < 0)
            {
                min = _baseHistory[i];
            }
        }

        return min;
    }
}
