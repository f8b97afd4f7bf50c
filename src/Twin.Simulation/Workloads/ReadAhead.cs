using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Twin.Simulation.Workloads;

/// <summary>
/// Reads a workload ahead on another thread while the caller consumes it: parsing a large trace then overlaps the
/// simulation instead of preceding each VM. One thread enumerates the source, in order, into a bounded queue of
/// batches, so the records, their order and the run that consumes them are exactly those of the source read directly;
/// a failure of the source (a bad row) reaches the caller at the record where it happened.
/// </summary>
public static class ReadAhead
{
    /// <summary>The records of <paramref name="source"/>, read up to <paramref name="batches"/> batches of
    /// <paramref name="batchSize"/> ahead on a background thread (small batches stay out of the large-object heap).
    /// Stopping early (disposing the enumerator) stops the reader.</summary>
    public static IEnumerable<T> Of<T>(IEnumerable<T> source, int batchSize = 256, int batches = 16)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        return Read(source, batchSize, batches);
    }

    private static IEnumerable<T> Read<T>(IEnumerable<T> source, int batchSize, int batches)
    {
        using var queue = new BlockingCollection<(T[] Items, int Count)>(batches);
        using var stop = new CancellationTokenSource();
        ExceptionDispatchInfo? failure = null;
        var reader = Task.Factory.StartNew(() =>
        {
            var batch = new T[batchSize];
            var count = 0;
            try
            {
                try
                {
                    foreach (var record in source)
                    {
                        batch[count++] = record;
                        if (count < batchSize) continue;
                        queue.Add((batch, count), stop.Token);
                        (batch, count) = (new T[batchSize], 0);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    // the records read before the failure still reach the caller, then the failure
                    failure = ExceptionDispatchInfo.Capture(e);
                }
                if (count > 0) queue.Add((batch, count), stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // the consumer stopped early
            }
            finally
            {
                queue.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var (items, count) in queue.GetConsumingEnumerable())
            {
                for (var i = 0; i < count; i++) yield return items[i];
            }
            reader.Wait();
            failure?.Throw();
        }
        finally
        {
            stop.Cancel();
            reader.Wait();
        }
    }
}
