using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Swarm.Protocol.Mse;

/// <summary>The RC4 stream cipher MSE uses (.NET ships none). One instance is one direction of one connection:
/// its keystream position is state, so it is mutable and must not be shared between threads.</summary>
public sealed class Rc4
{
    /// <summary>MSE throws away the first keystream bytes, whose bias is RC4's known weakness.</summary>
    public const int MseDiscard = 1024;

    private readonly byte[] _s = new byte[256];
    private byte _i;
    private byte _j;

    public Rc4(ReadOnlySpan<byte> key)
    {
        if (key.Length is 0 or > 256)
        {
            throw new ArgumentException($"an RC4 key is 1 to 256 bytes, not {key.Length}", nameof(key));
        }

        for (var i = 0; i < 256; i++)
        {
            _s[i] = (byte)i;
        }

        byte j = 0;
        for (var i = 0; i < 256; i++)
        {
            j = (byte)(j + _s[i] + key[i % key.Length]);
            (_s[i], _s[j]) = (_s[j], _s[i]);
        }
    }

    /// <summary>An RC4 keyed for MSE: the first <see cref="MseDiscard"/> bytes of keystream already spent.</summary>
    public static Rc4 ForMse(ReadOnlySpan<byte> key)
    {
        var rc4 = new Rc4(key);
        Span<byte> discard = stackalloc byte[MseDiscard];
        discard.Clear();
        rc4.Apply(discard);
        return rc4;
    }

    /// <summary>Encrypts or decrypts <paramref name="data"/> in place (the same operation both ways). Every byte of an
    /// encrypted connection passes here: the state is reached by reference without bounds checks (each index is masked
    /// to 0..255 and the state is 256 bytes), which the byte-indexed loop paid three times per byte.</summary>
    public void Apply(Span<byte> data)
    {
        ref var s = ref MemoryMarshal.GetArrayDataReference(_s);
        ref var d = ref MemoryMarshal.GetReference(data);
        nuint i = _i;
        nuint j = _j;
        for (nuint n = 0; n < (nuint)data.Length; n++)
        {
            i = (i + 1) & 0xFF;
            var si = Unsafe.Add(ref s, i);
            j = (j + si) & 0xFF;
            var sj = Unsafe.Add(ref s, j);
            Unsafe.Add(ref s, i) = sj;
            Unsafe.Add(ref s, j) = si;
            Unsafe.Add(ref d, n) ^= Unsafe.Add(ref s, (nuint)((si + sj) & 0xFF));
        }

        _i = (byte)i;
        _j = (byte)j;
    }

    /// <summary>Writes the transformed <paramref name="source"/> to <paramref name="destination"/> (same length or longer).</summary>
    public void Apply(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        Apply(destination[..source.Length]);
    }
}
