/// How a run that its sink stopped ends: the exit status and the log line for
/// each kind of failure, so that a closed pipe is not reported as a Kafka error.
enum RunEnding {
    static func status(_ failure: SinkError) -> Int32 {
        switch failure.kind {
        case .output: return Daemon.Status.ioError
        case .kafkaFatal: return Daemon.Status.software
        case .kafkaRejected: return Daemon.Status.unavailable
        }
    }

    static func headline(_ failure: SinkError) -> String {
        switch failure.kind {
        case .output: return "output failed; run stopped"
        case .kafkaFatal: return "fatal Kafka error; run stopped"
        case .kafkaRejected: return "Kafka rejected records for good; run stopped"
        }
    }
}
