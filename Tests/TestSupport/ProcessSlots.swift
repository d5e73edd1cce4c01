/// How many children the awaiting helpers (``runProcess(_:_:environment:workingDirectory:stdin:timeout:)``
/// and the test targets' `runCLI`/`runMeasured`) run at once. Awaiting, a test holds no thread, so
/// without a bound every process test would spawn at once: hundreds of debug binaries on two cores,
/// each binding ports and opening connections, which is also when librdkafka's mock cluster in this
/// process failed to bind a downed broker's port again and aborted. The slots are ``MachineGate``'s
/// process slots: a child holds the gate shared, so none starts while a wall-clock test runs.
package struct ProcessSlots: Sendable {
    package static let shared = ProcessSlots()

    /// Runs `body` once a slot is free and no wall-clock test runs (waiting without holding a
    /// thread), then frees it. Inside a test case that already holds the gate it runs at once.
    package func run<T>(_ body: () async throws -> T) async rethrows -> T {
        try await MachineGate.shared.sharing(.process, body)
    }
}
