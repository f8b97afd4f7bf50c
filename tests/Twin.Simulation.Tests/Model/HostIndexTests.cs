using Twin.Simulation.Engine.Randomness;
using Twin.Simulation.Model;

namespace Twin.Simulation.Tests.Model;

/// <summary>The placement index answers exactly what a scan of every host would.</summary>
public sealed class HostIndexTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(100)]
    [InlineData(513)]
    [InlineData(4_096)]
    public void Finds_what_a_scan_of_every_host_finds(int hosts)
    {
        var rng = Pcg32.ForReplication((ulong)hosts, 0);
        var index = new HostIndex(hosts);
        var vcpu = new double[hosts];
        var mem = new double[hosts];
        var vfs = new int[hosts];
        for (var h = 0; h < hosts; h++)
        {
            // until set, a host fits nothing
            (vcpu[h], mem[h], vfs[h]) = (double.NegativeInfinity, double.NegativeInfinity, int.MinValue);
        }

        for (var step = 0; step < 20_000; step++)
        {
            if (rng.NextInt(3) > 0)
            {
                // small, overlapping values: many hosts fit one need but not another, so searches must back up
                var h = rng.NextInt(hosts);
                (vcpu[h], mem[h], vfs[h]) = (rng.NextInt(9) - 1, rng.NextInt(9) * 0.5, rng.NextInt(5) - 1);
                index.Update(h, vcpu[h], mem[h], vfs[h]);
                continue;
            }

            double needVcpu = rng.NextInt(9), needMem = rng.NextInt(9) * 0.5;
            var needVfs = rng.NextInt(5);
            Assert.Equal(FirstFit(needVcpu, needMem, needVfs), index.FirstFit(needVcpu, needMem, needVfs));
            Assert.Equal(MostFree(needVcpu, needMem), index.MostFree(needVcpu, needMem));
        }

        int FirstFit(double c, double m, int f)
        {
            for (var h = 0; h < hosts; h++)
                if (vcpu[h] >= c && mem[h] >= m && vfs[h] >= f) return h;
            return -1;
        }

        int MostFree(double c, double m)
        {
            var best = 0;
            for (var h = 1; h < hosts; h++)
                if (vcpu[h] > vcpu[best]) best = h;
            if (vcpu[best] < c) return -1;
            return mem[best] >= m ? best : FirstFit(c, m, 0);
        }
    }
}
