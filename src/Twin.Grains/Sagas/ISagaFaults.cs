using Twin.Events.Common;

namespace Twin.Grains.Sagas;

/// <summary>Where a live saga may be made to fail, for recovery tests and fault drills: called before every step of
/// a saga (named "Nic.AllocateVfs", "Vm.CompleteStart", "migration.copy", ...). The production implementation does
/// nothing.</summary>
public interface ISagaFaults
{
    ValueTask Before(string step, OperationId operation);
}

/// <summary>No faults.</summary>
public sealed class NoSagaFaults : ISagaFaults
{
    public ValueTask Before(string step, OperationId operation) => ValueTask.CompletedTask;
}
