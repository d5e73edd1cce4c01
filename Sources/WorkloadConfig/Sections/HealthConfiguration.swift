/// `metrics.health`: when `/healthz` turns 503 (see `ProducerHealth`).
package struct HealthConfiguration: Sendable, Equatable {
    /// Unhealthy once records have waited this long with no broker acknowledging any.
    package var brokerTimeoutSeconds: Double = 30
    /// Unhealthy while the producer queue holds more than this share of its bound
    /// (`queue.buffering.max.messages`).
    package var queueSaturation: Double = 0.9

    package init() {}

    static let keys = ["broker_timeout_s", "queue_saturation"]

    /// Reads `metrics.health`, reporting every bad value with its key path.
    static func read(_ object: ConfigObject?) -> HealthConfiguration {
        var health = HealthConfiguration()
        guard let object else { return health }
        health.brokerTimeoutSeconds = object.number("broker_timeout_s", default: 30, .between(0.1, 86_400)) ?? 30
        health.queueSaturation = object.number("queue_saturation", default: 0.9, .between(0.01, 1)) ?? 0.9
        return health
    }

    /// The effective value, as `validate` prints it.
    var effectiveText: String {
        "health: {broker_timeout_s: \(NumberRule.format(brokerTimeoutSeconds)), queue_saturation: \(NumberRule.format(queueSaturation))}"
    }
}
