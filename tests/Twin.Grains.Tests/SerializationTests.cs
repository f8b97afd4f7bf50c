using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Twin.Events.Common;
using Twin.Events.Platforms;
using Twin.Events.Vms;

namespace Twin.Grains.Tests;

[Collection(TwinClusterCollection.Name)]
public sealed class SerializationTests(TwinCluster fx)
{
    private T RoundTrip<T>(T value)
    {
        var serializer = fx.Cluster.ServiceProvider.GetRequiredService<Serializer>();
        return serializer.Deserialize<T>(serializer.SerializeToArray(value))!;
    }

    [Fact]
    public void Value_lists_survive_orleans_serialization() =>
        Assert.Equal(ValueList.Of(1, 2, 3), RoundTrip(ValueList.Of(1, 2, 3)));

    [Fact]
    public void Vm_events_with_lists_survive_orleans_serialization()
    {
        var e = new VmEvent.VmDefined(new VmId("vm-1"), new HostId("h"), Platform.HyperV, GuestOs.Parse("Windows Server 2022"), 2, 1024,
            ValueList.Of(new VnicSpec("net0", new SwitchId("h/ext"), 10)), DateTimeOffset.UnixEpoch);
        Assert.Equal(e, RoundTrip(e));
    }

    [Fact]
    public void Operation_ids_survive_orleans_serialization()
    {
        Assert.Equal(new OperationId("op-1"), RoundTrip(new OperationId("op-1")));
        Assert.Equal(OperationId.None, RoundTrip(default(OperationId)));
    }

    [Fact]
    public void Domain_rule_violations_cross_the_wire_with_their_message()
    {
        var e = RoundTrip(new DomainRuleViolated("VM vm-1 is busy"));
        Assert.Equal("VM vm-1 is busy", e.Message);
    }
}
