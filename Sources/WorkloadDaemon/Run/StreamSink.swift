import WorkloadModel
import WorkloadTraces

/// `--sink stdout|file:PATH|null`: JSON Lines, the same bytes `generate`
/// writes. Watermarks are not written: a JSON Lines file is one ordered stream.
package final class StreamSink: EventSink {
    private let output: FileOutput?
    private var buffer = ByteWriter(capacity: 1 << 20)
    /// Flush after every event (paced runs) or in 1 MiB chunks (`max`).
    private let flushEachEvent: Bool
    /// Events handed over, and those of them known written.
    private var written = 0
    private var confirmed = 0
    private var failed: SinkError?

    package init(output: FileOutput?, flushEachEvent: Bool) {
        self.output = output
        self.flushEachEvent = flushEachEvent
    }

    package func publish(_ event: Event, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(SinkError) {
        written += 1
        if let failed { throw failed }
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
            // A closed pipe (EPIPE, SIGPIPE being ignored) or a full disk (ENOSPC):
            // nothing more can be written, and the buffered events are lost.
            let failure = SinkError(message: "cannot write the output: \(error)", kind: .output)
            failed = failure
            throw failure
        }
        confirmed = written
        buffer.removeAll()
    }

    package func watermark(time: VirtualNanoseconds, afterSeq: UInt64?) {}
    package func poll() {}
    package var outstanding: Int { 0 }

    package func finish(timeoutSeconds: Double) -> SinkOutcome {
        var outcome = SinkOutcome()
        if failed == nil {
            do {
                try flush()
            } catch {}
        }
        if output == nil { confirmed = written }
        outcome.delivered = confirmed
        outcome.undelivered = written - confirmed
        outcome.failure = failed
        return outcome
    }
}
