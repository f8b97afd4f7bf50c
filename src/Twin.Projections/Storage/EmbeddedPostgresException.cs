namespace Twin.Projections.Storage;

/// <summary>
/// The embedded PostgreSQL server could not be found, installed, started or stopped. The message says why and,
/// where it can, what to do about it; start failures carry the tail of the server log.
/// </summary>
public sealed class EmbeddedPostgresException : Exception
{
    public EmbeddedPostgresException() { }

    public EmbeddedPostgresException(string message) : base(message) { }

    public EmbeddedPostgresException(string message, Exception innerException) : base(message, innerException) { }
}
