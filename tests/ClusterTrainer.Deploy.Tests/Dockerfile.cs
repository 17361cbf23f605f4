namespace ClusterTrainer.Deploy.Tests;

internal sealed record Instruction(int Line, string Keyword, string Arguments);

/// <summary>deploy/Dockerfile as instructions: comments dropped, continuation lines joined.</summary>
internal static class Dockerfile
{
    public const string File = "deploy/Dockerfile";

    public static IReadOnlyList<Instruction> Instructions { get; } = Parse(Repo.Read(File));

    /// <summary>The instructions after the last FROM: what the image that runs is made of.</summary>
    public static IReadOnlyList<Instruction> FinalStage =>
        Instructions.Skip(Instructions.Select((instruction, index) => (instruction, index)).Last(p => p.instruction.Keyword == "FROM").index).ToList();

    public static IEnumerable<string> Arguments(string keyword, IEnumerable<Instruction>? scope = null) =>
        (scope ?? Instructions).Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    /// <summary>
    /// The image each stage starts FROM, with the build arguments declared before the first FROM replaced by their
    /// defaults: what a plain `docker build` uses.
    /// </summary>
    public static IReadOnlyList<string> BaseImages
    {
        get
        {
            var firstFrom = Instructions.First(i => i.Keyword == "FROM").Line;
            var defaults = Instructions.Where(i => i.Keyword == "ARG" && i.Line < firstFrom)
                .Select(i => i.Arguments.Split('=', 2))
                .Where(parts => parts.Length == 2)
                .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
            return Arguments("FROM")
                .Select(arguments => arguments.Split(' ')[0])
                .Select(image => defaults.Aggregate(image, (text, arg) => text.Replace($"${{{arg.Key}}}", arg.Value, StringComparison.Ordinal)))
                .ToList();
        }
    }

    /// <summary>ENV NAME=value pairs of the final stage.</summary>
    public static Dictionary<string, string> Env =>
        Arguments("ENV", FinalStage)
            .SelectMany(arguments => arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length == 2 ? parts[1].Trim('"') : "", StringComparer.Ordinal);

    private static List<Instruction> Parse(string text)
    {
        var instructions = new List<Instruction>();
        var lines = text.Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var start = index + 1;
            while (line.EndsWith('\\') && index + 1 < lines.Length)
            {
                var next = lines[++index].Trim();
                line = line[..^1].TrimEnd() + (next.StartsWith('#') ? "" : " " + next);
            }

            var split = line.Split(' ', 2);
            instructions.Add(new Instruction(start, split[0].ToUpperInvariant(), split.Length == 2 ? split[1].Trim() : ""));
        }

        return instructions;
    }
}
