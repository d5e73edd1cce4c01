import WorkloadModel

/// Why writing a replayed stream stopped.
public enum ReplayFailure: Error, Sendable, CustomStringConvertible {
    case trace(TraceError)
    case output(OutputError)

    public var description: String {
        switch self {
        case .trace(let error): "\(error)"
        case .output(let error): "write failed: \(error)"
        }
    }
}

/// `generate` on a `workload.replay` configuration: our event JSON Lines.
public enum ReplayGenerator {
    public static func encoder(for configuration: Configuration, defaultStart: Int64) -> EventEncoder {
        EventEncoder(
            runID: configuration.runID, seed: configuration.workload.seed,
            startUnixNanoseconds: configuration.clock.startUnixNanoseconds ?? defaultStart,
            profileNames: ReplaySource.profileNames)
    }

    /// Writes the replayed stream to `output`, flushing every `chunk` bytes.
    public static func write(
        _ configuration: Configuration, to output: FileOutput, chunk: Int = 1 << 20,
        shouldStop: () -> Bool = { false }
    ) throws(ReplayFailure) -> (GenerationSummary, ReplaySource) {
        let source: ReplaySource
        do { source = try ReplaySource(configuration) } catch { throw .trace(error) }
        let encoder = encoder(for: configuration, defaultStart: 0)
        var writer = ByteWriter(capacity: chunk + 4096)
        var summary = GenerationSummary()
        var checked = 0
        while true {
            let item: ReplayEvent?
            do { item = try source.next() } catch { throw .trace(error) }
            guard let item else { break }
            if case .request(let request) = item.event {
                encoder.encode(request, hashIDs: item.hashIDs, into: &writer)
            } else {
                encoder.encode(item.event, into: &writer)
            }
            summary.count(item.event)
            if writer.count >= chunk {
                summary.bytes += writer.count
                do {
                    try writer.withUnsafeBytes { (bytes) throws(OutputError) in try output.write(bytes) }
                } catch { throw .output(error) }
                writer.removeAll()
                checked += 1
                if checked & 15 == 0 && shouldStop() { source.stop() }
            }
        }
        summary.bytes += writer.count
        do {
            try writer.withUnsafeBytes { (bytes) throws(OutputError) in try output.write(bytes) }
        } catch { throw .output(error) }
        return (summary, source)
    }
}
