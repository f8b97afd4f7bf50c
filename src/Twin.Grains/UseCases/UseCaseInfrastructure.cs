using System.Reflection;
using Marten;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Grains.Contracts;

namespace Twin.Grains.UseCases;

/// <summary>A use case that can check its own input before anything is called: each problem is a sentence a person
/// can act on.</summary>
public interface IValidatable
{
    IEnumerable<string> Validate();
}

/// <summary>A use case that acts on entities that must already exist (checked against the read models).</summary>
public interface IReferencesEntities
{
    IEnumerable<EntityRef> References();
}

/// <summary>A reference to an entity by kind ("host", "nic", "switch", "vm") and id.</summary>
public readonly record struct EntityRef(string Kind, string Id)
{
    public static EntityRef Host(HostId id) => new("host", id.Value);
    public static EntityRef Nic(NicId id) => new("nic", id.Value);
    public static EntityRef Switch(SwitchId id) => new("switch", id.Value);
    public static EntityRef Vm(VmId id) => new("vm", id.Value);
}

/// <summary>The request is malformed; nothing was called or written.</summary>
public sealed class RequestValidationException(IReadOnlyList<string> problems)
    : Exception("invalid request: " + string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>The request names an entity the twin does not have; nothing was called or written.</summary>
public sealed class EntityNotFoundException(string kind, string id) : Exception($"unknown {kind} '{id}'")
{
    public string Kind { get; } = kind;
    public string Id { get; } = id;
}

/// <summary>Who is acting and under which operation id. Requests may carry their own operation id (so a caller that
/// timed out can retry the same operation idempotently); otherwise one is made up here, at the edge.</summary>
public abstract record TwinRequest
{
    /// <summary>The operation id to use (optional; a new one otherwise). Retrying with the same id is idempotent.</summary>
    public string? Operation { get; init; }

    /// <summary>Who asks (a user name, a tool).</summary>
    public string Actor { get; init; } = "twin";

    internal CommandContext Context() =>
        new(new OperationId(string.IsNullOrWhiteSpace(Operation) ? $"op-{Guid.NewGuid():N}" : Operation), Actor);
}

/// <summary>Validates requests before their handler runs: input problems first, then that every referenced entity exists.</summary>
public sealed class ValidationBehavior<TRequest, TResponse>(IQuerySession session) : IPipelineBehavior<TRequest, TResponse>
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        if (request is IValidatable validatable)
        {
            var problems = validatable.Validate().ToList();
            if (problems.Count > 0) throw new RequestValidationException(problems);
        }
        if (request is IReferencesEntities references)
            foreach (var r in references.References())
                if (!await Exists(r, cancellationToken)) throw new EntityNotFoundException(r.Kind, r.Id);
        return await next();
    }

    private async Task<bool> Exists(EntityRef r, CancellationToken ct) => r.Kind switch
    {
        "host" => await session.LoadAsync<HostSnapshot>(r.Id, ct) is { Status: not HostStatus.Absent },
        "nic" => await session.LoadAsync<NicSnapshot>(r.Id, ct) is { Status: not NicStatus.Absent },
        "switch" => await session.LoadAsync<SwitchSnapshot>(r.Id, ct) is { Status: SwitchStatus.Active },
        "vm" => await session.LoadAsync<VmSnapshot>(r.Id, ct) is { Status: not VmStatus.Absent and not VmStatus.Deleted },
        "chipset" => await session.LoadAsync<ChipsetSnapshot>(r.Id, ct) is { Registered: true },
        _ => throw new ArgumentOutOfRangeException(nameof(r), r.Kind, "unknown entity kind"),
    };
}

/// <summary>Registers the mediator and every use case of this assembly.</summary>
public static class UseCaseRegistration
{
    /// <summary>MediatR 5.1.0 (the only version the package source has) with no DI package: the mediator, its service
    /// factory, every handler in this assembly, the validation behaviour, and the clock. Needs an IGrainFactory and an
    /// IDocumentStore (Marten) registered by the host.</summary>
    public static IServiceCollection AddTwinUseCases(this IServiceCollection services)
    {
        services.TryAddScoped<ServiceFactory>(sp => sp.GetService!);
        services.TryAddScoped<IMediator, Mediator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped(sp => sp.GetRequiredService<IDocumentStore>().QuerySession());
        services.AddTransient(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>));
        foreach (var type in Assembly.GetExecutingAssembly().GetTypes().Where(t => t is { IsAbstract: false, IsInterface: false, IsGenericTypeDefinition: false }))
            foreach (var itf in type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequestHandler<,>)))
                services.AddTransient(itf, type);
        return services;
    }
}
