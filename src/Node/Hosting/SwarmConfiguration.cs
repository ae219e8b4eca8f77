using Akka.Configuration;

namespace Swarm.Node.Hosting;

/// <summary>Builds the node's HOCON once: CLI overrides, then --config FILE, then hocon/swarm.conf shipped beside the binary.</summary>
public static class SwarmConfiguration
{
    public static string DefaultFile => Path.Combine(AppContext.BaseDirectory, "hocon", "swarm.conf");

    public static Config Load(string? userFile, IReadOnlyDictionary<string, string> overrides)
    {
        if (!File.Exists(DefaultFile))
        {
            throw new FileNotFoundException($"default configuration not found at {DefaultFile}");
        }

        var config = ConfigurationFactory.ParseString(File.ReadAllText(DefaultFile));
        if (userFile is not null)
        {
            if (!File.Exists(userFile))
            {
                throw new FileNotFoundException($"configuration file '{userFile}' does not exist");
            }

            config = ConfigurationFactory.ParseString(File.ReadAllText(userFile)).WithFallback(config);
        }

        if (overrides.Count > 0)
        {
            var text = string.Join('\n', overrides.Select(kv => $"{kv.Key} = {kv.Value}"));
            config = ConfigurationFactory.ParseString(text).WithFallback(config);
        }

        return config;
    }

    public static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
