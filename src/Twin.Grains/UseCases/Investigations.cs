using Marten;
using MediatR;
using Twin.Grains.Investigations;
using Twin.Projections.History;

namespace Twin.Grains.UseCases;

/// <summary>Why a VM's vNICs (or one vNIC) had the datapath they had at <see cref="At"/> (the end of its history when
/// null): the causal chain from the events and their operation ids.</summary>
public sealed record ExplainDatapath(string Vm, string? Vnic = null, DateTimeOffset? At = null) : IRequest<DatapathExplanation>, IValidatable
{
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Vm)) yield return "the VM id is required";
    }
}

internal sealed class ExplainDatapathHandler(IQuerySession session) : IRequestHandler<ExplainDatapath, DatapathExplanation>
{
    public async Task<DatapathExplanation> Handle(ExplainDatapath q, CancellationToken ct)
    {
        try
        {
            return await Why.ExplainAsync(session, q.Vm, q.Vnic, q.At, ct) ?? throw new EntityNotFoundException("vm", q.Vm);
        }
        catch (KeyNotFoundException)
        {
            throw new EntityNotFoundException("vnic", $"{q.Vm}/{q.Vnic}");
        }
    }
}

/// <summary>Replays the recorded history between <see cref="From"/> and <see cref="To"/> with a change, written as
/// <c>vfs NIC COUNT</c>, <c>iov SWITCH on|off</c>, <c>policy POLICY [NIC]</c> or <c>none</c> (see
/// <see cref="ReplayChange.Parse"/>): which VMs would have kept their VFs, and the throughput lost either way.</summary>
public sealed record ReplayWithChange(DateTimeOffset From, DateTimeOffset To, string Change) : IRequest<ReplayReport>, IValidatable
{
    public IEnumerable<string> Validate()
    {
        if (To <= From) yield return $"the replay must end ({To:u}) after it starts ({From:u})";
        string? problem = null;
        try
        {
            ReplayChange.Parse(Change ?? "");
        }
        catch (FormatException ex)
        {
            problem = ex.Message;
        }
        if (problem is not null) yield return problem;
    }
}

internal sealed class ReplayWithChangeHandler(IQuerySession session) : IRequestHandler<ReplayWithChange, ReplayReport>
{
    public Task<ReplayReport> Handle(ReplayWithChange r, CancellationToken ct) =>
        CounterfactualReplay.RunAsync(session, r.From, r.To, ReplayChange.Parse(r.Change), ct: ct);
}
