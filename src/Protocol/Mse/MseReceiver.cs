using System.Buffers.Binary;

namespace Swarm.Protocol.Mse;

/// <summary>The receiving (accepting) side of the MSE handshake as a state machine over bytes: it answers Ya with
/// Yb+PadB, finds HASH('req1', S) within <see cref="MseLimits.Req1SearchLimit"/> bytes after Ya, recovers which of
/// our torrents the initiator wants from HASH('req2', SKEY) xor HASH('req3', S), checks the VC, reads
/// crypto_provide, PadC and len(IA), answers ENCRYPT(VC, crypto_select, len(PadD), PadD) with no PadD, then reads
/// the initial payload IA. It never answers before the bytes that call for it have all arrived, and its only answer
/// larger than what provoked it is the fixed Yb+PadB (no amplification). Any violation throws <see cref="MseException"/>.</summary>
public sealed class MseReceiver
{
    private readonly Dictionary<string, InfoHash> _byReq2;
    private readonly CryptoMethods _accept;
    private readonly FillRandom _random;
    private readonly int _maxPad;
    private readonly DiffieHellman _keys;
    private readonly MseBuffer _buffer = new();
    private Stage _stage = Stage.AwaitingYa;
    private byte[] _secret = [];
    private byte[] _req1 = [];
    private InfoHash? _infoHash;
    private Rc4? _encryptor;
    private Rc4? _decryptor;
    private CryptoMethods _selected;
    private int _padC;
    private int _iaLength;

    /// <param name="torrents">The info-hashes we serve: the initiator's SKEY must be one of them.</param>
    /// <param name="accept">The methods we accept; RC4 is chosen whenever both sides allow it.</param>
    /// <param name="random">Source of the private key and PadB.</param>
    /// <param name="maxPad">The longest PadB we send (random in 0..maxPad).</param>
    public MseReceiver(IEnumerable<InfoHash> torrents, CryptoMethods accept, FillRandom random, int maxPad = MseLimits.MaxPad)
    {
        if (accept == CryptoMethods.None || (accept & ~(CryptoMethods.Plaintext | CryptoMethods.Rc4)) != 0)
        {
            throw new ArgumentException($"the accepted methods must be plaintext and/or RC4, not {accept}", nameof(accept));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxPad);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPad, MseLimits.MaxPad);
        _byReq2 = [];
        foreach (var torrent in torrents)
        {
            _byReq2[Convert.ToHexString(MseKeys.Req2(torrent.Span))] = torrent;
        }

        _accept = accept;
        _random = random;
        _maxPad = maxPad;
        _keys = DiffieHellman.Create(random);
    }

    /// <summary>Takes the bytes the initiator sent; returns what to send and, once complete, the result.</summary>
    public MseStep Receive(ReadOnlySpan<byte> data)
    {
        if (_stage == Stage.Done)
        {
            throw new InvalidOperationException("the handshake is over");
        }

        _buffer.Append(data);
        var send = Array.Empty<byte>();
        while (true)
        {
            switch (_stage)
            {
                case Stage.AwaitingYa when _buffer.Count >= MseLimits.KeyLength:
                    _secret = _keys.SharedSecret(_buffer.Take(MseLimits.KeyLength));
                    _req1 = MseKeys.Req1(_secret);
                    _stage = Stage.SeekingReq1;
                    send = WithPad(_keys.PublicKey, _random, _maxPad);
                    break;
                case Stage.SeekingReq1:
                    var at = _buffer.Span.IndexOf(_req1);
                    if (at < 0 || at > MseLimits.MaxPad)
                    {
                        if (at > MseLimits.MaxPad || _buffer.Count >= MseLimits.Req1SearchLimit)
                        {
                            throw new MseException($"no HASH('req1', S) within {MseLimits.Req1SearchLimit} bytes after Ya");
                        }

                        return new MseStep(send, null);
                    }

                    _buffer.Consume(at + MseLimits.HashLength);
                    _stage = Stage.AwaitingTorrent;
                    break;
                case Stage.AwaitingTorrent when _buffer.Count >= MseLimits.HashLength:
                    OnTorrent(_buffer.Take(MseLimits.HashLength));
                    break;
                case Stage.AwaitingProvide when _buffer.Count >= MseLimits.VcLength + 6:
                    var fields = _buffer.Span[..(MseLimits.VcLength + 6)];
                    _decryptor!.Apply(fields);
                    OnProvide(fields);
                    _buffer.Consume(fields.Length);
                    break;
                case Stage.AwaitingPadC when _buffer.Count >= _padC + 2:
                    var padAndLength = _buffer.Span[..(_padC + 2)];
                    _decryptor!.Apply(padAndLength);
                    _iaLength = BinaryPrimitives.ReadUInt16BigEndian(padAndLength[_padC..]);
                    _buffer.Consume(padAndLength.Length);
                    _stage = Stage.AwaitingIa;

                    // Answer now rather than after IA: libtorrent writes IA in a later segment, which Nagle holds
                    // until our ACK, and our ACK is delayed, so waiting for IA cost the connection ~40 ms.
                    send = [.. send, .. Answer()];
                    break;
                case Stage.AwaitingIa when _buffer.Count >= _iaLength:
                    return Complete(send);
                default:
                    return new MseStep(send, null);
            }
        }
    }

    /// <summary>A random pad length in 0..<paramref name="maxPad"/>.</summary>
    internal static int PadLength(FillRandom random, int maxPad)
    {
        Span<byte> two = stackalloc byte[2];
        random(two);
        return BinaryPrimitives.ReadUInt16BigEndian(two) % (maxPad + 1);
    }

    /// <summary>A public key followed by random padding (Ya+PadA, Yb+PadB).</summary>
    internal static byte[] WithPad(byte[] publicKey, FillRandom random, int maxPad)
    {
        var pad = PadLength(random, maxPad);
        var bytes = new byte[publicKey.Length + pad];
        publicKey.CopyTo(bytes, 0);
        random(bytes.AsSpan(publicKey.Length));
        return bytes;
    }

    private void OnTorrent(byte[] req2Xor3)
    {
        MseKeys.Xor(req2Xor3, MseKeys.Req3(_secret));
        if (!_byReq2.TryGetValue(Convert.ToHexString(req2Xor3), out var torrent))
        {
            throw new MseException("the initiator asked for a torrent we do not have (unknown SKEY)");
        }

        _infoHash = torrent;
        _decryptor = Rc4.ForMse(MseKeys.KeyA(_secret, torrent.Span));
        _encryptor = Rc4.ForMse(MseKeys.KeyB(_secret, torrent.Span));
        _stage = Stage.AwaitingProvide;
    }

    private void OnProvide(ReadOnlySpan<byte> fields)
    {
        if (fields[..MseLimits.VcLength].ContainsAnyExcept((byte)0))
        {
            throw new MseException("the verification constant did not decrypt to zeros");
        }

        var provide = (CryptoMethods)BinaryPrimitives.ReadUInt32BigEndian(fields[MseLimits.VcLength..]);
        _padC = BinaryPrimitives.ReadUInt16BigEndian(fields[(MseLimits.VcLength + 4)..]);
        if (_padC > MseLimits.MaxPad)
        {
            throw new MseException($"PadC of {_padC} bytes exceeds {MseLimits.MaxPad}");
        }

        // An initiator offering both takes either, and RC4 costs both ends CPU on every byte for no gain the
        // encrypted handshake has not already bought: plaintext, as libtorrent selects by default (prefer_rc4 off).
        // Where RC4 is wanted, `require` accepts nothing else.
        var common = provide & _accept;
        _selected = (common & CryptoMethods.Plaintext) != 0 ? CryptoMethods.Plaintext
            : (common & CryptoMethods.Rc4) != 0 ? CryptoMethods.Rc4
            : throw new MseException($"no common crypto method: the initiator offers 0x{(uint)provide:x}, we accept {_accept}");
        _stage = Stage.AwaitingPadC;
    }

    private byte[] Answer()
    {
        var answer = new byte[MseLimits.VcLength + 6]; // VC, crypto_select, len(PadD) = 0
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(MseLimits.VcLength), (uint)_selected);
        _encryptor!.Apply(answer);
        return answer;
    }

    private MseStep Complete(byte[] send)
    {
        var received = _buffer.Take(_buffer.Count);
        _decryptor!.Apply(received.AsSpan(0, _iaLength));
        var rc4 = _selected == CryptoMethods.Rc4;
        if (rc4)
        {
            _decryptor.Apply(received.AsSpan(_iaLength));
        }

        _stage = Stage.Done;
        return new MseStep(send, new MseResult(_selected, _infoHash!, rc4 ? _encryptor : null, rc4 ? _decryptor : null, received));
    }

    private enum Stage
    {
        AwaitingYa,
        SeekingReq1,
        AwaitingTorrent,
        AwaitingProvide,
        AwaitingPadC,
        AwaitingIa,
        Done,
    }
}
