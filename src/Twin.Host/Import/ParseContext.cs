using System.Xml;
using System.Xml.Linq;

namespace Twin.Host.Import;

/// <summary>What a parser needs besides its text: the source name for messages and the place to put what it found.</summary>
internal sealed class ParseContext(string source, Observations output)
{
    public string Source { get; } = source;
    public Observations Output { get; } = output;

    public ImportException Error(int? line, int? column, string field, string problem) => new(Source, line, column, field, problem);

    public ImportException Error(DataNode node, string problem) => new(Source, node.Line, node.Column, node.Path, problem);

    public ImportException Error(XObject at, string field, string problem)
    {
        var info = (IXmlLineInfo)at;
        return info.HasLineInfo() ? new(Source, info.LineNumber, info.LinePosition, field, problem) : new(Source, null, null, field, problem);
    }

    public static int? LineOf(XObject at) => ((IXmlLineInfo)at).HasLineInfo() ? ((IXmlLineInfo)at).LineNumber : null;

    public void Info(int? line, string message) => Output.Diagnostics.Add(new(DiagnosticSeverity.Info, Source, line, message));

    public void Warn(int? line, string message) => Output.Diagnostics.Add(new(DiagnosticSeverity.Warning, Source, line, message));
}
