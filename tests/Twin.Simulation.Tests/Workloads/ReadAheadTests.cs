using Twin.Simulation.Workloads;

namespace Twin.Simulation.Tests.Workloads;

public sealed class ReadAheadTests
{
    [Theory]
    [InlineData(0, 7)]
    [InlineData(1, 7)]
    [InlineData(7, 7)]
    [InlineData(100, 7)]
    [InlineData(10_000, 64)]
    public void Gives_every_record_of_the_source_in_its_order(int count, int batchSize)
    {
        var source = Enumerable.Range(0, count).Select(i => $"vm{i}").ToList();

        var read = ReadAhead.Of(source, batchSize, batches: 2).ToList();

        Assert.Equal(source, read);
    }

    [Fact]
    public void A_failing_source_fails_the_caller_after_the_records_before_the_failure()
    {
        static IEnumerable<int> Failing()
        {
            for (var i = 0; i < 10; i++) yield return i;
            throw new TraceFormatException(new TraceProblem("t.csv", 11, "vmcreated", "x", "is not an integer"));
        }

        var seen = new List<int>();
        var error = Assert.Throws<TraceFormatException>(() =>
        {
            foreach (var i in ReadAhead.Of(Failing(), batchSize: 3, batches: 1)) seen.Add(i);
        });

        Assert.Equal(Enumerable.Range(0, 10), seen);
        Assert.Equal(11, error.Problem.Line);
    }

    [Fact]
    public void Stopping_early_stops_the_reader_of_an_endless_source()
    {
        var served = 0;
        IEnumerable<int> Endless()
        {
            for (var i = 0; ; i++)
            {
                Interlocked.Increment(ref served);
                yield return i;
            }
        }

        var firstFive = ReadAhead.Of(Endless(), batchSize: 4, batches: 2).Take(5).ToList();
        var afterStop = Volatile.Read(ref served);

        Assert.Equal([0, 1, 2, 3, 4], firstFive);
        // the reader is stopped when the caller's enumeration ends: it read at most what the caller took, the bounded queue and the batch in hand
        Assert.InRange(afterStop, 5, (4 * (2 + 2 + 1)) + 1);
        Assert.Equal(afterStop, Volatile.Read(ref served));
    }
}
