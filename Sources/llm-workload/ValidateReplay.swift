import WorkloadDaemon
import WorkloadConfig
import WorkloadTraces

extension ValidateCommand {
    /// A replay configuration: reads the whole trace (exit 65 on a bad one,
    /// as `generate` would) and prints its figures.
    func validateReplay(_ replay: ReplayConfiguration) throws {
        print("workload.replay: {file: \(replay.file), format: \(replay.format.rawValue), time_scale: \(replay.timeScale), loop: \(replay.loop), skip_bad_rows: \(replay.skipBadRows)}")
        do {
            let scan = try TraceScan.read(replay)
            let span = scan.spanSeconds(timeScale: replay.timeScale)
            let rate = span > 0 ? Double(scan.rows) / span : .infinity
            print("trace: \(scan.rows) rows over \(span) s (\(rate) requests/s), \(scan.skipped) bad rows skipped")
        } catch {
            printError("\(error)")
            throw ExitStatus.dataError.exit
        }
    }
}
