using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using static Twin.Events.Nics.NicCommand;
using static Twin.Events.Nics.NicEvent;
using static Twin.Events.Tests.Given;
using static Twin.Events.Tests.Nics.NicSpecs;

namespace Twin.Events.Tests.Nics;

public sealed class ResourcePoolTests
{
    [Fact]
    public void Defines_a_pool_of_existing_vfs() =>
        Spec.Given(Pool(Platform.Kvm, 8)).When(new DefineResourcePool(Pf, "a", ValueList.Of(0, 1, 2), T1))
            .Then(new ResourcePoolDefined(Pf, "a", ValueList.Of(0, 1, 2), T1));

    [Fact]
    public void Overlapping_pools_are_refused_so_no_vf_is_counted_twice() =>
        Spec.Given(Pool(Platform.Kvm, 8).With(new ResourcePoolDefined(Pf, "a", ValueList.Of(0, 1, 2), T0)))
            .When(new DefineResourcePool(Pf, "b", ValueList.Of(2, 3), T1))
            .Then(new ResourcePoolRejected(Pf, "b", "VF 2 is already in pool 'a': pools never share a VF", T1));

    [Fact]
    public void A_pool_naming_a_vf_that_does_not_exist_is_refused() =>
        Spec.Given(Pool(Platform.Kvm, 4)).When(new DefineResourcePool(Pf, "a", ValueList.Of(3, 4), T1))
            .Then(new ResourcePoolRejected(Pf, "a", "VF 4 does not exist (4 VFs configured)", T1));

    [Fact]
    public void The_sum_of_pool_capacities_never_exceeds_the_vfs_on_the_pf()
    {
        var state = Spec.Given(Pool(Platform.Kvm, 8)).State;
        string[] names = ["a", "b", "c", "d"];
        int[][] asks = [[0, 1, 2], [2, 3, 4], [4, 5, 6, 7], [0, 7]];
        for (var i = 0; i < names.Length; i++)
            (_, state) = NicDecider.Decider.Run(new DefineResourcePool(Pf, names[i], asks[i].ToValueList(), T1), state);
        var capacities = state.Pool.ResourcePools.Select(p => Enumerable.Range(0, state.Pool.Configured).Count(v => state.Pool.PoolOf(v) == p));
        Assert.True(capacities.Sum() <= state.Configured);
        Assert.Equal(state.Allocatable, capacities.Sum());
    }

    [Fact]
    public void Redefining_a_pool_identically_is_a_no_op() =>
        Spec.Given(Pool(Platform.Kvm, 8).With(new ResourcePoolDefined(Pf, "a", ValueList.Of(0, 1), T0)))
            .When(new DefineResourcePool(Pf, "a", ValueList.Of(1, 0), T1)).ThenNothing();

    [Fact]
    public void With_pools_defined_only_pooled_vfs_are_allocatable()
    {
        var state = Spec.Given(Pool(Platform.Kvm, 8).With(new ResourcePoolDefined(Pf, "a", ValueList.Of(5, 6), T0))).State;
        Assert.Equal(2, state.Allocatable);
        var (events, _) = NicDecider.Decider.Run(new AllocateVfs(Pf, [Wants(1)], Op2, T1), state);
        Assert.Equal(5, Assert.IsType<VfAllocated>(Assert.Single(events)).VfIndex);
    }
}
