namespace Twin.Simulation.Model;

/// <summary>
/// A segment tree over hosts (in topology order) holding each subtree's largest free vCPUs, free memory and free VFs,
/// so placement finds the first host that fits in O(log n) instead of scanning every host: a subtree whose maxima
/// cannot fit the VM is skipped, and a leaf is checked exactly.
/// </summary>
internal sealed class HostIndex
{
    private readonly int _size;

    // the three maxima of a node side by side: a node read or written touches one cache line, not three arrays
    private readonly Node[] _nodes;

    public HostIndex(int hosts)
    {
        _size = 1;
        while (_size < Math.Max(1, hosts)) _size <<= 1;
        _nodes = new Node[2 * _size];
        Array.Fill(_nodes, new Node(double.NegativeInfinity, double.NegativeInfinity, int.MinValue));
    }

    /// <summary>Sets host <paramref name="host"/>'s free capacity.</summary>
    public void Update(int host, double freeVcpu, double freeMem, int freeVfs)
    {
        var nodes = _nodes;
        var i = _size + host;
        var leaf = new Node(freeVcpu, freeMem, freeVfs);
        if (nodes[i].SameAs(leaf)) return;
        nodes[i] = leaf;
        for (i >>= 1; i >= 1; i >>= 1)
        {
            ref readonly var l = ref nodes[2 * i];
            ref readonly var r = ref nodes[(2 * i) + 1];
            var parent = new Node(Math.Max(l.Vcpu, r.Vcpu), Math.Max(l.Mem, r.Mem), Math.Max(l.Vfs, r.Vfs));
            // a node whose maxima did not change leaves every ancestor as it was
            if (nodes[i].SameAs(parent)) return;
            nodes[i] = parent;
        }
    }

    /// <summary>The first host with at least <paramref name="vcpu"/>, <paramref name="mem"/> and
    /// <paramref name="vfs"/> free, or -1.</summary>
    public int FirstFit(double vcpu, double mem, int vfs) => Find(1, vcpu, mem, vfs);

    /// <summary>The host with the most free vCPUs among those that fit (ties: the first), or -1.</summary>
    public int MostFree(double vcpu, double mem)
    {
        var nodes = _nodes;
        if (nodes[1].Vcpu < vcpu) return -1;
        var i = 1;
        while (i < _size) i = nodes[2 * i].Vcpu >= nodes[(2 * i) + 1].Vcpu ? 2 * i : (2 * i) + 1;
        return nodes[i].Mem >= mem ? i - _size : FirstFit(vcpu, mem, 0);
    }

    /// <summary>Depth-first, left before right, without recursion: descend into the first child whose maxima fit; at a
    /// node where neither does (each maximum fits, but no single host has all three), climb back to the nearest left
    /// child whose right sibling fits.</summary>
    private int Find(int node, double vcpu, double mem, int vfs)
    {
        var nodes = _nodes;
        if (!nodes[node].Fits(vcpu, mem, vfs)) return -1;
        var size = _size;
        while (node < size)
        {
            var left = 2 * node;
            if (nodes[left].Fits(vcpu, mem, vfs))
            {
                node = left;
                continue;
            }
            if (nodes[left + 1].Fits(vcpu, mem, vfs))
            {
                node = left + 1;
                continue;
            }
            // a dead end: back up to a left child whose sibling fits (the root has no sibling)
            while (true)
            {
                if (node == 1) return -1;
                if ((node & 1) == 0 && nodes[node + 1].Fits(vcpu, mem, vfs))
                {
                    node++;
                    break;
                }
                node >>= 1;
            }
        }
        return node - size;
    }

    private readonly struct Node(double vcpu, double mem, int vfs)
    {
        public readonly double Vcpu = vcpu;
        public readonly double Mem = mem;
        public readonly int Vfs = vfs;

        // == on the doubles: -0.0 and 0.0 compare alike, which is right here (only comparisons read them)
        public bool SameAs(in Node other) => Vcpu == other.Vcpu && Mem == other.Mem && Vfs == other.Vfs;

        public bool Fits(double vcpu, double mem, int vfs) => Vcpu >= vcpu && Mem >= mem && Vfs >= vfs;
    }
}
