using System.Net.Sockets;
using Npgsql;

namespace Twin.Grains.Persistence;

/// <summary>PostgreSQL does not answer (stopped, restarting, unreachable, out of connections): the command may be
/// retried once it is back. Carries only a message, so it crosses grain calls (Marten's and Npgsql's exceptions hold
/// commands and connections that Orleans cannot serialize).</summary>
[GenerateSerializer]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException(string message) : base(message)
    {
    }
}

/// <summary>PostgreSQL answered with an error that is not an outage (a rejected statement), as a message that crosses
/// grain calls.</summary>
[GenerateSerializer]
public sealed class StorageFailedException : Exception
{
    public StorageFailedException(string message) : base(message)
    {
    }
}

/// <summary>Tells a storage outage from other failures and turns Marten's and Npgsql's exceptions into ones that cross
/// grain calls. Messages come from Npgsql and PostgreSQL, which never include the connection string's password.</summary>
public static class StorageErrors
{
    /// <summary>Whether <paramref name="e"/> (or its causes) says PostgreSQL is not answering.</summary>
    public static bool IsUnavailable(Exception e) => Chain(e).Any(x => x switch
    {
        PostgresException p => IsUnavailableState(p.SqlState),
        NpgsqlException => true, // no answer at all: refused, reset, timed out
        SocketException => true,
        _ => false,
    });

    /// <summary>SQL states of a server going away or refusing connections: connection exceptions (08), operator
    /// intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now), insufficient resources (53).</summary>
    public static bool IsUnavailableState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03" || state.StartsWith("53", StringComparison.Ordinal);

    /// <summary><paramref name="e"/> as an exception that crosses a grain call, or itself when it already does.</summary>
    public static Exception Translate(Exception e)
    {
        if (e is StorageUnavailableException or StorageFailedException) return e;
        if (IsUnavailable(e)) return new StorageUnavailableException($"PostgreSQL is not answering: {Innermost(e).Message}");
        if (Chain(e).Any(x => x is NpgsqlException || x.GetType().Namespace?.StartsWith("Marten", StringComparison.Ordinal) == true))
            return new StorageFailedException($"PostgreSQL refused a statement: {Innermost(e).Message}");
        return e;
    }

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            yield return x;
            if (x is AggregateException a)
                foreach (var inner in a.InnerExceptions.SelectMany(Chain)) yield return inner;
        }
    }

    private static Exception Innermost(Exception e)
    {
        var x = e;
        while (x.InnerException is not null) x = x.InnerException;
        return x;
    }
}

/// <summary>Every grain call's storage failure leaves the grain as <see cref="StorageUnavailableException"/> or
/// <see cref="StorageFailedException"/>.</summary>
internal sealed class StorageExceptionFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (StorageErrors.Translate(e) is var translated && !ReferenceEquals(translated, e))
        {
            throw translated;
        }
    }
}
