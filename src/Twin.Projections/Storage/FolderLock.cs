namespace Twin.Projections.Storage;

/// <summary>
/// An exclusive lock on a launcher folder, held for the lifetime of the owning process. On Linux .NET takes it with
/// flock(2), so the kernel releases it when the owner dies, however it dies: a lock that can be taken means the
/// previous owner is gone.
/// </summary>
internal sealed class FolderLock : IDisposable
{
    public const string LockFileName = ".lock";
    public const string OwnerFileName = "owner";

    private readonly FileStream _stream;

    private FolderLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock, or returns null when another live process (or another launcher in this one) holds it.</summary>
    public static FolderLock? TryAcquire(string folder)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(Path.Combine(folder, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            return null;
        }
        return new FolderLock(stream);
    }

    /// <summary>Records this process as the owner, for the message another process shows when it finds the folder in use.</summary>
    public void RecordOwner(string folder) =>
        File.WriteAllText(Path.Combine(folder, OwnerFileName), $"{Environment.ProcessId}\n");

    public static string DescribeOwner(string folder)
    {
        try
        {
            return $"process {File.ReadAllText(Path.Combine(folder, OwnerFileName)).Trim()}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "another process";
        }
    }

    public void Dispose() => _stream.Dispose();
}
