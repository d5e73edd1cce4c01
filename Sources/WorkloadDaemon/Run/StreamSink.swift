import WorkloadModel

/// `--sink stdout|file:PATH|null`: JSON Lines, the same bytes `generate`
/// writes. Watermarks are not written: a JSON Lines file is one ordered stream.
final class StreamSink: EventSink {
    private let output: FileOutput?
    private var buffer = ByteWriter(capacity: 1 << 20)
    /// Flush after every event (paced runs) or in 1 MiB chunks (`max`).
    private let flushEachEvent: Bool
    private var written = 0

    init(output: FileOutput?, flushEachEvent: Bool) {
        self.output = output
        self.flushEachEvent = flushEachEvent
    }

    func publish(_ event: Event, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(SinkError) {
        written += 1
        guard output != nil else { return }
        buffer.append(bytes: value)
        buffer.append(byte: 0x0A)
        if flushEachEvent || buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(SinkError) {
        guard let output, buffer.count > 0 else { return }
        do {
            try buffer.withUnsafeBytes { (bytes) throws(OutputError) in try output.write(bytes) }
        } catch {
            throw SinkError(message: "write failed: \(error)", isFatal: true)
        }
        buffer.removeAll()
    }

    func watermark(time: VirtualNanoseconds, afterSeq: UInt64?) {}
    func poll() {}
    var outstanding: Int { 0 }

    func finish(timeoutSeconds: Double) -> SinkOutcome {
        var outcome = SinkOutcome()
        do {
            try flush()
            outcome.delivered = written
        } catch {
            outcome.fatalError = error.message
        }
        return outcome
    }
}
