import WorkloadModel
import WorkloadConfig

/// Why writing a replayed or exported stream stopped.
package enum ReplayFailure: Error, Sendable, CustomStringConvertible {
    case trace(TraceError)
    case output(OutputError)
    case export(ExportError)

    package var description: String {
        switch self {
        case .trace(let error): "\(error)"
        case .output(let error): "write failed: \(error)"
        case .export(let error): "\(error)"
        }
    }
}

/// `generate` on a `workload.replay` configuration, and `generate --format`
/// and `convert` for any stream: writes events in a trace format.
package enum ReplayGenerator {
    /// Writes the replayed stream of `configuration` to `output` in `format`. The whole
    /// trace is read first, as `validate` and `run` read it: a bad row after the run's
    /// end (`total_duration`, a request cap) fails here too, before anything is written.
    package static func write(
        _ configuration: Configuration, format: TraceFormat = .jsonl, to output: FileOutput, shouldStop: () -> Bool = { false }
    ) throws(ReplayFailure) -> (GenerationSummary, ReplaySource) {
        let source: ReplaySource
        do {
            if let replay = configuration.replay { _ = try TraceScan.read(replay) }
            source = try ReplaySource(configuration)
        } catch { throw .trace(error) }
        let writer = TraceWriter(format: format, encoder: StreamGenerator.encoder(for: configuration, defaultStart: 0))
        let summary = try export(writer, to: output, shouldStop: shouldStop, stop: { source.stop() }) { () throws(ReplayFailure) in
            do throws(TraceError) { return try source.next() } catch { throw .trace(error) }
        }
        return (summary, source)
    }

    /// Writes the generated (profile) stream of `configuration` in `format`.
    package static func writeGenerated(
        _ configuration: Configuration, format: TraceFormat, to output: FileOutput, shouldStop: () -> Bool = { false }
    ) throws(ReplayFailure) -> GenerationSummary {
        var engine = WorkloadEngine(spec: configuration.workload)
        let writer = TraceWriter(format: format, encoder: StreamGenerator.encoder(for: configuration, defaultStart: 0))
        return try export(writer, to: output, shouldStop: shouldStop, stop: { engine.stop(at: engine.virtualTime, reason: .shutdown) }) {
            () throws(ReplayFailure) in engine.next().map { ReplayEvent(event: $0) }
        }
    }

    /// Drains `next` into `output` through `writer`, flushing every `chunk` bytes.
    package static func export(
        _ writer: TraceWriter, to output: FileOutput, chunk: Int = 1 << 20, shouldStop: () -> Bool, stop: () -> Void,
        next: () throws(ReplayFailure) -> ReplayEvent?
    ) throws(ReplayFailure) -> GenerationSummary {
        var bytes = ByteWriter(capacity: chunk + 4096)
        var summary = GenerationSummary()
        var checked = 0
        writer.header(into: &bytes)
        func flush() throws(ReplayFailure) {
            summary.bytes += bytes.count
            do {
                try bytes.withUnsafeBytes { (raw) throws(OutputError) in try output.write(raw) }
            } catch { throw .output(error) }
            bytes.removeAll()
        }
        while let item = try next() {
            do { try writer.write(item, into: &bytes) } catch { throw .export(error) }
            summary.count(item.event)
            if bytes.count >= chunk {
                try flush()
                checked += 1
                if checked & 15 == 0 && shouldStop() { stop() }
            }
        }
        try flush()
        return summary
    }
}
