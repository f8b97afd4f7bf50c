using Marten;
using MediatR;
using Twin.Events.Vms;
using Twin.Grains.Contracts;

namespace Twin.Grains.UseCases;

/// <summary>Resumes every open saga now, instead of waiting for its reminder: each VM whose read model shows an
/// operation in progress (or a vNIC step) is asked to finish or compensate it. What recovery runs after an outage.</summary>
public sealed record ResumeOpenSagas : TwinRequest, IRequest<ResumeReport>;

/// <summary>A VM whose saga was resumed, and what it came to.</summary>
public sealed record ResumedSaga(string Vm, string Kind, string Operation, bool? Succeeded, string Summary);

/// <summary>What a resume pass found and did; <see cref="StillOpen"/> lists VMs whose saga is still open after it.</summary>
public sealed record ResumeReport(int VmsChecked, IReadOnlyList<ResumedSaga> Resumed, IReadOnlyList<string> StillOpen);

internal sealed class ResumeOpenSagasHandler(IGrainFactory grains, IQuerySession session) : IRequestHandler<ResumeOpenSagas, ResumeReport>
{
    public async Task<ResumeReport> Handle(ResumeOpenSagas r, CancellationToken ct)
    {
        var vms = await session.Query<VmSnapshot>().ToListAsync(ct);
        var resumed = new List<ResumedSaga>();
        foreach (var vm in vms.Where(IsOpen))
        {
            var kind = vm.PendingKind != VmOperationKind.None ? vm.PendingKind : vm.Vnics.First(v => v.PendingStep != VmOperationKind.None).PendingStep;
            var grain = grains.GetGrain<IVmGrain>(vm.Id);
            // one call resumes one open step (the operation, or one vNIC's): a VM may have several
            var outcome = await grain.Resume();
            for (var i = 0; i < 8 && await grain.GetSnapshot() is { } now && IsOpen(now); i++) outcome = await grain.Resume() ?? outcome;
            resumed.Add(new ResumedSaga(vm.Id, kind.ToString(), outcome?.Operation.Value ?? vm.PendingOp.Value, outcome?.Succeeded, outcome?.Summary ?? "nothing left to do"));
        }
        var open = new List<string>();
        foreach (var vm in resumed)
            if (await grains.GetGrain<IVmGrain>(vm.Vm).GetSnapshot() is { } s && IsOpen(s)) open.Add(vm.Vm);
        return new ResumeReport(vms.Count, resumed, open);
    }

    private static bool IsOpen(VmSnapshot vm) => vm.PendingKind != VmOperationKind.None || vm.Vnics.Any(v => v.PendingStep != VmOperationKind.None);
}
