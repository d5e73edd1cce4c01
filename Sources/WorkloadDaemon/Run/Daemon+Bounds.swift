import Logging
import WorkloadModel
import WorkloadConfig

extension Daemon {
    /// The start-up check, the same `validate` runs: nil to go on, else the
    /// exit status (every problem announced).
    static func preflight(_ configuration: Configuration, logger: Logger, announce: (String) -> Void) -> Int32? {
        do {
            let preflight = try Preflight.check(configuration)
            preflight.log(to: logger)
            return checkTrace(of: configuration, logger: logger, announce: announce)
        } catch {
            announce(error.description)
            return Status.config
        }
    }

    /// A run that ended at one of the generator's bounds: a memory ceiling is
    /// a configuration error (78); the end of the clock's range a clean end.
    static func status(afterReaching bound: GeneratorBound?, logger: Logger, announce: (String) -> Void) -> Int32? {
        guard let bound else { return nil }
        if bound.isMemoryCeiling {
            logger.critical("generator memory ceiling reached", metadata: ["reason": "\(bound.message)"])
            announce("\(bound.message)")
            return Status.config
        }
        logger.notice("run ended at the clock's bound", metadata: ["reason": "\(bound.message)"])
        return nil
    }
}

extension Preflight {
    /// Logs each warning (a link above 80%, memory above half its limit).
    package func log(to logger: Logger) {
        for warning in warnings {
            logger.warning("configuration warning", metadata: ["path": "\(warning.path)", "warning": "\(warning.message)"])
        }
    }
}
