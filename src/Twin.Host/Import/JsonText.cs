using System.Globalization;
using System.Text;

namespace Twin.Host.Import;

/// <summary>
/// A small JSON reader that keeps the line and column of every value. System.Text.Json reports positions only for
/// syntax errors, and the importer must also name the line of a well-formed but wrong field.
/// </summary>
internal sealed class JsonText
{
    private readonly string _text;
    private readonly ParseContext _ctx;
    private readonly int _lineOffset;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private JsonText(string text, ParseContext ctx, int lineOffset)
    {
        _text = text;
        _ctx = ctx;
        _lineOffset = lineOffset;
    }

    /// <summary>Parses one JSON document. <paramref name="lineOffset"/> shifts reported lines (JSON embedded in a
    /// YAML block scalar).</summary>
    public static DataNode Parse(string text, ParseContext ctx, int lineOffset = 0)
    {
        var p = new JsonText(text, ctx, lineOffset);
        if (p._pos < text.Length && text[p._pos] == '\uFEFF') p._pos++;
        p.SkipSpace();
        var root = p.Value("");
        p.SkipSpace();
        if (p._pos < text.Length) throw p.Fail("JSON", $"unexpected '{text[p._pos]}' after the document");
        return root;
    }

    private int Line => _line + _lineOffset;
    private int Column => _pos - _lineStart + 1;

    private ImportException Fail(string field, string problem) => _ctx.Error(Line, Column, field, problem);

    private void SkipSpace()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '\n')
            {
                _pos++;
                _line++;
                _lineStart = _pos;
            }
            else if (c is ' ' or '\t' or '\r') _pos++;
            else break;
        }
    }

    private static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>Deepest nesting of objects and arrays read (real captures stay under 20); deeper input is refused
    /// rather than allowed to exhaust the stack of this recursive reader.</summary>
    internal const int MaxDepth = 256;

    private int _depth;

    private DataNode Value(string path)
    {
        if (_pos >= _text.Length || _text[_pos] is not ('{' or '[')) return ValueAt(path);
        if (++_depth > MaxDepth) throw Fail(path.Length == 0 ? "JSON" : path, $"is nested more than {MaxDepth} levels deep");
        try
        {
            return ValueAt(path);
        }
        finally
        {
            _depth--;
        }
    }

    private DataNode ValueAt(string path)
    {
        if (_pos >= _text.Length) throw Fail(path.Length == 0 ? "JSON" : path, "is missing (unexpected end of file)");
        int line = Line, col = Column;
        var c = _text[_pos];
        switch (c)
        {
            case '{':
                {
                    _pos++;
                    var entries = new List<KeyValuePair<string, DataNode>>();
                    SkipSpace();
                    if (Peek('}')) { _pos++; return new DataMap(line, col, path, entries); }
                    while (true)
                    {
                        SkipSpace();
                        if (!Peek('"')) throw Fail(path.Length == 0 ? "JSON" : path, "expects a quoted property name");
                        var key = StringBody();
                        SkipSpace();
                        if (!Peek(':')) throw Fail(Child(path, key), "expects ':' after the property name");
                        _pos++;
                        SkipSpace();
                        entries.Add(new(key, Value(Child(path, key))));
                        SkipSpace();
                        if (Peek(',')) { _pos++; continue; }
                        if (Peek('}')) { _pos++; return new DataMap(line, col, path, entries); }
                        throw Fail(path.Length == 0 ? "JSON" : path, "expects ',' or '}'");
                    }
                }
            case '[':
                {
                    _pos++;
                    var items = new List<DataNode>();
                    SkipSpace();
                    if (Peek(']')) { _pos++; return new DataList(line, col, path, items); }
                    while (true)
                    {
                        SkipSpace();
                        items.Add(Value($"{path}[{items.Count}]"));
                        SkipSpace();
                        if (Peek(',')) { _pos++; continue; }
                        if (Peek(']')) { _pos++; return new DataList(line, col, path, items); }
                        throw Fail(path.Length == 0 ? "JSON" : path, "expects ',' or ']'");
                    }
                }
            case '"':
                return new DataScalar(line, col, path, StringBody(), ScalarKind.String);
            default:
                {
                    var start = _pos;
                    while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '-' or '+' or '.')) _pos++;
                    var word = _text[start.._pos];
                    if (word == "true" || word == "false") return new DataScalar(line, col, path, word, ScalarKind.Bool);
                    if (word == "null") return new DataScalar(line, col, path, null, ScalarKind.Null);
                    if (word.Length > 0 && double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                        return new DataScalar(line, col, path, word, ScalarKind.Number);
                    _pos = start;
                    throw Fail(path.Length == 0 ? "JSON" : path, word.Length > 0 ? $"has an invalid value '{word}'" : $"has an unexpected '{c}'");
                }
        }
    }

    private bool Peek(char c) => _pos < _text.Length && _text[_pos] == c;

    private string StringBody()
    {
        _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] == '\n') throw Fail("JSON", "has an unterminated string");
            var c = _text[_pos++];
            if (c == '"') return sb.ToString();
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (_pos >= _text.Length) throw Fail("JSON", "has an unterminated string");
            var e = _text[_pos++];
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (_pos + 4 > _text.Length || !int.TryParse(_text.AsSpan(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                        throw Fail("JSON", "has an invalid \\u escape");
                    sb.Append((char)code);
                    _pos += 4;
                    break;
                default:
                    throw Fail("JSON", $"has an invalid escape '\\{e}'");
            }
        }
    }
}
