import WorkloadConfig

/// What one read of a whole trace found (`validate`, and `run` at start-up).
package struct TraceScan: Sendable {
    package var rows = 0
    package var skipped = 0
    /// Timestamps of the first and last rows read (trace clock, ns).
    package var first: Int64?
    package var last: Int64 = 0

    /// The trace's span in virtual seconds (after `time_scale`).
    package func spanSeconds(timeScale: Double) -> Double {
        Double(last - (first ?? last)) / 1e9 / timeScale
    }

    /// Reads the trace of `replay` once, start to end, without keeping it: a
    /// malformed row (unless skipped), timestamps going back, an empty trace,
    /// and `loop` over a trace of zero span are errors, found before anything
    /// is written or published.
    package static func read(_ replay: ReplayConfiguration) throws(TraceError) -> TraceScan {
        let reader = try TraceReader(path: replay.file, format: replay.format, skipBadRows: replay.skipBadRows)
        var scan = TraceScan()
        while let row = try reader.next() {
            scan.first = scan.first ?? row.timestamp
            scan.last = row.timestamp
        }
        scan.rows = reader.rows
        scan.skipped = reader.skipped
        if replay.loop && scan.last == scan.first {
            throw TraceError(file: replay.file, message: ReplaySource.zeroSpanLoop)
        }
        return scan
    }
}
