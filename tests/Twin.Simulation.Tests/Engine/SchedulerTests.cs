using Twin.Simulation.Engine;

namespace Twin.Simulation.Tests.Engine;

public sealed class SchedulerTests
{
    [Fact]
    public void Now_advances_to_each_event_taken()
    {
        var scheduler = new Scheduler<int>();
        scheduler.Schedule(SimTime.FromSeconds(5), 1);
        scheduler.Schedule(SimTime.FromSeconds(2), 2);

        Assert.True(scheduler.TryNext(out var first));
        Assert.Equal(SimTime.FromSeconds(2), scheduler.Now);
        Assert.Equal(2, first.Payload);
        scheduler.ScheduleAfter(SimDuration.FromSeconds(1), 3);
        Assert.True(scheduler.TryNext(out var second));
        Assert.Equal(3, second.Payload);
        Assert.Equal(SimTime.FromSeconds(3), scheduler.Now);
    }

    [Fact]
    public void Scheduling_before_now_is_rejected()
    {
        var scheduler = new Scheduler<int>();
        scheduler.Schedule(SimTime.FromSeconds(10), 1);
        scheduler.TryNext(out _);

        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.Schedule(SimTime.FromSeconds(9), 2));
    }

    [Fact]
    public void Running_until_a_horizon_stops_before_later_events_and_moves_now_to_the_horizon()
    {
        var scheduler = new Scheduler<int>();
        scheduler.Schedule(SimTime.FromSeconds(1), 1);
        scheduler.Schedule(SimTime.FromSeconds(100), 2);
        var horizon = SimTime.FromSeconds(50);

        Assert.True(scheduler.TryNext(horizon, out var first));
        Assert.False(scheduler.TryNext(horizon, out _));

        Assert.Equal(1, first.Payload);
        Assert.Equal(horizon, scheduler.Now);
        Assert.Equal(1, scheduler.PendingCount);
    }
}
