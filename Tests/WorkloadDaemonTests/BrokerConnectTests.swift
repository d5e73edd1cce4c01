import Testing
@testable import WorkloadDaemon

/// How long `run` waits for a broker, from `kafka.librdkafka`.
@Suite("BrokerConnect deadlines")
struct BrokerConnectTests {
    @Test("defaults: 30 s in all, requests from 100 ms doubling up to librdkafka's 60 s socket.timeout.ms")
    func defaults() {
        let connect = BrokerConnect(properties: [:])
        #expect(connect.totalMilliseconds == 30_000)
        #expect(connect.requestMilliseconds == 60_000)
        #expect((0..<12).map { connect.requestTimeout(attempt: $0) }
                == [100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 51_200, 60_000, 60_000])
        #expect(connect.requestTimeout(attempt: 1_000) == 60_000)
    }

    @Test("socket.timeout.ms bounds each request; it and socket.connection.setup.timeout.ms lengthen the whole wait")
    func socketSettings() {
        let short = BrokerConnect(properties: ["socket.timeout.ms": "500"])
        #expect(short.requestMilliseconds == 500)
        #expect(short.totalMilliseconds == 30_000, "never shorter than 30 s")
        #expect(short.requestTimeout(attempt: 3) == 500)
        let long = BrokerConnect(properties: ["socket.timeout.ms": "90000", "socket.connection.setup.timeout.ms": "120000"])
        #expect(long.requestMilliseconds == 90_000)
        #expect(long.totalMilliseconds == 120_000)
    }
}
