using System.Text;

namespace Swarm.Node.ConsoleClient;

/// <summary>Line editing for the interactive shell on a terminal: cursor keys, Home/End, Ctrl-A/E/U/W, history with
/// Up/Down (kept in a file between sessions), Tab completion, Ctrl-C to drop the line, Ctrl-D on an empty line to leave.</summary>
internal sealed class LineEditor
{
    private const int MaxHistory = 1000;
    private readonly List<string> _history = [];
    private readonly string? _historyFile;
    private readonly Func<string, int, IReadOnlyList<string>> _complete;

    /// <param name="complete">Candidates for the word ending at the cursor, given the whole line and the cursor.</param>
    public LineEditor(string? historyFile, Func<string, int, IReadOnlyList<string>> complete)
    {
        _historyFile = historyFile;
        _complete = complete;
        if (historyFile is not null && File.Exists(historyFile))
        {
            _history.AddRange(File.ReadLines(historyFile).Where(l => l.Length > 0).TakeLast(MaxHistory));
        }
    }

    /// <summary>Reads one line; null at end of input (Ctrl-D on an empty line).</summary>
    public string? ReadLine(string prompt)
    {
        var buffer = new StringBuilder();
        var cursor = 0;
        var browsing = _history.Count;
        var draft = string.Empty;
        Console.Write(prompt);
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            var ctrl = (key.Modifiers & ConsoleModifiers.Control) != 0;
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    var line = buffer.ToString();
                    Remember(line);
                    return line;
                case ConsoleKey.C when ctrl:
                    Console.WriteLine("^C");
                    buffer.Clear();
                    cursor = 0;
                    Console.Write(prompt);
                    continue;
                case ConsoleKey.D when ctrl:
                    if (buffer.Length == 0)
                    {
                        Console.WriteLine();
                        return null;
                    }

                    if (cursor < buffer.Length)
                    {
                        buffer.Remove(cursor, 1);
                    }

                    break;
                case ConsoleKey.Backspace when cursor > 0:
                    buffer.Remove(--cursor, 1);
                    break;
                case ConsoleKey.Delete when cursor < buffer.Length:
                    buffer.Remove(cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when cursor > 0:
                    cursor--;
                    break;
                case ConsoleKey.RightArrow when cursor < buffer.Length:
                    cursor++;
                    break;
                case ConsoleKey.Home:
                case ConsoleKey.A when ctrl:
                    cursor = 0;
                    break;
                case ConsoleKey.End:
                case ConsoleKey.E when ctrl:
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.U when ctrl:
                    buffer.Remove(0, cursor);
                    cursor = 0;
                    break;
                case ConsoleKey.W when ctrl:
                    var start = WordStart(buffer.ToString(), cursor);
                    buffer.Remove(start, cursor - start);
                    cursor = start;
                    break;
                case ConsoleKey.UpArrow when browsing > 0:
                    if (browsing == _history.Count)
                    {
                        draft = buffer.ToString();
                    }

                    browsing--;
                    buffer.Clear().Append(_history[browsing]);
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.DownArrow when browsing < _history.Count:
                    browsing++;
                    buffer.Clear().Append(browsing == _history.Count ? draft : _history[browsing]);
                    cursor = buffer.Length;
                    break;
                case ConsoleKey.Tab:
                    cursor = Complete(buffer, cursor, prompt);
                    break;
                default:
                    if (!ctrl && key.KeyChar >= ' ')
                    {
                        buffer.Insert(cursor++, key.KeyChar);
                    }

                    break;
            }

            Redraw(prompt, buffer, cursor);
        }
    }

    private int Complete(StringBuilder buffer, int cursor, string prompt)
    {
        var text = buffer.ToString();
        var start = WordStart(text, cursor);
        var word = text[start..cursor];
        var candidates = _complete(text, cursor).Where(c => c.StartsWith(word, StringComparison.OrdinalIgnoreCase)).Distinct().ToList();
        if (candidates.Count == 0)
        {
            return cursor;
        }

        var common = candidates.Count == 1 ? candidates[0] + (candidates[0].EndsWith('/') ? string.Empty : " ") : CommonPrefix(candidates);
        if (common.Length > word.Length)
        {
            buffer.Remove(start, word.Length).Insert(start, common);
            return start + common.Length;
        }

        // Nothing more to add: show the choices under the line, as shells do.
        Console.WriteLine();
        Console.WriteLine(string.Join("  ", candidates.Take(50)) + (candidates.Count > 50 ? $"  … {candidates.Count - 50} more" : string.Empty));
        Console.Write(prompt);
        return cursor;
    }

    private static string CommonPrefix(IReadOnlyList<string> words)
    {
        var prefix = words[0];
        foreach (var w in words.Skip(1))
        {
            var n = 0;
            while (n < prefix.Length && n < w.Length && char.ToLowerInvariant(prefix[n]) == char.ToLowerInvariant(w[n]))
            {
                n++;
            }

            prefix = prefix[..n];
        }

        return prefix;
    }

    private static int WordStart(string text, int cursor)
    {
        var i = cursor;
        while (i > 0 && !char.IsWhiteSpace(text[i - 1]))
        {
            i--;
        }

        return i;
    }

    private static void Redraw(string prompt, StringBuilder buffer, int cursor)
    {
        // Back to the line start, rewrite prompt and text, clear what is left of the old text, place the cursor.
        var back = buffer.Length - cursor;
        Console.Write($"\r{prompt}{buffer}\u001b[K{(back > 0 ? $"\u001b[{back}D" : string.Empty)}");
    }

    private void Remember(string line)
    {
        if (string.IsNullOrWhiteSpace(line) || (_history.Count > 0 && _history[^1] == line))
        {
            return;
        }

        _history.Add(line);
        if (_historyFile is null)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_historyFile)!);
            File.AppendAllLines(_historyFile, [line]);
        }
        catch (IOException)
        {
            // History is a convenience; a read-only home must not break the shell.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
