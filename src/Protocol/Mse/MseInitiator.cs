using System.Buffers.Binary;

namespace Swarm.Protocol.Mse;

/// <summary>The initiating (dialling) side of the MSE handshake as a state machine over bytes: <see cref="Start"/>
/// gives Ya+PadA, each <see cref="Receive"/> takes what the peer sent and answers with what to send next, until the
/// result says which method carries the stream. It sends, after Yb: HASH('req1', S), HASH('req2', SKEY) xor
/// HASH('req3', S), ENCRYPT(VC, crypto_provide, len(PadC), PadC, len(IA)), ENCRYPT(IA); then it looks for the
/// receiver's encrypted VC within <see cref="MseLimits.VcSearchLimit"/> bytes after Yb and reads crypto_select and
/// PadD. Any violation throws <see cref="MseException"/>.</summary>
public sealed class MseInitiator
{
    private readonly InfoHash _infoHash;
    private readonly CryptoMethods _provide;
    private readonly byte[] _initialPayload;
    private readonly FillRandom _random;
    private readonly int _maxPad;
    private readonly DiffieHellman _keys;
    private readonly MseBuffer _buffer = new();
    private Stage _stage = Stage.NotStarted;
    private byte[] _vcPattern = [];
    private Rc4? _encryptor;
    private Rc4? _decryptor;
    private CryptoMethods _selected;
    private int _padD;

    /// <param name="infoHash">SKEY: the torrent we ask the receiver for.</param>
    /// <param name="provide">The methods we offer (crypto_provide).</param>
    /// <param name="initialPayload">IA: sent encrypted inside the handshake (typically our BitTorrent handshake), so
    /// the exchange takes no extra round trip; may be empty.</param>
    /// <param name="random">Source of the private key and the padding.</param>
    /// <param name="maxPad">The longest PadA and PadC we send (each is random in 0..maxPad).</param>
    public MseInitiator(InfoHash infoHash, CryptoMethods provide, ReadOnlySpan<byte> initialPayload, FillRandom random, int maxPad = MseLimits.MaxPad)
    {
        if (provide == CryptoMethods.None || (provide & ~(CryptoMethods.Plaintext | CryptoMethods.Rc4)) != 0)
        {
            throw new ArgumentException($"crypto_provide must be plaintext and/or RC4, not {provide}", nameof(provide));
        }

        if (initialPayload.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"the initial payload is at most {ushort.MaxValue} bytes", nameof(initialPayload));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(maxPad);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPad, MseLimits.MaxPad);
        _infoHash = infoHash;
        _provide = provide;
        _initialPayload = initialPayload.ToArray();
        _random = random;
        _maxPad = maxPad;
        _keys = DiffieHellman.Create(random);
    }

    /// <summary>Ya followed by PadA: the first bytes on the connection.</summary>
    public byte[] Start()
    {
        if (_stage != Stage.NotStarted)
        {
            throw new InvalidOperationException("the handshake has already started");
        }

        _stage = Stage.AwaitingYb;
        return MseReceiver.WithPad(_keys.PublicKey, _random, _maxPad);
    }

    /// <summary>Takes the bytes the receiver sent; returns what to send and, once complete, the result.</summary>
    public MseStep Receive(ReadOnlySpan<byte> data)
    {
        if (_stage is Stage.NotStarted or Stage.Done)
        {
            throw new InvalidOperationException(_stage == Stage.Done ? "the handshake is over" : "call Start first");
        }

        _buffer.Append(data);
        var send = Array.Empty<byte>();
        while (true)
        {
            switch (_stage)
            {
                case Stage.AwaitingYb when _buffer.Count >= MseLimits.KeyLength:
                    send = OnYb(_buffer.Take(MseLimits.KeyLength));
                    break;
                case Stage.SeekingVc:
                    var at = _buffer.Span.IndexOf(_vcPattern);
                    if (at < 0 || at > MseLimits.MaxPad)
                    {
                        if (at > MseLimits.MaxPad || _buffer.Count >= MseLimits.VcSearchLimit)
                        {
                            throw new MseException($"no verification constant within {MseLimits.VcSearchLimit} bytes after Yb");
                        }

                        return new MseStep(send, null);
                    }

                    _buffer.Consume(at + MseLimits.VcLength);
                    _stage = Stage.AwaitingSelect;
                    break;
                case Stage.AwaitingSelect when _buffer.Count >= 6:
                    var fields = _buffer.Span[..6];
                    _decryptor!.Apply(fields);
                    _selected = (CryptoMethods)BinaryPrimitives.ReadUInt32BigEndian(fields);
                    _padD = BinaryPrimitives.ReadUInt16BigEndian(fields[4..]);
                    _buffer.Consume(6);
                    if (_selected is not (CryptoMethods.Plaintext or CryptoMethods.Rc4) || (_selected & _provide) == 0)
                    {
                        throw new MseException($"the receiver selected crypto method 0x{(uint)_selected:x}, which we did not offer ({_provide})");
                    }

                    if (_padD > MseLimits.MaxPad)
                    {
                        throw new MseException($"PadD of {_padD} bytes exceeds {MseLimits.MaxPad}");
                    }

                    _stage = Stage.AwaitingPadD;
                    break;
                case Stage.AwaitingPadD when _buffer.Count >= _padD:
                    _decryptor!.Apply(_buffer.Span[.._padD]);
                    _buffer.Consume(_padD);
                    _stage = Stage.Done;
                    var rest = _buffer.Take(_buffer.Count);
                    var rc4 = _selected == CryptoMethods.Rc4;
                    if (rc4)
                    {
                        _decryptor.Apply(rest);
                    }

                    return new MseStep(send, new MseResult(_selected, _infoHash, rc4 ? _encryptor : null, rc4 ? _decryptor : null, rest));
                default:
                    return new MseStep(send, null);
            }
        }
    }

    private byte[] OnYb(byte[] yb)
    {
        var secret = _keys.SharedSecret(yb);
        var skey = _infoHash.Span;
        _encryptor = Rc4.ForMse(MseKeys.KeyA(secret, skey));
        _decryptor = Rc4.ForMse(MseKeys.KeyB(secret, skey));
        _vcPattern = new byte[MseLimits.VcLength];
        _decryptor.Apply(_vcPattern);
        _stage = Stage.SeekingVc;

        var padC = MseReceiver.PadLength(_random, _maxPad);
        var message = new byte[(2 * MseLimits.HashLength) + MseLimits.VcLength + 4 + 2 + padC + 2 + _initialPayload.Length];
        MseKeys.Req1(secret).CopyTo(message, 0);
        MseKeys.Req2Xor3(skey, secret).CopyTo(message, MseLimits.HashLength);
        var encrypted = message.AsSpan(2 * MseLimits.HashLength);
        var at = MseLimits.VcLength; // VC: zeros already
        BinaryPrimitives.WriteUInt32BigEndian(encrypted[at..], (uint)_provide);
        BinaryPrimitives.WriteUInt16BigEndian(encrypted[(at + 4)..], (ushort)padC);
        at += 6;
        _random(encrypted.Slice(at, padC));
        at += padC;
        BinaryPrimitives.WriteUInt16BigEndian(encrypted[at..], (ushort)_initialPayload.Length);
        _initialPayload.CopyTo(encrypted[(at + 2)..]);
        _encryptor.Apply(encrypted);
        return message;
    }

    private enum Stage
    {
        NotStarted,
        AwaitingYb,
        SeekingVc,
        AwaitingSelect,
        AwaitingPadD,
        Done,
    }
}
