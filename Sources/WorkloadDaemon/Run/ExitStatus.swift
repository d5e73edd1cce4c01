/// Every exit status `llm-workload` gives (sysexits(3) codes beyond 0), with
/// its name and what it means. The one table: `Daemon.Status`, the command
/// line's `--help`, the documentation and the tests read it.
package enum ExitStatus: Int32, CaseIterable, Sendable {
    case success = 0
    case usage = 64
    case dataError = 65
    case unavailable = 69
    case software = 70
    case cannotCreate = 73
    case ioError = 74
    case config = 78

    /// The status as the process returns it.
    package var code: Int32 { rawValue }

    /// The sysexits(3) name.
    package var name: String {
        switch self {
        case .success: return "EX_OK"
        case .usage: return "EX_USAGE"
        case .dataError: return "EX_DATAERR"
        case .unavailable: return "EX_UNAVAILABLE"
        case .software: return "EX_SOFTWARE"
        case .cannotCreate: return "EX_CANTCREAT"
        case .ioError: return "EX_IOERR"
        case .config: return "EX_CONFIG"
        }
    }

    /// What it means for `llm-workload`.
    package var meaning: String {
        switch self {
        case .success: return "done: every event delivered (or written), or stopped before generating"
        case .usage: return "bad command line"
        case .dataError: return "unreadable input: a trace (workload.replay, convert, fit, stats) or a file to read"
        case .unavailable: return "events undelivered, or Kafka unreachable or refusing records"
        case .software: return "a fatal Kafka error, or an internal failure"
        case .cannotCreate: return "the metrics address could not be bound, or an output not opened"
        case .ioError: return "writing the output failed (a closed pipe, a full disk)"
        case .config: return "configuration error (systemd does not restart on it)"
        }
    }

    /// One line for `--help`: "Exit status: 0 done ...; 64 bad command line; ...".
    package static var helpLine: String {
        "Exit status: " + allCases.map { "\($0.code) \($0.meaning)" }.joined(separator: "; ") + "."
    }

    /// The table in Markdown, for the documentation.
    package static var markdownTable: String {
        (["| Code | Name | Meaning |", "|---:|---|---|"]
            + allCases.map { "| \($0.code) | `\($0.name)` | \($0.meaning) |" }).joined(separator: "\n") + "\n"
    }
}
