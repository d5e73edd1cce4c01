import Testing
@testable import WorkloadDaemon
@testable import WorkloadTraces

/// `stats`' windowed counts: each event once in the whole stream's series,
/// and once in its profile's.
@Suite struct WindowedRatesTests {
    @Test func anEventWithoutAProfileCountsOnce() {
        var rates = WindowedRates()
        rates.add(request: 0.5, profile: "")
        rates.add(request: 1.5, profile: "chat")
        rates.add(request: 1.7, profile: "chat")
        #expect(rates.requests[""] == [1, 2])
        #expect(rates.requests["chat"] == [0, 2])
        #expect(rates.requests.count == 2)
    }
}
