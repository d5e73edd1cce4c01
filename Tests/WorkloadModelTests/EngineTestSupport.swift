@testable import WorkloadModel

/// A profile with constant distributions unless told otherwise.
func profile(
    _ name: String, weight: Double = 1, gap: Distribution = Distribution(.constant(1)),
    prompt: Distribution = Distribution(.constant(100), isInt: true),
    maxOutput: Distribution = Distribution(.constant(50), isInt: true),
    output: Distribution? = nil, followUp: Distribution = Distribution(.constant(5)),
    conversational: Double = 0, continuation: Double = 0.7, streaming: Double = 1,
    clients: Int = 10, network: NetworkLink? = nil
) -> ClientProfile {
    ClientProfile(
        name: name, weight: weight, interArrival: gap, promptTokens: prompt, maxOutputTokens: maxOutput,
        outputTokens: output, followUp: followUp, conversationalProbability: conversational,
        streamingProbability: streaming, continuationProbability: continuation, numClients: clients, network: network)
}

/// Every event of a bounded run.
func events(_ spec: WorkloadSpec) -> [Event] {
    var engine = WorkloadEngine(spec: spec)
    var out: [Event] = []
    while let event = engine.next() { out.append(event) }
    return out
}

extension Event {
    var request: RequestEvent? { if case .request(let e) = self { e } else { nil } }
    var started: SessionStartedEvent? { if case .sessionStarted(let e) = self { e } else { nil } }
    var ended: SessionEndedEvent? { if case .sessionEnded(let e) = self { e } else { nil } }
}

/// Mean and sample variance.
func moments(_ values: [Double]) -> (mean: Double, variance: Double) {
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
    return (mean, variance)
}

let nanosPerSecond = 1e9
