using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Swarm.Protocol.Mse;
using Xunit;

namespace Swarm.Protocol.Tests.Mse;

/// <summary>The MSE handshake between our initiator and our receiver in memory (both crypto selections, random
/// padding, bytes delivered in random chunks), its wire layout against the spec's formulas, and what a hostile
/// peer sends: each violation fails with one clear error, and the receiver never answers with more than it got
/// beyond the fixed Yb+PadB.</summary>
public sealed class MseHandshakeTests
{
    private static readonly InfoHash Torrent = new(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray());
    private static readonly InfoHash Other = new(Enumerable.Range(100, 20).Select(i => (byte)i).ToArray());

    private static FillRandom Seeded(int seed)
    {
        var random = new Random(seed);
        return random.NextBytes;
    }

    [Theory]
    [InlineData(CryptoMethods.Rc4 | CryptoMethods.Plaintext, CryptoMethods.Rc4 | CryptoMethods.Plaintext, CryptoMethods.Plaintext)]
    [InlineData(CryptoMethods.Rc4 | CryptoMethods.Plaintext, CryptoMethods.Rc4, CryptoMethods.Rc4)]
    [InlineData(CryptoMethods.Rc4, CryptoMethods.Rc4 | CryptoMethods.Plaintext, CryptoMethods.Rc4)]
    [InlineData(CryptoMethods.Rc4 | CryptoMethods.Plaintext, CryptoMethods.Plaintext, CryptoMethods.Plaintext)]
    [InlineData(CryptoMethods.Plaintext, CryptoMethods.Rc4 | CryptoMethods.Plaintext, CryptoMethods.Plaintext)]
    public void Both_sides_agree_and_carry_the_payload_both_ways(CryptoMethods provide, CryptoMethods accept, CryptoMethods expected)
    {
        for (var seed = 0; seed < 25; seed++)
        {
            var ia = Encoding.ASCII.GetBytes($"initial payload {seed}");
            var initiator = new MseInitiator(Torrent, provide, ia, Seeded(seed));
            var receiver = new MseReceiver([Other, Torrent], accept, Seeded(seed + 1000));
            var fromInitiator = Bytes(5000, seed);
            var fromReceiver = Bytes(7000, seed + 1);

            var run = Exchange(initiator, receiver, new Random(seed), fromInitiator, fromReceiver);

            Assert.Equal(expected, run.Initiator.Method);
            Assert.Equal(expected, run.Receiver.Method);
            Assert.Equal(Torrent, run.Receiver.InfoHash);
            Assert.Equal(expected == CryptoMethods.Rc4, run.Initiator.Encryptor is not null);
            Assert.Equal(expected == CryptoMethods.Rc4, run.Receiver.Decryptor is not null);
            Assert.Equal([.. ia, .. fromInitiator], run.ReceiverGot);
            Assert.Equal(fromReceiver, run.InitiatorGot);
        }
    }

    [Fact]
    public void Plaintext_selection_leaves_the_payload_readable_on_the_wire()
    {
        var initiator = new MseInitiator(Torrent, CryptoMethods.Plaintext, [], Seeded(1));
        var receiver = new MseReceiver([Torrent], CryptoMethods.Plaintext | CryptoMethods.Rc4, Seeded(2));
        var answer = receiver.Receive(initiator.Start()).Send;
        var done = receiver.Receive(initiator.Receive(answer).Send);
        var payload = Encoding.ASCII.GetBytes("\x13BitTorrent protocol");
        var last = initiator.Receive([.. done.Send, .. payload]);
        Assert.Equal(payload, last.Result!.Received);
    }

    [Theory]
    [InlineData(CryptoMethods.Plaintext)]
    [InlineData(CryptoMethods.Rc4)]
    public void The_receiver_answers_once_it_has_the_length_of_IA_before_IA_itself(CryptoMethods method)
    {
        // libtorrent sends IA in a segment of its own, held back by Nagle until our ACK: waiting for it stalled
        // every encrypted connection for a delayed ACK.
        var ia = Encoding.ASCII.GetBytes("\x13BitTorrent protocol and the rest of a handshake");
        var initiator = new MseInitiator(Torrent, method, ia, Seeded(11));
        var receiver = new MseReceiver([Torrent], method, Seeded(12));
        var third = initiator.Receive(receiver.Receive(initiator.Start()).Send).Send;

        var beforeIa = receiver.Receive(third[..^ia.Length]);
        Assert.Null(beforeIa.Result);
        Assert.Equal(MseLimits.VcLength + 6, beforeIa.Send.Length);
        Assert.Equal(method, initiator.Receive(beforeIa.Send).Result!.Method);

        var done = receiver.Receive(third[^ia.Length..]);
        Assert.Empty(done.Send);
        Assert.Equal(ia, done.Result!.Received);
    }

    [Fact]
    public void The_initiator_writes_what_the_spec_says()
    {
        var initiator = new MseInitiator(Torrent, CryptoMethods.Rc4, [1, 2, 3], Seeded(5));
        var ya = initiator.Start()[..MseLimits.KeyLength];

        // The receiver's key pair is ours to pick, so S can be computed independently of the initiator's code.
        var xb = new byte[20];
        xb[19] = 7;
        var yb = BigInteger.ModPow(2, 7, DiffieHellman.P).ToByteArray(isUnsigned: true, isBigEndian: true);
        var ybPadded = new byte[96];
        yb.CopyTo(ybPadded, 96 - yb.Length);
        var third = initiator.Receive(ybPadded).Send;

        var s = BigInteger.ModPow(new BigInteger(ya, isUnsigned: true, isBigEndian: true), 7, DiffieHellman.P).ToByteArray(isUnsigned: true, isBigEndian: true);
        var secret = new byte[96];
        s.CopyTo(secret, 96 - s.Length);
        Assert.Equal(DiffieHellman.FromPrivateKey(xb).SharedSecret(ya), secret);
        Assert.Equal(Sha1("req1", secret), third[..20]);
        var req2 = Sha1("req2", Torrent.Span.ToArray());
        var req3 = Sha1("req3", secret);
        Assert.Equal(req2.Zip(req3, (a, b) => (byte)(a ^ b)).ToArray(), third[20..40]);

        var keyA = Sha1("keyA", [.. secret, .. Torrent.Span.ToArray()]);
        var rc4 = new Rc4(keyA);
        rc4.Apply(new byte[1024]);
        var rest = third[40..];
        rc4.Apply(rest);
        Assert.Equal(new byte[8], rest[..8]);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(rest.AsSpan(8)));
        int padC = BinaryPrimitives.ReadUInt16BigEndian(rest.AsSpan(12));
        Assert.InRange(padC, 0, 512);
        Assert.Equal(3, BinaryPrimitives.ReadUInt16BigEndian(rest.AsSpan(14 + padC)));
        Assert.Equal(new byte[] { 1, 2, 3 }, rest[(16 + padC)..]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("P-1")]
    [InlineData("P")]
    [InlineData("max")]
    public void Invalid_public_keys_are_refused_by_both_sides(string which)
    {
        var value = which switch
        {
            "0" => BigInteger.Zero,
            "1" => BigInteger.One,
            "P-1" => DiffieHellman.P - 1,
            "P" => DiffieHellman.P,
            _ => (BigInteger.One << 768) - 1,
        };
        var key = new byte[96];
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        raw.CopyTo(key, 96 - raw.Length);

        var receiver = new MseReceiver([Torrent], CryptoMethods.Rc4, Seeded(1));
        Assert.Contains("public key", Assert.Throws<MseException>(() => receiver.Receive(key)).Message);
        var initiator = new MseInitiator(Torrent, CryptoMethods.Rc4, [], Seeded(2));
        initiator.Start();
        Assert.Contains("public key", Assert.Throws<MseException>(() => initiator.Receive(key)).Message);
    }

    [Fact]
    public void The_receiver_gives_up_when_req1_is_not_within_its_limit()
    {
        var receiver = new MseReceiver([Torrent], CryptoMethods.Rc4, Seeded(1));
        var ya = DiffieHellman.Create(Seeded(9)).PublicKey;
        Assert.NotEmpty(receiver.Receive(ya).Send);
        var garbage = Bytes(MseLimits.Req1SearchLimit, 4);
        Assert.False(receiver.Receive(garbage.AsSpan(0, MseLimits.Req1SearchLimit - 1)).IsComplete);
        var error = Assert.Throws<MseException>(() => receiver.Receive(garbage.AsSpan(MseLimits.Req1SearchLimit - 1)));
        Assert.Contains("req1", error.Message);
    }

    [Fact]
    public void The_initiator_gives_up_when_the_VC_is_not_within_its_limit()
    {
        var initiator = new MseInitiator(Torrent, CryptoMethods.Rc4, [], Seeded(1));
        initiator.Start();
        var yb = DiffieHellman.Create(Seeded(9)).PublicKey;
        Assert.NotEmpty(initiator.Receive(yb).Send);
        var garbage = Bytes(MseLimits.VcSearchLimit, 4);
        Assert.False(initiator.Receive(garbage.AsSpan(0, MseLimits.VcSearchLimit - 1)).IsComplete);
        var error = Assert.Throws<MseException>(() => initiator.Receive(garbage.AsSpan(MseLimits.VcSearchLimit - 1)));
        Assert.Contains("verification constant", error.Message);
    }

    [Fact]
    public void An_unknown_info_hash_is_refused()
    {
        var initiator = new MseInitiator(Other, CryptoMethods.Rc4, [], Seeded(1));
        var receiver = new MseReceiver([Torrent], CryptoMethods.Rc4, Seeded(2));
        var yb = receiver.Receive(initiator.Start()).Send;
        var third = initiator.Receive(yb).Send;
        Assert.Contains("unknown SKEY", Assert.Throws<MseException>(() => receiver.Receive(third)).Message);
    }

    [Fact]
    public void No_common_method_is_refused()
    {
        var initiator = new MseInitiator(Torrent, CryptoMethods.Plaintext, [], Seeded(1));
        var receiver = new MseReceiver([Torrent], CryptoMethods.Rc4, Seeded(2));
        var third = initiator.Receive(receiver.Receive(initiator.Start()).Send).Send;
        Assert.Contains("no common crypto method", Assert.Throws<MseException>(() => receiver.Receive(third)).Message);
    }

    [Fact]
    public void A_wrong_VC_an_oversized_PadC_and_an_oversized_PadD_are_refused()
    {
        // A hand-made initiator (the attacker) that knows S, so it can encrypt whatever it likes.
        Assert.Contains("verification constant", Assert.Throws<MseException>(() => HostileThirdMessage(vc: 1, padC: 0)).Message);
        Assert.Contains("PadC of 513", Assert.Throws<MseException>(() => HostileThirdMessage(vc: 0, padC: 513)).Message);

        var initiator = new MseInitiator(Torrent, CryptoMethods.Rc4, [], Seeded(1));
        var attacker = DiffieHellman.Create(Seeded(7));
        var secret = attacker.SharedSecret(initiator.Start().AsSpan(0, 96));
        initiator.Receive(attacker.PublicKey);
        var answer = new byte[8 + 6];
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(12), 513);
        Rc4.ForMse(MseKeys.KeyB(secret, Torrent.Span)).Apply(answer);
        Assert.Contains("PadD of 513", Assert.Throws<MseException>(() => initiator.Receive(answer)).Message);
    }

    [Fact]
    public void A_select_the_initiator_did_not_offer_is_refused()
    {
        var initiator = new MseInitiator(Torrent, CryptoMethods.Rc4, [], Seeded(1));
        var attacker = DiffieHellman.Create(Seeded(7));
        var secret = attacker.SharedSecret(initiator.Start().AsSpan(0, 96));
        initiator.Receive(attacker.PublicKey);
        var answer = new byte[8 + 6];
        BinaryPrimitives.WriteUInt32BigEndian(answer.AsSpan(8), 1);
        Rc4.ForMse(MseKeys.KeyB(secret, Torrent.Span)).Apply(answer);
        Assert.Contains("did not offer", Assert.Throws<MseException>(() => initiator.Receive(answer)).Message);
    }

    [Fact]
    public void The_receiver_never_answers_with_more_than_it_got_beyond_Yb_and_PadB()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var initiator = new MseInitiator(Torrent, CryptoMethods.Rc4 | CryptoMethods.Plaintext, [], Seeded(seed));
            var receiver = new MseReceiver([Torrent], CryptoMethods.Rc4 | CryptoMethods.Plaintext, Seeded(seed + 50));
            var run = Exchange(initiator, receiver, new Random(seed), [], []);
            Assert.True(run.ReceiverSent <= run.ReceiverHeard + MseLimits.KeyLength + MseLimits.MaxPad, $"sent {run.ReceiverSent} for {run.ReceiverHeard}");
            Assert.True(run.ReceiverSent - run.ReceiverFirstAnswer <= run.ReceiverHeard - MseLimits.KeyLength);
        }

        // Garbage after a valid Ya, a byte at a time: one Yb+PadB, then silence until it fails.
        var victim = new MseReceiver([Torrent], CryptoMethods.Rc4, Seeded(3));
        var sent = victim.Receive(DiffieHellman.Create(Seeded(4)).PublicKey).Send.Length;
        Assert.InRange(sent, MseLimits.KeyLength, MseLimits.KeyLength + MseLimits.MaxPad);
        var garbage = Bytes(MseLimits.Req1SearchLimit, 5);
        Assert.Throws<MseException>(() =>
        {
            foreach (var b in garbage)
            {
                Assert.Empty(victim.Receive([b]).Send);
            }
        });
    }

    private static MseStep HostileThirdMessage(int vc, int padC)
    {
        var receiver = new MseReceiver([Torrent], CryptoMethods.Rc4, Seeded(2));
        var attacker = DiffieHellman.Create(Seeded(7));
        var yb = receiver.Receive(attacker.PublicKey).Send.AsSpan(0, 96);
        var secret = attacker.SharedSecret(yb);
        var clear = new byte[8 + 6 + 2];
        clear[0] = (byte)vc;
        BinaryPrimitives.WriteUInt32BigEndian(clear.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt16BigEndian(clear.AsSpan(12), (ushort)padC);
        Rc4.ForMse(MseKeys.KeyA(secret, Torrent.Span)).Apply(clear);
        return receiver.Receive([.. MseKeys.Req1(secret), .. MseKeys.Req2Xor3(Torrent.Span, secret), .. clear]);
    }

    private static byte[] Sha1(string label, byte[] data) => SHA1.HashData([.. Encoding.ASCII.GetBytes(label), .. data]);

    private static byte[] Bytes(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static Run Exchange(MseInitiator initiator, MseReceiver receiver, Random chunks, byte[] initiatorPayload, byte[] receiverPayload)
    {
        var toReceiver = new List<byte>(initiator.Start());
        var toInitiator = new List<byte>();
        MseResult? atInitiator = null, atReceiver = null;
        var initiatorGot = new List<byte>();
        var receiverGot = new List<byte>();
        int heard = 0, sent = 0, firstAnswer = 0;
        for (var round = 0; round < 100_000 && (toReceiver.Count > 0 || toInitiator.Count > 0); round++)
        {
            if (toReceiver.Count > 0)
            {
                var chunk = Take(toReceiver, chunks);
                if (atReceiver is null)
                {
                    heard += chunk.Length;
                    var step = receiver.Receive(chunk);
                    firstAnswer = firstAnswer == 0 ? step.Send.Length : firstAnswer;
                    sent += step.Send.Length;
                    toInitiator.AddRange(step.Send);
                    if (step.Result is { } result)
                    {
                        atReceiver = result;
                        receiverGot.AddRange(result.Received);
                        toInitiator.AddRange(Encrypted(result.Encryptor, receiverPayload));
                    }
                }
                else
                {
                    atReceiver.Decryptor?.Apply(chunk);
                    receiverGot.AddRange(chunk);
                }
            }

            if (toInitiator.Count > 0)
            {
                var chunk = Take(toInitiator, chunks);
                if (atInitiator is null)
                {
                    var step = initiator.Receive(chunk);
                    toReceiver.AddRange(step.Send);
                    if (step.Result is { } result)
                    {
                        atInitiator = result;
                        initiatorGot.AddRange(result.Received);
                        toReceiver.AddRange(Encrypted(result.Encryptor, initiatorPayload));
                    }
                }
                else
                {
                    atInitiator.Decryptor?.Apply(chunk);
                    initiatorGot.AddRange(chunk);
                }
            }
        }

        Assert.NotNull(atInitiator);
        Assert.NotNull(atReceiver);
        return new Run(atInitiator, atReceiver, [.. initiatorGot], [.. receiverGot], heard, sent, firstAnswer);
    }

    private static byte[] Encrypted(Rc4? encryptor, byte[] payload)
    {
        var copy = payload.ToArray();
        encryptor?.Apply(copy);
        return copy;
    }

    private static byte[] Take(List<byte> from, Random chunks)
    {
        var n = chunks.Next(1, Math.Min(from.Count, 700) + 1);
        var chunk = from.GetRange(0, n).ToArray();
        from.RemoveRange(0, n);
        return chunk;
    }

    private sealed record Run(MseResult Initiator, MseResult Receiver, byte[] InitiatorGot, byte[] ReceiverGot, int ReceiverHeard, int ReceiverSent, int ReceiverFirstAnswer);
}
