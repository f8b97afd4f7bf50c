using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Twin.Events.Common;
using Twin.Host.Api;
using Twin.Host.Import;
using Twin.Simulation.Rehearsal;

namespace Twin.Host.Rehearsal;

/// <summary>A change plan file that cannot be used: the file, line, column and field, and what is wrong. Nothing was
/// rehearsed or applied.</summary>
public sealed class PlanFileException(string file, int? line, int? column, string field, string problem)
    : Exception(Format(file, line, column, field, problem))
{
    public string File { get; } = file;
    public int? Line { get; } = line;
    public int? Column { get; } = column;
    public string Field { get; } = field;
    public string Problem { get; } = problem;

    private static string Format(string file, int? line, int? column, string field, string problem)
    {
        var where = line is { } l ? $":{l.ToString(CultureInfo.InvariantCulture)}" + (column is { } c ? $":{c.ToString(CultureInfo.InvariantCulture)}" : "") : "";
        return string.IsNullOrEmpty(field) ? $"{file}{where}: {problem}" : $"{file}{where}: {field}: {problem}";
    }
}

/// <summary>A plan read from a file, with the trace its horizon names (a path relative to the plan file; the CLI reads
/// it, the server never reads files).</summary>
public sealed record PlanFileContent(ChangePlan Plan, string? TracePath, string? TraceFormat);

/// <summary>
/// Reads change plans from YAML or JSON files (the same shape as the API's JSON body; see docs/rehearsal.md). Every
/// problem is reported with the file, line, column and field: syntax, an unknown action or field, a missing field, a
/// value of the wrong type, and the plan's own rules (<see cref="ChangePlan.Validate"/>).
/// </summary>
public static class PlanFile
{
    private static readonly string[] TopLevel = ["name", "description", "horizon", "steps"];
    private static readonly string[] TraceKeys = ["trace", "traceFormat"];

    /// <summary>Reads and checks the plan at <paramref name="path"/>.</summary>
    public static PlanFileContent Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new PlanFileException(path, null, null, "", $"cannot be read: {e.Message}");
        }
        var content = Parse(text, path);
        return content.TracePath is { } trace && !Path.IsPathRooted(trace)
            ? content with { TracePath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", trace)) }
            : content;
    }

    /// <summary>Parses plan text; <paramref name="source"/> names it in messages (a .json name, or text starting with '{',
    /// is read as JSON, anything else as YAML).</summary>
    public static PlanFileContent Parse(string text, string source)
    {
        var ctx = new ParseContext(source, new Observations(source, default));
        DataNode root;
        try
        {
            var json = source.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith('{');
            if (json) root = JsonText.Parse(text, ctx);
            else
            {
                var docs = YamlText.Parse(text, ctx);
                if (docs.Count != 1) throw new PlanFileException(source, null, null, "", docs.Count == 0 ? "is empty" : $"holds {docs.Count} YAML documents; a plan is one");
                root = docs[0];
            }
        }
        catch (ImportException e)
        {
            // the importer's message is "source line l, column c: field problem"
            var problem = e.Message[(e.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..];
            if (e.Field is { Length: > 0 } f && problem.StartsWith(f + " ", StringComparison.Ordinal)) problem = problem[(f.Length + 1)..];
            throw new PlanFileException(source, e.Line, e.Column, e.Field ?? "", problem);
        }
        return new Reader(source).Plan(root);
    }

    private sealed class Reader(string source)
    {
        private PlanFileException Error(DataNode node, string problem, string? field = null) => new(source, node.Line, node.Column, field ?? node.Path, problem);

        public PlanFileContent Plan(DataNode root)
        {
            if (root is not DataMap map) throw Error(root, "a plan is a map with name, steps and optionally description and horizon", "");
            Unknown(map, TopLevel, "a plan");
            var name = map.Get("name") is { } n ? String(n) : Path.GetFileNameWithoutExtension(source);
            var description = map.Get("description") is { } d ? String(d) : null;
            if (map.Get("steps") is not { } stepsNode || stepsNode is DataScalar { Kind: ScalarKind.Null })
                throw Error(map, "is required: the ordered list of steps", "steps");
            if (stepsNode is not DataList list) throw Error(stepsNode, "must be a list of steps");
            var steps = list.Items.Select(Step).ToList();
            var (horizon, trace, traceFormat) = map.Get("horizon") is { } h and not DataScalar { Kind: ScalarKind.Null } ? Horizon(h) : (null, null, null);
            var plan = new ChangePlan(name!, [.. steps]) { Description = description, Horizon = horizon };
            if (plan.Validate().FirstOrDefault() is { } problem)
            {
                var node = problem.Step is { } i ? Find(list.Items[i], problem.Field) : Find(map, problem.Field);
                throw Error(node, problem.Problem, problem.Step is { } s ? $"steps[{s.ToString(CultureInfo.InvariantCulture)}].{problem.Field}" : problem.Field);
            }
            return new PlanFileContent(plan, trace, traceFormat);
        }

        private PlanStep Step(DataNode node, int index)
        {
            if (node is not DataMap map) throw Error(node, "a step is a map: action and its fields");
            var actionNode = map.Get("action") ?? throw Error(map, $"is required: one of {string.Join(", ", PlanStep.Actions)}", $"{node.Path}.action");
            var action = String(actionNode);
            var type = StepTypes.GetValueOrDefault(action ?? "")
                       ?? throw Error(actionNode, $"'{action}' is not an action; use one of {string.Join(", ", PlanStep.Actions)}");
            var fields = Fields(type);
            Unknown(map, ["action", .. fields.Keys], $"a {action} step");
            foreach (var required in fields.Where(f => f.Value.Required && map.Get(f.Key) is null or DataScalar { Kind: ScalarKind.Null }))
                throw Error(map, $"is required by {action} (its fields: {string.Join(", ", fields.Keys)})", $"{node.Path}.{required.Key}");
            var json = new JsonObject { ["action"] = action };
            foreach (var (key, value) in map.Entries.Where(e => e.Key != "action"))
                json[Canonical(fields.Keys, key)] = Json(value, fields[Canonical(fields.Keys, key)].Type);
            try
            {
                return json.Deserialize<PlanStep>(TwinJson.Options) ?? throw Error(node, "is empty");
            }
            catch (JsonException e)
            {
                var field = e.Path is { Length: > 2 } p ? p[2..] : "";
                throw Error(Find(map, field), Clean(e.Message), field.Length == 0 ? node.Path : $"{node.Path}.{field}");
            }
        }

        private (HorizonSpec, string?, string?) Horizon(DataNode node)
        {
            if (node is not DataMap map) throw Error(node, "must be a map (days, replications, seed, arrivalsPerHour, trace, …)");
            var fields = Properties(typeof(HorizonSpec)).Where(p => p.Key is not ("traceVms" or "traceSource")).ToDictionary();
            Unknown(map, [.. fields.Keys, .. TraceKeys], "the horizon");
            var json = new JsonObject();
            string? trace = null, format = null;
            foreach (var (key, value) in map.Entries)
            {
                if (key.Equals("trace", StringComparison.OrdinalIgnoreCase)) trace = String(value);
                else if (key.Equals("traceFormat", StringComparison.OrdinalIgnoreCase)) format = String(value);
                else json[Canonical(fields.Keys, key)] = Json(value, fields[Canonical(fields.Keys, key)]);
            }
            try
            {
                return (json.Deserialize<HorizonSpec>(TwinJson.Options)!, trace, format);
            }
            catch (JsonException e)
            {
                var field = e.Path is { Length: > 2 } p ? p[2..] : "";
                throw Error(Find(map, field), Clean(e.Message), field.Length == 0 ? "horizon" : $"horizon.{field}");
            }
        }

        private void Unknown(DataMap map, IReadOnlyCollection<string> allowed, string what)
        {
            foreach (var (key, value) in map.Entries)
                if (!allowed.Contains(key, StringComparer.OrdinalIgnoreCase))
                    throw Error(value, $"is not a field of {what}; its fields are {string.Join(", ", allowed)}", map.Path.Length == 0 ? key : $"{map.Path}.{key}");
        }

        /// <summary>A node as JSON for <paramref name="target"/>, refused at its own line when it cannot be one: a number
        /// where a number goes, true/false, a list, a map with known fields. A YAML number or true/false where an id or a
        /// text is expected is taken as its text (<c>vm: 42</c>).</summary>
        private JsonNode? Json(DataNode node, Type target)
        {
            if (node is DataScalar { Kind: ScalarKind.Null }) return null;
            var type = Nullable.GetUnderlyingType(target) ?? target;
            if (type == typeof(string) || IsStringId(type) || type.IsEnum)
                return node is DataScalar s ? JsonValue.Create(s.Text) : throw Error(node, "must be a single value, not a " + (node is DataList ? "list" : "map"));
            if (type == typeof(bool))
                return node is DataScalar { Kind: ScalarKind.Bool } b ? JsonValue.Create(b.Text!.Trim().Equals("true", StringComparison.OrdinalIgnoreCase))
                    : throw Error(node, "must be true or false");
            if (type == typeof(int) || type == typeof(long) || type == typeof(ulong))
                return node is DataScalar { Kind: ScalarKind.Number } n && decimal.TryParse(n.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var whole) && whole == decimal.Truncate(whole)
                    ? JsonValue.Create(whole) : throw Error(node, "must be a whole number");
            if (type == typeof(double))
                return node is DataScalar { Kind: ScalarKind.Number } d && double.TryParse(d.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)
                    ? JsonValue.Create(real) : throw Error(node, "must be a number");
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueList<>))
                return node is DataList l ? new JsonArray([.. l.Items.Select(i => Json(i, type.GetGenericArguments()[0]))]) : throw Error(node, "must be a list");
            if (node is not DataMap m) throw Error(node, "must be a map");
            var fields = Parameters(type);
            Unknown(m, [.. fields.Keys], $"a {type.Name}");
            foreach (var required in fields.Where(f => f.Value.Required && m.Get(f.Key) is null or DataScalar { Kind: ScalarKind.Null }))
                throw Error(m, $"is required (the fields of a {type.Name}: {string.Join(", ", fields.Keys)})", $"{m.Path}.{required.Key}");
            return new JsonObject(m.Entries.Select(e => KeyValuePair.Create(Canonical(fields.Keys, e.Key), Json(e.Value, fields[Canonical(fields.Keys, e.Key)].Type))));
        }

        private string? String(DataNode node) => node switch
        {
            DataScalar { Kind: ScalarKind.Null } => null,
            DataScalar s => s.Text,
            _ => throw Error(node, "must be a single value, not a " + (node is DataList ? "list" : "map")),
        };
    }

    private static readonly Dictionary<string, Type> StepTypes = typeof(PlanStep).GetCustomAttributes<System.Text.Json.Serialization.JsonDerivedTypeAttribute>()
        .ToDictionary(a => (string)a.TypeDiscriminator!, a => a.DerivedType, StringComparer.Ordinal);

    /// <summary>A step type's fields as written in a plan: its constructor parameters (required unless they have a
    /// default) and the common id and independent.</summary>
    private static Dictionary<string, (Type Type, bool Required)> Fields(Type step)
    {
        var fields = Parameters(step);
        fields["id"] = (typeof(string), false);
        fields["independent"] = (typeof(bool), false);
        return fields;
    }

    /// <summary>A record's constructor parameters as JSON fields (required unless they have a default).</summary>
    private static Dictionary<string, (Type Type, bool Required)> Parameters(Type type) =>
        type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First().GetParameters()
            .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name!), p => (p.ParameterType, !p.HasDefaultValue), StringComparer.Ordinal);

    private static Dictionary<string, Type> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)
            .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), p => p.PropertyType, StringComparer.Ordinal);

    private static string Canonical(IEnumerable<string> names, string key) => names.FirstOrDefault(n => n.Equals(key, StringComparison.OrdinalIgnoreCase)) ?? key;

    private static bool IsStringId(Type t) => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IStringId<>));

    /// <summary>The node a field path ("vfs", "vnics[0].iovWeight") points at, else the nearest node above it.</summary>
    private static DataNode Find(DataNode from, string path)
    {
        var node = from;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part;
            var index = -1;
            if (part.IndexOf('[') is var b and > 0 && part.EndsWith(']'))
            {
                name = part[..b];
                index = int.TryParse(part[(b + 1)..^1], CultureInfo.InvariantCulture, out var i) ? i : -1;
            }
            if (node is not DataMap m || m.Get(name) is not { } next) return node;
            node = next;
            if (index >= 0)
            {
                if (node is not DataList l || index >= l.Items.Count) return node;
                node = l.Items[index];
            }
        }
        return node;
    }

    /// <summary>System.Text.Json's message without its position suffix, in the plan's words.</summary>
    private static string Clean(string message)
    {
        var m = message.Split(" Path:", 2)[0].Trim();
        if (m.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal))
        {
            var type = m["The JSON value could not be converted to ".Length..].TrimEnd('.');
            return "must be " + (type switch
            {
                "System.Int32" or "System.Int64" or "System.UInt64" => "a whole number",
                "System.Double" => "a number",
                "System.Boolean" => "true or false",
                "System.String" => "a text",
                _ when type.StartsWith("Twin.Events.Common.ValueList", StringComparison.Ordinal) => "a list",
                _ => $"a {type[(type.LastIndexOf('.') + 1)..]}",
            });
        }
        return m;
    }
}
