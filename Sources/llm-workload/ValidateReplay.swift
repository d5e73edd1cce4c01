import WorkloadDaemon

extension ValidateCommand {
    /// A replay configuration: reads the whole trace (exit 65 on a bad one,
    /// as `generate` would) and prints its figures.
    func validateReplay(_ replay: ReplayConfiguration) throws {
        print("workload.replay: {file: \(replay.file), format: \(replay.format.rawValue), time_scale: \(replay.timeScale), loop: \(replay.loop), skip_bad_rows: \(replay.skipBadRows)}")
        do {
            let reader = try TraceReader(path: replay.file, format: replay.format, skipBadRows: replay.skipBadRows)
            var first: Int64?
            var last: Int64 = 0
            while let row = try reader.next() {
                first = first ?? row.timestamp
                last = row.timestamp
            }
            let span = Double(last - (first ?? last)) / 1e9 / replay.timeScale
            let rate = span > 0 ? Double(reader.rows) / span : .infinity
            print("trace: \(reader.rows) rows over \(span) s (\(rate) requests/s), \(reader.skipped) bad rows skipped")
        } catch {
            printError("\(error)")
            throw ExitStatus.dataError
        }
    }
}
