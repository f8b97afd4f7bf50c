using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;

namespace Twin.Simulation.Model;

/// <summary>One step of a run, in event order, at <see cref="Time"/> (µs). <see cref="Arrival"/> says what: the arrival of
/// the workload's VM number <see cref="Arrival"/> (≥ 0: its place in the workload), a departure, a change of a VM (its
/// number in the VM's <see cref="SimVm.Changes"/> is <see cref="Change"/>), or a host or PF failing or being repaired.
/// <see cref="Slot"/> is the VM's slot in the model's arrays, or the host's or PF's index.</summary>
internal readonly record struct Tick(long Time, int Arrival, int Slot)
{
    public const int DepartureCode = -1, HostFailsCode = -2, HostRepairedCode = -3, NicFailsCode = -4, NicRepairedCode = -5;
    public const int MaintenanceStartsCode = -6, MaintenanceEndsCode = -7;

    /// <summary>Change k of a VM is coded <c>FirstChangeCode - k</c>.</summary>
    public const int FirstChangeCode = -16;

    public bool IsDeparture => Arrival == DepartureCode;

    public int Change => FirstChangeCode - Arrival;
}

/// <summary>What fails in a run's scope: the hosts and PFs (global indexes) whose failures this order produces, with
/// the listed outages and maintenance windows among them, and the seed of the random failures.</summary>
internal sealed record FailureScope(FailureOptions Options, int[] Hosts, int[] Nics, (int Code, int Target, long At, long Until)[] Listed, ulong Seed, ulong Replication);

/// <summary>
/// Puts a workload's arrivals, departures and changes, and the failures and repairs of hosts and PFs, in event order,
/// up to the horizon. Arrivals come in the workload's order (which must not go back in time); each VM's departure and
/// its changes wait in the future-event list, ordered by (time, sequence), so events at the same instant keep the order
/// they were scheduled in, and a departure goes before an arrival at the same instant (a VM leaving frees what the next
/// one may need). A VM's departure and change times are part of the workload, and failure times are drawn from streams
/// of their own, so this order does not depend on what the model decides: the model skips what does not apply (the
/// departure of a VM it never started, the change of a VM that is not there). That is what lets the order be produced
/// ahead of the model, on this thread or a second one.
/// The order also gives each VM its slot in the model's arrays, at its arrival, and takes it back at its departure for a
/// later arrival (unless every VM keeps its own, for per-VM results), so the model's memory follows the VMs present.
/// </summary>
internal sealed class EventOrder
{
    // the future-event list's payload: a departing VM's slot (≥ 0), or ~i for entry i of the other events' table
    private readonly Scheduler<int> _future;
    private readonly bool _reuseSlots;
    private int[] _freeSlots = new int[256];
    private int _freeCount, _slots;
    private readonly long _horizon;
    private readonly SimVm[]? _array;
    private readonly IEnumerator<SimVm>? _source;
    private readonly int _start, _count;
    private readonly SimVm[] _store;
    private readonly int _storeMask;
    private int _next, _nextIndex;
    private bool _hasArrival, _over;
    private long _arrival, _last;

    // other events than departures: code and target, whether a random failure process drew it, recycled through a free list
    private int[] _specCode = [], _specTarget = [];
    private bool[] _specRandom = [];
    private int[] _specFree = [];
    private int _specFreeCount, _specMade;

    // per slot, for VMs with changes: their changes and their departure (a change at or after it never happens)
    private VmChange[]?[] _changes = [];
    private long[] _departs = [];

    private readonly FailureScope? _failures;
    private readonly Pcg32?[] _hostRandom = [], _nicRandom = [];

    private EventOrder(long horizon, int pendingHint, bool reuseSlots, SimVm[]? array, int start, int count, IEnumerator<SimVm>? source,
        int inFlight, FailureScope? failures, Scheduler<int>? future)
    {
        _horizon = horizon;
        _reuseSlots = reuseSlots;
        _future = future ?? new Scheduler<int>(Math.Max(1024, pendingHint));
        _future.Clear();
        _array = array;
        _start = start;
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
        _failures = failures;
        if (failures is not null)
        {
            _hostRandom = new Pcg32?[failures.Hosts.Length == 0 ? 0 : failures.Hosts.Max() + 1];
            _nicRandom = new Pcg32?[failures.Nics.Length == 0 ? 0 : failures.Nics.Max() + 1];
            ScheduleFailures(failures);
        }
        Load();
    }

    /// <summary>The order of <paramref name="workload"/> (an array is read in place, all of it or the
    /// <paramref name="count"/> VMs from <paramref name="start"/>); <paramref name="inFlight"/> bounds the ticks produced and not yet consumed (for the ring
    /// of copies); without <paramref name="reuseSlots"/> VM n has slot n. <paramref name="future"/>, when given, is a
    /// future-event list to use again (its memory kept).</summary>
    public static EventOrder Of(IEnumerable<SimVm> workload, long horizon, int pendingHint, bool reuseSlots, int inFlight,
        FailureScope? failures = null, int start = 0, int? count = null, Scheduler<int>? future = null) => workload switch
    {
        SimVm[] array => new EventOrder(horizon, pendingHint, reuseSlots, array, start, Math.Min(count ?? array.Length - start, array.Length - start), null,
            inFlight, failures, future),
        _ => new EventOrder(horizon, pendingHint, reuseSlots, null, 0, 0, workload.GetEnumerator(), inFlight, failures, future),
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
            if (_future.TryPeekTime(out var at) && at.Microseconds <= nextArrival)
            {
                if (at.Microseconds > _horizon)
                {
                    _over = true;
                    break;
                }
                _future.TryNext(out var e);
                _last = at.Microseconds;
                if (e.Payload < 0)
                {
                    into[n++] = Other(~e.Payload, at.Microseconds);
                    continue;
                }
                into[n++] = new Tick(at.Microseconds, Tick.DepartureCode, e.Payload);
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
            if (v.Departure is { } dep) _future.Schedule(SimTime.FromMicroseconds(Math.Max(dep.Microseconds, nextArrival)), slot);
            if (v.Changes is { Length: > 0 } changes) FirstChange(in v, changes, slot, nextArrival);
            _nextIndex++;
            Load();
        }
        return n;
    }

    /// <summary>Reads the next arrival (into the ring of copies when the workload is not an array) and checks that it
    /// does not go back in time.</summary>
    private void Load()
    {
        if (_array is not null)
        {
            _hasArrival = _nextIndex < _count;
            if (!_hasArrival) return;
            _next = _start + _nextIndex;
        }
        else
        {
            _hasArrival = _source!.MoveNext();
            if (_hasArrival)
            {
                if (_nextIndex == int.MaxValue) throw new ArgumentException($"the workload has more than {int.MaxValue:N0} VMs");
                _next = _nextIndex;
                _store[_next & _storeMask] = _source.Current;
            }
        }
        if (!_hasArrival) return;
        ref readonly var v = ref _store[_next & _storeMask];
        _arrival = v.Arrival.Microseconds;
        if (_arrival < _last)
            throw new ArgumentException($"the workload is not in arrival order: VM {v.Id} arrives at {v.Arrival}, before {SimTime.FromMicroseconds(_last)}");
    }

    // ---------------- changes of VMs ----------------

    private void FirstChange(in SimVm v, VmChange[] changes, int slot, long arrival)
    {
        var departs = v.Departure?.Microseconds ?? long.MaxValue;
        var previous = arrival;
        foreach (var c in changes)
        {
            if (c.At.Microseconds < previous)
                throw new ArgumentException(c.At.Microseconds < arrival
                    ? $"VM {v.Id}: a change ({c.Kind} at {c.At}) comes before its arrival at {v.Arrival}"
                    : $"VM {v.Id}: its changes are not in time order ({c.Kind} at {c.At} after one at {SimTime.FromMicroseconds(previous)})");
            previous = c.At.Microseconds;
        }
        if (slot >= _changes.Length)
        {
            var length = Math.Max(slot + 1, _changes.Length * 2);
            Array.Resize(ref _changes, length);
            Array.Resize(ref _departs, length);
        }
        _changes[slot] = changes;
        _departs[slot] = departs;
        ScheduleChange(slot, 0);
    }

    private void ScheduleChange(int slot, int k)
    {
        var changes = _changes[slot]!;
        if (k >= changes.Length || changes[k].At.Microseconds >= _departs[slot]) return;
        _future.Schedule(changes[k].At, ~Special(Tick.FirstChangeCode - k, slot, random: false));
    }

    // ---------------- failures and repairs ----------------

    private void ScheduleFailures(FailureScope scope)
    {
        var o = scope.Options;
        foreach (var (code, target, at, until) in scope.Listed)
        {
            _future.Schedule(SimTime.FromMicroseconds(at), ~Special(code, target, random: false));
            var ends = code switch
            {
                Tick.HostFailsCode => Tick.HostRepairedCode,
                Tick.NicFailsCode => Tick.NicRepairedCode,
                _ => Tick.MaintenanceEndsCode,
            };
            _future.Schedule(SimTime.FromMicroseconds(until), ~Special(ends, target, random: false));
        }
        if (o.HostMtbf is { } hostMtbf)
            foreach (var h in scope.Hosts) ScheduleRandom(Tick.HostFailsCode, h, 0, hostMtbf);
        if (o.NicMtbf is { } nicMtbf)
            foreach (var nic in scope.Nics) ScheduleRandom(Tick.NicFailsCode, nic, 0, nicMtbf);
    }

    /// <summary>The next step of target's random failure process: <paramref name="code"/> after an exponential time of
    /// mean <paramref name="mean"/> from <paramref name="from"/> (beyond the horizon: never).</summary>
    private void ScheduleRandom(int code, int target, long from, SimDuration mean)
    {
        var hosts = code is Tick.HostFailsCode or Tick.HostRepairedCode;
        var randoms = hosts ? _hostRandom : _nicRandom;
        var random = randoms[target] ??= Pcg32.ForReplication(_failures!.Seed, _failures.Replication, (hosts ? 0x1_0000_0000UL : 0x2_0000_0000UL) + (ulong)target);
        var delay = Exponential.Sample(random, 1.0 / Math.Max(1, mean.Microseconds));
        var at = from + (long)Math.Min(delay, long.MaxValue / 4);
        if (at > _horizon || at < from) return;
        _future.Schedule(SimTime.FromMicroseconds(at), ~Special(code, target, random: true));
    }

    private Tick Other(int i, long at)
    {
        var (code, target, random) = (_specCode[i], _specTarget[i], _specRandom[i]);
        if (_specFreeCount == _specFree.Length) Array.Resize(ref _specFree, Math.Max(16, _specFree.Length * 2));
        _specFree[_specFreeCount++] = i;
        if (code <= Tick.FirstChangeCode) ScheduleChange(target, Tick.FirstChangeCode - code + 1);
        else if (random)
        {
            var o = _failures!.Options;
            switch (code)
            {
                case Tick.HostFailsCode: ScheduleRandom(Tick.HostRepairedCode, target, at, o.HostMttr); break;
                case Tick.HostRepairedCode: ScheduleRandom(Tick.HostFailsCode, target, at, o.HostMtbf!.Value); break;
                case Tick.NicFailsCode: ScheduleRandom(Tick.NicRepairedCode, target, at, o.NicMttr); break;
                case Tick.NicRepairedCode: ScheduleRandom(Tick.NicFailsCode, target, at, o.NicMtbf!.Value); break;
            }
        }
        return new Tick(at, code, target);
    }

    private int Special(int code, int target, bool random)
    {
        int i;
        if (_specFreeCount > 0) i = _specFree[--_specFreeCount];
        else
        {
            if (_specMade == _specCode.Length)
            {
                var length = Math.Max(64, _specCode.Length * 2);
                Array.Resize(ref _specCode, length);
                Array.Resize(ref _specTarget, length);
                Array.Resize(ref _specRandom, length);
            }
            i = _specMade++;
        }
        (_specCode[i], _specTarget[i], _specRandom[i]) = (code, target, random);
        return i;
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
