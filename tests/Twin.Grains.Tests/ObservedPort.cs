using Twin.Events.Common;
using Twin.Events.Sagas;
using Twin.Events.Vms;

namespace Twin.Grains.Tests;

/// <summary>A live port that lets a test see when a saga reads a VM (to line a race up deterministically). Every
/// call still goes to the grains.</summary>
internal sealed class ObservedPort(ITwinPort inner, Func<VmId, ValueTask> beforeGetVm) : TwinPortDecorator(inner)
{
    public override async ValueTask<VmSnapshot?> GetVm(VmId id)
    {
        await beforeGetVm(id);
        return await Inner.GetVm(id);
    }
}
