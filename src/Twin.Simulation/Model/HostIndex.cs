using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Twin.Simulation.Model;

/// <summary>
/// A search tree over hosts (in topology order) holding each subtree's largest free vCPUs, free memory and free VFs,
/// so placement finds the first host that fits in O(log n) instead of scanning every host: a subtree whose maxima
/// cannot fit the VM is skipped, and a leaf is checked exactly.
/// </summary>
/// <remarks>
/// THIS IS IMPORTANT for speed: the tree has eight children per node, not two. A search walks down one level after
/// another, and on a datacenter of 10,000 hosts the lower levels are cache misses that cannot overlap (each level's
/// address depends on the one above); eight children per node make that five levels instead of fourteen. A node's
/// eight children are side by side in each of three arrays (vCPUs, memory, VFs), so the children that fit are found
/// with a few vector comparisons.
/// </remarks>
internal sealed class HostIndex
{
    private const int Shift = 3;
    private const int Fan = 1 << Shift;

    // levels below the root; level k holds Fan^k nodes starting at _levelStart[k]; level _depth is the hosts
    private readonly int _depth;
    private readonly int[] _levelStart;
    private readonly double[] _vcpu, _mem;
    private readonly int[] _vfs;

    // per level, the children still to try when a search backs up (one search at a time: a model owns its index)
    private readonly uint[] _pending;

    public HostIndex(int hosts)
    {
        var leaves = 1L;
        while (leaves < Math.Max(1, hosts))
        {
            leaves *= Fan;
            _depth++;
        }

        _levelStart = new int[_depth + 1];
        long total = 0, width = 1;
        for (var k = 0; k <= _depth; k++)
        {
            _levelStart[k] = (int)total;
            total += width;
            width *= Fan;
        }
        _vcpu = new double[total];
        _mem = new double[total];
        _vfs = new int[total];
        Array.Fill(_vcpu, double.NegativeInfinity);
        Array.Fill(_mem, double.NegativeInfinity);
        Array.Fill(_vfs, int.MinValue);
        _pending = new uint[_depth + 1];
    }

    /// <summary>Sets host <paramref name="host"/>'s free capacity.</summary>
    /// <remarks>Going up, a node's maximum is rescanned over its eight children only where the child that changed
    /// held it and went down; a child that went up to or above it sets it, and one that stayed below leaves it.</remarks>
    public void Update(int host, double freeVcpu, double freeMem, int freeVfs)
    {
        var at = _levelStart[_depth] + host;
        double oldVcpu = _vcpu[at], oldMem = _mem[at];
        var oldVfs = _vfs[at];
        if (oldVcpu == freeVcpu && oldMem == freeMem && oldVfs == freeVfs) return;
        (_vcpu[at], _mem[at], _vfs[at]) = (freeVcpu, freeMem, freeVfs);
        var node = host;
        for (var k = _depth - 1; k >= 0; k--)
        {
            var first = _levelStart[k + 1] + ((node >> Shift) << Shift);
            node >>= Shift;
            at = _levelStart[k] + node;
            double vcpu = _vcpu[at], mem = _mem[at];
            var vfs = _vfs[at];
            var newVcpu = freeVcpu >= vcpu ? freeVcpu : oldVcpu < vcpu ? vcpu : MaxOf(_vcpu, first);
            var newMem = freeMem >= mem ? freeMem : oldMem < mem ? mem : MaxOf(_mem, first);
            var newVfs = freeVfs >= vfs ? freeVfs : oldVfs < vfs ? vfs : MaxOf(_vfs, first);
            // a node whose maxima did not change leaves every ancestor as it was
            if (newVcpu == vcpu && newMem == mem && newVfs == vfs) return;
            (_vcpu[at], _mem[at], _vfs[at]) = (newVcpu, newMem, newVfs);
            (oldVcpu, oldMem, oldVfs) = (vcpu, mem, vfs);
            (freeVcpu, freeMem, freeVfs) = (newVcpu, newMem, newVfs);
        }
    }

    private static T MaxOf<T>(T[] values, int first)
        where T : INumber<T>
    {
        var max = values[first];
        for (var c = first + 1; c < first + Fan; c++) max = T.Max(max, values[c]);
        return max;
    }

    /// <summary>The first host with at least <paramref name="vcpu"/>, <paramref name="mem"/> and
    /// <paramref name="vfs"/> free, or -1.</summary>
    /// <remarks>Depth-first, children in host order: descend into the first child whose maxima fit; where no child of
    /// a node fits (each maximum fits, but no single host below has all three), back up and try that node's next
    /// sibling that fits.</remarks>
    public int FirstFit(double vcpu, double mem, int vfs)
    {
        if (_vcpu[0] < vcpu || _mem[0] < mem || _vfs[0] < vfs) return -1;
        if (_depth == 0) return 0;
        var k = 0;
        var parent = 0;
        var fits = FitMask(1, 0, vcpu, mem, vfs);
        while (true)
        {
            if (fits == 0)
            {
                if (k == 0) return -1;
                k--;
                parent >>= Shift;
                fits = _pending[k];
                continue;
            }
            var child = (parent << Shift) + BitOperations.TrailingZeroCount(fits);
            fits &= fits - 1;
            // a leaf's "maxima" are its host's own free capacity: it fits exactly
            if (k + 1 == _depth) return child;
            _pending[k] = fits;
            k++;
            parent = child;
            fits = FitMask(k + 1, parent, vcpu, mem, vfs);
        }
    }

    /// <summary>The host with the most free vCPUs among those that fit (ties: the first), or -1.</summary>
    public int MostFree(double vcpu, double mem)
    {
        if (_vcpu[0] < vcpu) return -1;
        var node = 0;
        for (var k = 1; k <= _depth; k++)
        {
            var first = _levelStart[k] + (node << Shift);
            var best = 0;
            for (var c = 1; c < Fan; c++)
                if (_vcpu[first + c] > _vcpu[first + best]) best = c;
            node = (node << Shift) + best;
        }
        return _mem[_levelStart[_depth] + node] >= mem ? node : FirstFit(vcpu, mem, 0);
    }

    /// <summary>Bit c set when child c of node <paramref name="parent"/> (on level <paramref name="level"/> - 1) has
    /// maxima that fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint FitMask(int level, int parent, double vcpu, double mem, int vfs)
    {
        var first = _levelStart[level] + (parent << Shift);
        ref var v = ref MemoryMarshal.GetArrayDataReference(_vcpu);
        ref var m = ref MemoryMarshal.GetArrayDataReference(_mem);
        ref var f = ref MemoryMarshal.GetArrayDataReference(_vfs);
        // the arrays are sized so that every node's Fan children exist
        var needVcpu = Vector256.Create(vcpu);
        var needMem = Vector256.Create(mem);
        var vcpuFits = Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref v, (nuint)first), needVcpu).ExtractMostSignificantBits()
                       | (Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref v, (nuint)(first + 4)), needVcpu).ExtractMostSignificantBits() << 4);
        var memFits = Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref m, (nuint)first), needMem).ExtractMostSignificantBits()
                      | (Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref m, (nuint)(first + 4)), needMem).ExtractMostSignificantBits() << 4);
        var vfsFit = Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref f, (nuint)first), Vector256.Create(vfs)).ExtractMostSignificantBits();
        return vcpuFits & memFits & vfsFit;
    }
}
