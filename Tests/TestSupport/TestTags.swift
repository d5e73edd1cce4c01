import Testing

/// The lanes. The fast lane (`swift test --skip tag:slow`... see README) leaves out
/// every suite tagged here; the full suite runs them all.
extension Tag {
    /// Talks to a broker over TCP, runs the binary for seconds, or waits on real time.
    @Tag public static var integration: Self
}
