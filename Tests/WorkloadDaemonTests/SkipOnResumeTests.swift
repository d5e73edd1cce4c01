import Testing
@testable import WorkloadDaemon
@testable import WorkloadModel

/// `on_resume: skip` as a value: where the skip begins and what it drops.
@Suite struct SkipOnResumeTests {
    static func event(seq: UInt64, time: VirtualNanoseconds) -> Event {
        .sessionStarted(SessionStartedEvent(seq: seq, time: time, sessionID: 1, profile: 0, client: 0, conversational: false))
    }

    @Test func beginsAfterTheLastHeldEventOnly() {
        var skip = SkipOnResume(to: 5_000, afterSeq: 10)
        #expect(skip.begins(at: Self.event(seq: 9, time: 100)) == nil)
        #expect(skip.begins(at: Self.event(seq: 10, time: 200)) == nil)
        #expect(!skip.skips(Self.event(seq: 10, time: 200)), "held events go out before the marker")
        #expect(skip.begins(at: Self.event(seq: 11, time: 300)) == 5_000)
        skip.began(until: 5_000)
        #expect(skip.begins(at: Self.event(seq: 12, time: 400)) == nil, "it begins once")
        #expect(skip.skips(Self.event(seq: 12, time: 4_999)) && !skip.skips(Self.event(seq: 13, time: 5_000)))
    }

    @Test func withNothingHeldItBeginsAtOnceAndNoSkipDropsNothing() {
        var skip = SkipOnResume(to: 7, afterSeq: nil)
        #expect(skip.begins(at: Self.event(seq: 0, time: 0)) == 7)
        var none = SkipOnResume()
        #expect(none.begins(at: Self.event(seq: 0, time: 0)) == nil && !none.skips(Self.event(seq: 0, time: -5)))
    }
}
