/// A client-to-service link: transfers are serialised first-in
/// first-out at `bandwidthBitsPerSecond`, then take `latencySeconds`.
public struct NetworkLink: Sendable, Equatable {
    public var latencySeconds: Double
    public var bandwidthBitsPerSecond: Double

    public init(latencySeconds: Double = 0.0001, bandwidthBitsPerSecond: Double = 10.0e9) {
        self.latencySeconds = latencySeconds
        self.bandwidthBitsPerSecond = bandwidthBitsPerSecond
    }
}
