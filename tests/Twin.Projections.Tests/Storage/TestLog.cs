using Microsoft.Extensions.Logging;

namespace Twin.Projections.Tests.Storage;

/// <summary>Sends the launcher's log to the current test's output.</summary>
internal sealed class TestLog : ILogger
{
    public static readonly TestLog Instance = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"[{logLevel}] {formatter(state, exception)}");
        }
        catch (InvalidOperationException)
        {
            // no test running any more (e.g. a stop at process exit)
        }
    }
}
