using Microsoft.Extensions.Logging;
using Twin.Events.Chipsets;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Grains.Common;
using Twin.Grains.Contracts;
using Twin.Grains.Persistence;

namespace Twin.Grains.Aggregates;

internal sealed class HostGrain(IEventStore store, ILogger<HostGrain> logger)
    : AggregateGrain<HostCommand, HostEvent, Host, HostSnapshot>(store, Twin.Events.Common.Aggregates.Host, logger), IHostGrain;

internal sealed class ChipsetGrain(IEventStore store, ILogger<ChipsetGrain> logger)
    : AggregateGrain<ChipsetCommand, ChipsetEvent, Chipset, ChipsetSnapshot>(store, Twin.Events.Common.Aggregates.Chipset, logger), IChipsetGrain;

/// <summary>The VF authority of one PF: every allocation and release of its VFs is decided here, one at a time.</summary>
internal sealed class NicGrain(IEventStore store, ILogger<NicGrain> logger)
    : AggregateGrain<NicCommand, NicEvent, Nic, NicSnapshot>(store, Twin.Events.Common.Aggregates.Nic, logger), INicGrain;

internal sealed class SwitchGrain(IEventStore store, ILogger<SwitchGrain> logger)
    : AggregateGrain<SwitchCommand, SwitchEvent, VirtualSwitch, SwitchSnapshot>(store, Twin.Events.Common.Aggregates.Switch, logger), ISwitchGrain;
