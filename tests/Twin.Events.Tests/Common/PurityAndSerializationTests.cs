using System.Text.Json;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Vms;

namespace Twin.Events.Tests.Common;

public sealed class PurityAndSerializationTests
{
    [Fact]
    public void The_core_references_no_orleans_runtime_no_marten_and_no_io_library()
    {
        var referenced = typeof(NicDecider).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        string[] allowed = ["System.Runtime", "System.Collections", "System.Linq", "System.Text.Json", "System.Collections.Immutable",
            "System.Text.RegularExpressions", "System.Memory", "Orleans.Serialization.Abstractions", "System.Runtime.InteropServices"];
        Assert.All(referenced, name => Assert.Contains(name, allowed));
        Assert.DoesNotContain(referenced, n => n.StartsWith("Marten", StringComparison.Ordinal) || n.StartsWith("Npgsql", StringComparison.Ordinal)
                                              || n is "Orleans.Core" or "Orleans.Runtime" or "Orleans.Serialization");
    }

    [Fact]
    public void Every_event_and_command_type_has_a_unique_short_name()
    {
        // Marten names event types by their bare class name, so two nested "Created" records would collide
        var types = typeof(NicDecider).Assembly.GetTypes()
            .Where(t => t.IsSealed && t.DeclaringType is { IsAbstract: true } d && (d.Name.EndsWith("Event", StringComparison.Ordinal) || d.Name.EndsWith("Command", StringComparison.Ordinal)))
            .ToList();
        Assert.True(types.Count > 60, $"found only {types.Count} event/command types");
        Assert.Equal(types.Count, types.Select(t => t.Name).Distinct().Count());
    }

    [Fact]
    public void Ids_serialize_as_bare_strings_and_events_round_trip_through_json()
    {
        var e = new NicEvent.VfAllocated(Given.Pf, 3, Given.Vnic(1), 100, 2, VfAllocationCause.Requested, Given.Op1, Given.T0);
        var json = JsonSerializer.Serialize(e);
        Assert.Contains("\"Nic\":\"host-07/0000:a2:00.0\"", json);
        Assert.Contains("\"Cause\":\"Requested\"", json);
        Assert.Equal(e, JsonSerializer.Deserialize<NicEvent.VfAllocated>(json));
    }

    [Fact]
    public void Value_lists_compare_by_content_and_serialize_as_arrays()
    {
        var e = new VmEvent.VmMigrationStarted(new VmId("vm-1"), Given.Host7, new HostId("host-08"),
            ValueList.Of(new VfHolding("net0", Given.Pf, 3, Given.Op1)), Given.Op2, Given.T0);
        var copy = JsonSerializer.Deserialize<VmEvent.VmMigrationStarted>(JsonSerializer.Serialize(e));
        Assert.Equal(e, copy);
        Assert.Contains("\"SourceVfs\":[{", JsonSerializer.Serialize(e));
    }

    [Fact]
    public void Nothing_in_the_core_reads_a_clock_or_unseeded_randomness()
    {
        // the banned-API analyzer enforces this at build time; this checks the list is wired to the project
        var banned = File.ReadAllText(Path.Combine(RepoRoot(), "src", "Twin.Events", "BannedSymbols.txt"));
        Assert.Contains("P:System.DateTime.UtcNow", banned);
        Assert.Contains("M:System.Guid.NewGuid", banned);
        Assert.Contains("T:System.IO.File", banned);
        var csproj = File.ReadAllText(Path.Combine(RepoRoot(), "src", "Twin.Simulation", "Twin.Simulation.csproj"));
        Assert.Contains("BannedSymbols.txt", csproj);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Twin.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find Twin.sln above " + AppContext.BaseDirectory);
    }
}
