using System.Globalization;

namespace Swarm.Node.Cli;

internal static class Format
{
    public static string Bytes(double n)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var u = 0;
        while (n >= 1024 && u < units.Length - 1)
        {
            n /= 1024;
            u++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{n:0.#} {units[u]}");
    }

    public static string Rate(double bytesPerSecond) => Bytes(bytesPerSecond) + "/s";
}
