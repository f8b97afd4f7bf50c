using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Twin.Simulation.Engine;

namespace Twin.Simulation.Model;

/// <summary>One step of a run, in event order, at <see cref="Time"/> (µs): the arrival of the workload's VM number
/// <see cref="Arrival"/> (its place in arrival order), or a departure (Arrival = -1); either way the VM's slot in the
/// model's arrays.</summary>
internal readonly record struct Tick(long Time, int Arrival, int Slot)
{
    public bool IsDeparture => Arrival < 0;
}

/// <summary>
/// Puts a workload's arrivals and departures in event order, up to the horizon. Arrivals come in the workload's order
/// (which must not go back in time); each VM's departure waits in the future-event list, ordered by (time, sequence), so
/// departures at the same instant leave in arrival order, and a departure goes before an arrival at the same instant (a VM
/// leaving frees what the next one may need). A VM's departure time is part of the workload, so this order does not depend
/// on what the model decides: the model skips the departures of VMs it never started (refused, or failed to power on).
/// That is what lets the order be produced ahead of the model, on this thread or a second one.
/// The order also gives each VM its slot in the model's arrays, at its arrival, and takes it back at its departure for a
/// later arrival (unless every VM keeps its own, for per-VM results), so the model's memory follows the VMs present.
/// </summary>
internal sealed class EventOrder
{
    private readonly Scheduler<int> _departures;
    private readonly bool _reuseSlots;
    private int[] _freeSlots = new int[256];
    private int _freeCount, _slots;
    private readonly long _horizon;
    private readonly SimVm[]? _array;
    private readonly IEnumerator<SimVm>? _source;
    private readonly int _count;
    private readonly SimVm[] _store;
    private readonly int _storeMask;
    private int _next;
    private bool _hasArrival, _over;
    private long _arrival, _last;

    private EventOrder(long horizon, int pendingHint, bool reuseSlots, SimVm[]? array, int count, IEnumerator<SimVm>? source, int inFlight)
    {
        _horizon = horizon;
        _reuseSlots = reuseSlots;
        _departures = new Scheduler<int>(Math.Max(1024, pendingHint));
        _array = array;
        _count = count;
        _source = source;
        if (array is not null)
        {
            // the model reads an arrival in place: store = the workload, mask = all bits
            _store = array;
            _storeMask = -1;
        }
        else
        {
            // the model reads an arrival from a ring of copies, large enough for every arrival not yet consumed
            var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, inFlight + 1));
            _store = new SimVm[size];
            _storeMask = size - 1;
        }
        _last = long.MinValue;
        Load();
    }

    /// <summary>The order of <paramref name="workload"/> (an array is read in place); <paramref name="inFlight"/> bounds the
    /// ticks produced and not yet consumed (for the ring of copies); without <paramref name="reuseSlots"/> VM n has slot n.</summary>
    public static EventOrder Of(IEnumerable<SimVm> workload, long horizon, int pendingHint, bool reuseSlots, int inFlight) => workload switch
    {
        SimVm[] array => new EventOrder(horizon, pendingHint, reuseSlots, array, array.Length, null, inFlight),
        _ => new EventOrder(horizon, pendingHint, reuseSlots, null, 0, workload.GetEnumerator(), inFlight),
    };

    /// <summary>Where arrival n is read: Store[n &amp; StoreMask], valid until its tick is consumed.</summary>
    public SimVm[] Store => _store;

    public int StoreMask => _storeMask;


    /// <summary>Writes the next ticks to <paramref name="into"/>; returns how many (0 once the run is over).</summary>
    public int Fill(Span<Tick> into)
    {
        var n = 0;
        while (n < into.Length && !_over)
        {
            var nextArrival = _hasArrival ? _arrival : long.MaxValue;
            if (_departures.TryPeekTime(out var at) && at.Microseconds <= nextArrival)
            {
                if (at.Microseconds > _horizon)
                {
                    _over = true;
                    break;
                }
                _departures.TryNext(out var e);
                _last = at.Microseconds;
                into[n++] = new Tick(at.Microseconds, -1, e.Payload);
                // the model runs this departure before any later tick, so the slot can go to a later arrival
                if (_reuseSlots)
                {
                    if (_freeCount == _freeSlots.Length) Array.Resize(ref _freeSlots, _freeSlots.Length * 2);
                    _freeSlots[_freeCount++] = e.Payload;
                }
                continue;
            }
            if (!_hasArrival || nextArrival > _horizon)
            {
                _over = true;
                break;
            }
            var vm = _next;
            ref readonly var v = ref _store[vm & _storeMask];
            _last = nextArrival;
            var slot = _freeCount > 0 ? _freeSlots[--_freeCount] : _slots++;
            into[n++] = new Tick(nextArrival, vm, slot);
            if (v.Departure is { } dep) _departures.Schedule(SimTime.FromMicroseconds(Math.Max(dep.Microseconds, nextArrival)), slot);
            _next++;
            Load();
        }
        return n;
    }

    /// <summary>Reads arrival <see cref="_next"/> (into the ring of copies when the workload is not an array) and checks
    /// that it does not go back in time.</summary>
    private void Load()
    {
        if (_array is not null)
        {
            _hasArrival = _next < _count;
        }
        else
        {
            _hasArrival = _source!.MoveNext();
            if (_hasArrival)
            {
                if (_next == int.MaxValue) throw new ArgumentException($"the workload has more than {int.MaxValue:N0} VMs");
                _store[_next & _storeMask] = _source.Current;
            }
        }
        if (!_hasArrival) return;
        ref readonly var v = ref _store[_next & _storeMask];
        _arrival = v.Arrival.Microseconds;
        if (_arrival < _last)
            throw new ArgumentException($"the workload is not in arrival order: VM {v.Id} arrives at {v.Arrival}, before {SimTime.FromMicroseconds(_last)}");
    }

    /// <summary>Produces the whole order into <paramref name="ring"/> (run on the second thread), then closes it; a failure
    /// (a workload out of order, a trace that cannot be read) is handed to the consumer.</summary>
    public void FillAll(TickRing ring)
    {
        try
        {
            while (true)
            {
                var space = ring.Reserve();
                if (space.IsEmpty) return; // the consumer stopped
                var n = Fill(space);
                if (n == 0) break;
                ring.Publish(n);
            }
            ring.Complete(null);
        }
        catch (Exception e)
        {
            ring.Complete(ExceptionDispatchInfo.Capture(e));
        }
        finally
        {
            _source?.Dispose();
        }
    }

    /// <summary>Releases the workload's enumerator (when the order was produced on this thread).</summary>
    public void Dispose() => _source?.Dispose();
}

/// <summary>
/// A single-producer, single-consumer ring of ticks between the thread that orders events and the thread that runs the
/// model. Both sides publish their position in batches, so the cache line holding it changes cores once per batch, not
/// once per tick.
/// </summary>
internal sealed class TickRing
{
    private const int Batch = 1024;
    private readonly Tick[] _ticks;
    private readonly int _mask;
    private Positions _at;
    private ExceptionDispatchInfo? _failure;

    public TickRing(int capacity)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2 * Batch, capacity));
        _ticks = new Tick[size];
        _mask = size - 1;
    }

    /// <summary>How many ticks can be produced and not yet consumed.</summary>
    public int Capacity => _ticks.Length;

    /// <summary>Producer: room for up to a batch of ticks (contiguous), waiting while the ring is full; empty when the
    /// consumer has stopped.</summary>
    public Span<Tick> Reserve()
    {
        var written = _at.Written;
        var spin = new SpinWait();
        while (written - Volatile.Read(ref _at.Read) > _ticks.Length - Batch)
        {
            if (Volatile.Read(ref _at.Stopped)) return [];
            spin.SpinOnce(sleep1Threshold: -1);
        }
        if (Volatile.Read(ref _at.Stopped)) return [];
        var start = (int)(written & _mask);
        return _ticks.AsSpan(start, Math.Min(Batch, _ticks.Length - start));
    }

    /// <summary>Producer: the first <paramref name="count"/> reserved ticks are written.</summary>
    public void Publish(int count) => Volatile.Write(ref _at.Written, _at.Written + count);

    /// <summary>Producer: no more ticks (with the failure that ended the order, if any).</summary>
    public void Complete(ExceptionDispatchInfo? failure)
    {
        _failure = failure;
        Volatile.Write(ref _at.Done, true);
    }

    /// <summary>Consumer: the ticks produced and not consumed yet (contiguous), waiting for some; empty when there will
    /// be no more.</summary>
    public ReadOnlySpan<Tick> Take()
    {
        var read = _at.Read;
        var spin = new SpinWait();
        long written;
        while ((written = Volatile.Read(ref _at.Written)) == read)
        {
            // Done is set after the last Publish, so once it is seen, Written is final
            if (Volatile.Read(ref _at.Done) && Volatile.Read(ref _at.Written) == read) return [];
            spin.SpinOnce(sleep1Threshold: -1);
        }
        var start = (int)(read & _mask);
        return _ticks.AsSpan(start, (int)Math.Min(written - read, _ticks.Length - start));
    }

    /// <summary>Consumer: <paramref name="count"/> ticks are done with (their arrivals' copies may be reused).</summary>
    public void Consumed(int count) => Volatile.Write(ref _at.Read, _at.Read + count);

    /// <summary>Consumer: stop the producer (the model failed, or the run ended early).</summary>
    public void Stop() => Volatile.Write(ref _at.Stopped, true);

    /// <summary>Rethrows the producer's failure, with its own stack.</summary>
    public void ThrowIfFailed() => _failure?.Throw();

    /// <summary>The two positions on cache lines of their own (the producer writes one, the consumer the other).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Positions
    {
        [FieldOffset(64)] public long Written;
        [FieldOffset(72)] public bool Done;
        [FieldOffset(128)] public long Read;
        [FieldOffset(136)] public bool Stopped;
    }
}
