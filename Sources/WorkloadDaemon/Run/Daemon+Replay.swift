import Logging
import WorkloadConfig
import WorkloadTraces

extension Daemon {
    /// A replayed trace is read once at start-up, as `validate` reads it, so
    /// that a bad row fails before anything is published (and `validate`
    /// accepting a configuration means `run` runs it). Nil to go on, else 65.
    static func checkTrace(of configuration: Configuration, logger: Logger, announce: (String) -> Void) -> Int32? {
        guard let replay = configuration.replay else { return nil }
        do {
            let scan = try TraceScan.read(replay)
            logger.info("trace read", metadata: [
                "file": "\(replay.file)", "rows": "\(scan.rows)", "skipped": "\(scan.skipped)",
                "span_s": "\(scan.spanSeconds(timeScale: replay.timeScale))",
            ])
            return nil
        } catch {
            announce("\(error)")
            return Status.dataError
        }
    }
}
