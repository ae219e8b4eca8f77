using System.Globalization;
using System.Text;

namespace Swarm.Node.Http;

/// <summary>Writes the Prometheus text exposition format (0.0.4): each family once, with its HELP and TYPE, then its
/// samples; label values escaped as the format requires.</summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);

    /// <summary>Starts a family; <paramref name="type"/> is gauge or counter.</summary>
    public PrometheusText Family(string name, string type, string help)
    {
        if (!_families.Add(name))
        {
            throw new InvalidOperationException($"metric family {name} written twice");
        }

        _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    public PrometheusText Sample(string name, double value, params (string Name, string Value)[] labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i].Name).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    /// <summary>A family of one unlabelled sample.</summary>
    public PrometheusText Single(string name, string type, string help, double value) => Family(name, type, help).Sample(name, value);

    public override string ToString() => _text.ToString();

    public static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
