import Foundation
import WorkloadModel

/// `workload.replay`: a trace replayed as the workload instead of
/// client profiles.
package struct ReplayConfiguration: Sendable, Equatable {
    /// The trace, resolved against the configuration file's directory.
    package var file: String
    package var format: TraceFormat
    /// Trace seconds per virtual second: 2 replays twice as fast.
    package var timeScale: Double = 1
    /// Repeat the trace forever, each pass shifted by the trace's span.
    package var loop = false
    /// Pass over malformed rows (and rows going back in time), counting them.
    package var skipBadRows = false

    package init(file: String, format: TraceFormat) {
        self.file = file
        self.format = format
    }

    static let keys = ["file", "format", "time_scale", "loop", "skip_bad_rows"]

    /// Reads `workload.replay` of the `workload` object; `base` is the
    /// directory relative paths start from. Profiles, `load`, `warm_start`,
    /// the session keys and the prefix keys describe a generated workload, so
    /// they are errors beside a replay (rather than silently unused).
    static let generatedWorkloadKeys = [
        "client_profiles", "load", "warm_start", "max_turns_per_session", "accumulate_conversational_tokens",
        "arrival_mode", "prefix_pools", "kv_blocks",
    ]

    static func read(from workload: ConfigObject, reader: ConfigReader, base: String?) -> ReplayConfiguration? {
        for key in generatedWorkloadKeys where workload.has(key) {
            reader.report(workload.path(key), "not allowed with workload.replay (the trace is the workload)")
        }
        guard let object = workload.object("replay", allowed: keys) else { return nil }
        return read(object, reader: reader, base: base)
    }

    /// Reads a `replay` mapping; `base` is the directory relative paths start from.
    static func read(_ object: ConfigObject, reader: ConfigReader, base: String?) -> ReplayConfiguration? {
        let before = reader.problems.count
        var file = ""
        if let node = object.required("file", "the trace file"), let text = reader.string(node, at: object.path("file")) {
            file = text
            if let base, !text.hasPrefix("/") { file = base + "/" + text }
            if text.isEmpty {
                reader.report(object.path("file"), "must not be empty")
            } else {
                // stat, not open: a FIFO with no writer would block an open.
                var status = stat()
                if stat(file, &status) != 0 {
                    let code = errno
                    reader.report(object.path("file"), code == ENOENT ? "no such file: \(file)" : "cannot be examined: \(String(cString: strerror(code))): \(file)")
                } else if let kind = FileKind.irregularKind(status.st_mode) {
                    reader.report(object.path("file"), "not a regular file (\(kind)): \(file)")
                }
            }
        }
        var format: TraceFormat?
        if let node = object.required("format", "one of \(TraceFormat.readableNames)"), let name = reader.string(node, at: object.path("format")) {
            format = TraceFormat(rawValue: name)
            if let written = format, !written.isReadable {
                reader.report(object.path("format"), "\(name) is written by generate --format, not read (got \(name))")
                format = nil
            } else if format == nil {
                reader.report(object.path("format"), "must be one of \(TraceFormat.readableNames) (got \(name))\(KeySuggestion.hint(for: name, in: TraceFormat.allCases.filter(\.isReadable).map(\.rawValue)))")
            }
        }
        let scale = object.number("time_scale", default: 1, .between(1e-6, 1e6))
        let loop = object.bool("loop", default: false)
        let skip = object.bool("skip_bad_rows", default: false)
        guard reader.problems.count == before, let format, let scale else { return nil }
        var replay = ReplayConfiguration(file: file, format: format)
        replay.timeScale = scale
        replay.loop = loop
        replay.skipBadRows = skip
        return replay
    }
}
