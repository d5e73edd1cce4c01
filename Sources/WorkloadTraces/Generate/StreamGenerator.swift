import WorkloadModel
import WorkloadConfig

/// What a bounded generation produced.
package struct GenerationSummary: Sendable, Equatable {
    package var events = 0
    package var requests = 0
    package var sessionsStarted = 0
    package var sessionsEnded = 0
    /// `completion` events (a service model with `emit_completions`).
    package var completions = 0
    package var bytes = 0
    package var lastVirtualTime: VirtualNanoseconds = 0
    /// The generator bound that ended the stream early, if any.
    package var bound: GeneratorBound?
}

/// `generate`: runs the model at full speed and writes JSON Lines.
package enum StreamGenerator {
    /// The encoder for a configuration; `defaultStart` anchors `time` when the
    /// configuration's `clock.start` is `now` (the Unix epoch for `generate`).
    package static func encoder(for configuration: Configuration, defaultStart: Int64) -> EventEncoder {
        var encoder = EventEncoder(
            runID: configuration.runID, seed: configuration.workload.seed,
            startUnixNanoseconds: configuration.clock.startUnixNanoseconds ?? defaultStart,
            profileNames: configuration.streamProfileNames)
        if PrefixCatalog.isNeeded(by: configuration.workload) { encoder.prefixCatalog = PrefixCatalog(spec: configuration.workload) }
        encoder.routingTags = RoutingTagger(spec: configuration.workload)
        return encoder
    }

    /// Writes the whole stream of a bounded configuration (or until
    /// `shouldStop` says so) to `output`, flushing every `chunk` bytes.
    package static func write(
        _ configuration: Configuration, to output: FileOutput, chunk: Int = 1 << 20,
        shouldStop: () -> Bool = { false }
    ) throws(OutputError) -> GenerationSummary {
        var engine = WorkloadEngine(spec: configuration.workload)
        let encoder = encoder(for: configuration, defaultStart: 0)
        var writer = ByteWriter(capacity: chunk + 4096)
        var summary = GenerationSummary()
        var checked = 0
        while let event = engine.next() {
            encoder.encode(event, into: &writer)
            summary.count(event)
            if writer.count >= chunk {
                summary.bytes += writer.count
                try writer.withUnsafeBytes { (bytes) throws(OutputError) in try output.write(bytes) }
                writer.removeAll()
                checked += 1
                if checked & 15 == 0 && shouldStop() {
                    engine.stop(at: engine.virtualTime, reason: .shutdown)
                }
            }
        }
        summary.bound = engine.boundReached
        summary.bytes += writer.count
        try writer.withUnsafeBytes { (bytes) throws(OutputError) in try output.write(bytes) }
        return summary
    }
}

extension GenerationSummary {
    mutating func count(_ event: Event) {
        events += 1
        lastVirtualTime = event.time
        switch event {
        case .request: requests += 1
        case .sessionStarted: sessionsStarted += 1
        case .sessionEnded: sessionsEnded += 1
        case .completion: completions += 1
        }
    }
}
