namespace Twin.Simulation.Model;

/// <summary>
/// A segment tree over hosts (in topology order) holding each subtree's largest free vCPUs, free memory and free VFs,
/// so placement finds the first host that fits in O(log n) instead of scanning every host: a subtree whose maxima
/// cannot fit the VM is skipped, and a leaf is checked exactly.
/// </summary>
internal sealed class HostIndex
{
    private readonly int _size;
    private readonly double[] _vcpu;
    private readonly double[] _mem;
    private readonly int[] _vfs;

    public HostIndex(int hosts)
    {
        _size = 1;
        while (_size < Math.Max(1, hosts)) _size <<= 1;
        _vcpu = new double[2 * _size];
        _mem = new double[2 * _size];
        _vfs = new int[2 * _size];
        Array.Fill(_vcpu, double.NegativeInfinity);
        Array.Fill(_mem, double.NegativeInfinity);
        Array.Fill(_vfs, int.MinValue);
    }

    /// <summary>Sets host <paramref name="host"/>'s free capacity.</summary>
    public void Update(int host, double freeVcpu, double freeMem, int freeVfs)
    {
        var i = _size + host;
        (_vcpu[i], _mem[i], _vfs[i]) = (freeVcpu, freeMem, freeVfs);
        for (i >>= 1; i >= 1; i >>= 1)
        {
            int l = 2 * i, r = l + 1;
            _vcpu[i] = Math.Max(_vcpu[l], _vcpu[r]);
            _mem[i] = Math.Max(_mem[l], _mem[r]);
            _vfs[i] = Math.Max(_vfs[l], _vfs[r]);
        }
    }

    /// <summary>The first host with at least <paramref name="vcpu"/>, <paramref name="mem"/> and
    /// <paramref name="vfs"/> free, or -1.</summary>
    public int FirstFit(double vcpu, double mem, int vfs) => Find(1, vcpu, mem, vfs);

    /// <summary>The host with the most free vCPUs among those that fit (ties: the first), or -1.</summary>
    public int MostFree(double vcpu, double mem)
    {
        if (_vcpu[1] < vcpu) return -1;
        var i = 1;
        while (i < _size) i = _vcpu[2 * i] >= _vcpu[2 * i + 1] ? 2 * i : 2 * i + 1;
        return _mem[i] >= mem ? i - _size : FirstFit(vcpu, mem, 0);
    }

    private int Find(int node, double vcpu, double mem, int vfs)
    {
        if (_vcpu[node] < vcpu || _mem[node] < mem || _vfs[node] < vfs) return -1;
        if (node >= _size) return node - _size;
        var left = Find(2 * node, vcpu, mem, vfs);
        return left >= 0 ? left : Find(2 * node + 1, vcpu, mem, vfs);
    }
}
