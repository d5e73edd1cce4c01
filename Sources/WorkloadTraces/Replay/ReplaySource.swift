import WorkloadModel
import WorkloadConfig

/// The event stream of a `workload.replay` configuration: reads the trace
/// (again for each pass with `loop`) and feeds its rows to a `ReplayEngine`.
package final class ReplaySource {
    package let replay: ReplayConfiguration
    var engine: ReplayEngine
    var reader: TraceReader
    var finished = false
    /// Bad rows skipped over every pass so far (with `skip_bad_rows`).
    package private(set) var skipped = 0
    package private(set) var firstSkipped: TraceError?
    /// Passes begun (1 for the first).
    package private(set) var passes = 1

    package init(_ configuration: Configuration) throws(TraceError) {
        guard let replay = configuration.replay else {
            throw TraceError(file: "<config>", message: "the configuration has no workload.replay")
        }
        self.replay = replay
        var settings = ReplayEngine.Settings()
        settings.timeScale = replay.timeScale
        settings.seed = configuration.workload.seed
        settings.network = configuration.workload.network
        settings.bytesPerToken = configuration.workload.bytesPerToken
        settings.accumulate = configuration.workload.accumulateConversationalTokens
        if let duration = configuration.workload.totalDuration {
            settings.horizon = VirtualNanoseconds((duration * 1e9).rounded())
        }
        settings.requestCap = configuration.workload.totalRequests ?? .max
        engine = ReplayEngine(settings: settings)
        reader = try TraceReader(path: replay.file, format: replay.format, skipBadRows: replay.skipBadRows)
    }

    static let zeroSpanLoop = "loop: true needs a trace spanning more than 0 s (all rows have the same timestamp)"

    /// Virtual time of the last event returned (events come in time order).
    package private(set) var virtualTime: VirtualNanoseconds = 0

    /// Sessions begun and not yet ended.
    package var activeSessions: Int { engine.openSessions }

    /// Requests sent so far.
    package var requests: Int { engine.requestsSent }

    /// Ends the run at the last row read: open sessions end with `shutdown`.
    package func stop() {
        guard !finished else { return }
        engine.finish(reason: .shutdown)
        finished = true
    }

    /// The next event, or `nil` once the trace (or the run's bound) is done.
    package func next() throws(TraceError) -> ReplayEvent? {
        while true {
            if let event = engine.next() {
                virtualTime = event.event.time
                return event
            }
            if finished { return nil }
            guard let row = try reader.next() else {
                skipped += reader.skipped
                if firstSkipped == nil { firstSkipped = reader.firstSkipped }
                let span = engine.endPass()
                if replay.loop {
                    guard span > 0 else {
                        throw TraceError(file: replay.file, message: Self.zeroSpanLoop)
                    }
                    reader = try TraceReader(path: replay.file, format: replay.format, skipBadRows: replay.skipBadRows)
                    engine.beginPass()
                    passes += 1
                } else {
                    engine.finish()
                    finished = true
                }
                continue
            }
            if !engine.accept(row) {
                engine.finish()
                finished = true
            }
        }
    }
}
