/// A client-to-service link: transfers are serialised first-in
/// first-out at `bandwidthBitsPerSecond`, then take `latencySeconds`.
package struct NetworkLink: Sendable, Equatable {
    package var latencySeconds: Double
    package var bandwidthBitsPerSecond: Double

    package init(latencySeconds: Double = 0.0001, bandwidthBitsPerSecond: Double = 10.0e9) {
        self.latencySeconds = latencySeconds
        self.bandwidthBitsPerSecond = bandwidthBitsPerSecond
    }
}
