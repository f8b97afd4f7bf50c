using System.Collections.Concurrent;
using Twin.Events.Common;
using Twin.Grains.Sagas;

namespace Twin.Grains.Tests;

/// <summary>Makes a named saga step of a given operation throw, or wait until released (to stop a silo mid-saga).</summary>
public sealed class ScriptedFaults : ISagaFaults
{
    private readonly ConcurrentDictionary<(string Step, OperationId Op), Func<ValueTask>> _faults = new();

    public void Throw(string step, OperationId op) =>
        _faults[(step, op)] = () => throw new IOException($"injected failure before {step} of {op}");

    /// <summary>Blocks the step until the returned source completes; <paramref name="reached"/> completes when it is reached.</summary>
    public TaskCompletionSource Block(string step, OperationId op, TaskCompletionSource reached)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _faults[(step, op)] = async () =>
        {
            reached.TrySetResult();
            await gate.Task;
        };
        return gate;
    }

    public void Clear(OperationId op)
    {
        foreach (var key in _faults.Keys.Where(k => k.Op == op)) _faults.TryRemove(key, out _);
    }

    public ValueTask Before(string step, OperationId operation) =>
        _faults.TryGetValue((step, operation), out var fault) ? fault() : ValueTask.CompletedTask;
}
