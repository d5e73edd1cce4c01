import Foundation
import Testing
@testable import WorkloadDaemon

private let second: UInt64 = 1_000_000_000
private let millisecond: UInt64 = 1_000_000

@Suite("Pacer")
struct PacerTests {
    let wallStart: UInt64 = 7 * second
    let virtualStart: Int64 = 1_000_000_000_000  // virtual time need not start at 0

    @Test("realtime: due one virtual second per wall second, on time")
    func realtime() {
        let clock = ManualClock(now: wallStart)
        var pacer = Pacer(mode: .realtime, virtualStartNanoseconds: virtualStart, clock: clock)
        #expect(pacer.wallStartNanoseconds == wallStart)
        #expect(pacer.dueWallNanoseconds(virtualNanoseconds: virtualStart + 2_500_000_000) == wallStart + 2_500_000_000)

        #expect(pacer.waitUntilDue(virtualNanoseconds: virtualStart + 2_000_000_000) == 0)
        #expect(clock.now() == wallStart + 2 * second)
        #expect(pacer.waitUntilDue(virtualNanoseconds: virtualStart + 2_000_000_001) == 0)
        #expect(clock.now() == wallStart + 2 * second + 1)
        #expect(clock.sleepDeadlines == [wallStart + 2 * second, wallStart + 2 * second + 1])
    }

    @Test("accelerated: wall offset = virtual offset / speed")
    func accelerated() {
        let clock = ManualClock(now: wallStart)
        var fast = Pacer(mode: .accelerated(speed: 10), virtualStartNanoseconds: virtualStart,
                         wallStartNanoseconds: wallStart, clock: clock)
        #expect(fast.dueWallNanoseconds(virtualNanoseconds: virtualStart + 10 * Int64(second)) == wallStart + second)
        #expect(fast.waitUntilDue(virtualNanoseconds: virtualStart + 25 * Int64(second)) == 0)
        #expect(clock.now() == wallStart + 2_500 * millisecond)

        let slow = Pacer(mode: .accelerated(speed: 0.5), virtualStartNanoseconds: virtualStart,
                         wallStartNanoseconds: wallStart, clock: clock)
        #expect(slow.dueWallNanoseconds(virtualNanoseconds: virtualStart + Int64(second)) == wallStart + 2 * second)

        // Due times never run backwards, whatever the rounding of an awkward speed.
        let odd = Pacer(mode: .accelerated(speed: 3.7), virtualStartNanoseconds: virtualStart,
                        wallStartNanoseconds: wallStart, clock: clock)
        var previous: UInt64 = 0
        var virtual = virtualStart
        for step in 0..<10_000 {
            virtual += Int64(step % 7)  // includes repeats
            let due = odd.dueWallNanoseconds(virtualNanoseconds: virtual)!
            #expect(due >= previous)
            previous = due
        }
        let offset = Double(virtual - virtualStart) / 3.7
        #expect(previous == wallStart + UInt64(offset.rounded(.up)))
    }

    @Test("max: never sleeps, lateness 0")
    func maxSpeed() {
        let clock = ManualClock(now: wallStart)
        var pacer = Pacer(mode: .max, virtualStartNanoseconds: virtualStart, clock: clock)
        #expect(pacer.dueWallNanoseconds(virtualNanoseconds: virtualStart + 1) == nil)
        for k in 0..<100 {
            #expect(pacer.waitUntilDue(virtualNanoseconds: virtualStart + Int64(k) * Int64(second)) == 0)
        }
        #expect(clock.sleepDeadlines.isEmpty)
        #expect(clock.now() == wallStart)
    }

    @Test("lateness is how far past the due time the caller is")
    func lateness() {
        let clock = ManualClock(now: wallStart)
        var pacer = Pacer(mode: .realtime, virtualStartNanoseconds: virtualStart, clock: clock)
        clock.advance(by: 1 * second + 3 * millisecond)  // work took longer than the gap
        #expect(pacer.waitUntilDue(virtualNanoseconds: virtualStart + Int64(second)) == 3 * millisecond)
        #expect(pacer.lastLatenessNanoseconds == 3 * millisecond)
        #expect(clock.sleepDeadlines.isEmpty)

        // Behind schedule: no re-anchoring, the next event is late too...
        #expect(pacer.waitUntilDue(virtualNanoseconds: virtualStart + Int64(second) + 1_000_000) == 2 * millisecond)
        // ...until the schedule is ahead of the clock again.
        #expect(pacer.waitUntilDue(virtualNanoseconds: virtualStart + 2 * Int64(second)) == 0)
        #expect(pacer.lastLatenessNanoseconds == 0)

        // Same arithmetic when accelerated: 20 virtual s at speed 4 = 5 wall s.
        let clock2 = ManualClock(now: wallStart)
        var fast = Pacer(mode: .accelerated(speed: 4), virtualStartNanoseconds: virtualStart, clock: clock2)
        clock2.advance(by: 5 * second + 250)
        #expect(fast.waitUntilDue(virtualNanoseconds: virtualStart + 20 * Int64(second)) == 250)
    }

    @Test("virtual times before the start are due at once")
    func beforeStart() {
        let clock = ManualClock(now: wallStart)
        var pacer = Pacer(mode: .realtime, virtualStartNanoseconds: virtualStart, clock: clock)
        #expect(pacer.dueWallNanoseconds(virtualNanoseconds: virtualStart - 5) == wallStart)
        #expect(pacer.dueWallNanoseconds(virtualNanoseconds: .min) == wallStart)
        #expect(pacer.waitUntilDue(virtualNanoseconds: virtualStart - Int64(second)) == 0)
        #expect(clock.now() == wallStart)
        // Far future saturates instead of trapping.
        #expect(pacer.dueWallNanoseconds(virtualNanoseconds: .max) == wallStart + UInt64(Int64.max - virtualStart))
        let extreme = Pacer(mode: .accelerated(speed: 1e-9), virtualStartNanoseconds: 0,
                            wallStartNanoseconds: wallStart, clock: clock)
        #expect(extreme.dueWallNanoseconds(virtualNanoseconds: .max) == .max)
    }

    @Test("ticking wait: slices, calls tick, can be interrupted")
    func ticking() {
        let clock = ManualClock(now: wallStart)
        var pacer = Pacer(mode: .realtime, virtualStartNanoseconds: virtualStart, clock: clock)
        var ticks = 0
        let lateness = pacer.waitUntilDue(virtualNanoseconds: virtualStart + Int64(second), tickNanoseconds: 300 * millisecond) {
            ticks += 1
            return true
        }
        #expect(lateness == 0)
        #expect(ticks == 3)
        #expect(clock.sleepDeadlines == [300, 600, 900, 1_000].map { wallStart + $0 * millisecond })

        var calls = 0
        let interrupted = pacer.waitUntilDue(virtualNanoseconds: virtualStart + 5 * Int64(second), tickNanoseconds: 500 * millisecond) {
            calls += 1
            return calls < 2
        }
        #expect(interrupted == nil)
        #expect(calls == 2)
        #expect(clock.now() == wallStart + 2 * second)

        // Already due: no sleep, no tick, lateness reported.
        clock.advance(by: 10 * second)
        let late = pacer.waitUntilDue(virtualNanoseconds: virtualStart + 11 * Int64(second), tickNanoseconds: millisecond) {
            Issue.record("tick called although nothing had to wait")
            return true
        }
        #expect(late == 1 * second)
    }

    @Test("system clock: monotonic, never wakes before the deadline")
    func systemClock() {
        let clock = SystemWallClock()
        let start = clock.now()
        let deadline = start + 2 * millisecond
        clock.sleep(untilNanoseconds: deadline)
        #expect(clock.now() >= deadline)
        clock.sleep(untilNanoseconds: start)  // past deadline: returns at once
        #expect(clock.now() >= deadline)
    }

    @Test("wallRealtimeNow is Unix milliseconds")
    func realtimeMilliseconds() {
        let reference = Int64(Date().timeIntervalSince1970 * 1_000)
        let now = wallRealtimeNow()
        #expect(abs(now - reference) < 60_000)
    }
}
