using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerClient;

/// <summary>Reads a tracker's HTTP response body as a stream, never more than <c>swarm.tracker.max-response-size</c>:
/// a bigger body (announced or actually sent) is a tracker error after at most that many bytes were read, so a
/// tracker answering a gigabyte costs the node one capped buffer.</summary>
public static class BoundedBody
{
    private const int Chunk = 16 * 1024;

    /// <param name="declaredLength">The Content-Length, when the tracker sent one: refused at once when too large.</param>
    public static async Task<byte[]> ReadAsync(Stream body, long? declaredLength, int max, CancellationToken ct)
    {
        if (declaredLength > max)
        {
            throw TooLarge(max, $"{declaredLength} bytes");
        }

        // Grows with what arrives, not with what is claimed: a small body costs a small buffer.
        var buffer = new byte[Math.Min(max, declaredLength is { } n ? (int)n : Chunk) + 1];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > max)
                {
                    throw TooLarge(max, "more");
                }

                Array.Resize(ref buffer, (int)Math.Min((long)max + 1, Math.Max(buffer.Length * 2L, Chunk)));
            }

            var read = await body.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer[..length];
            }

            length += read;
        }
    }

    private static TrackerException TooLarge(int max, string size) =>
        new($"tracker response too large ({size}; at most {max} bytes are read, swarm.tracker.max-response-size)");
}
