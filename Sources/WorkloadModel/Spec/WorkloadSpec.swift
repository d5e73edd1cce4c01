/// How new sessions arrive (SPEC 3.2).
public enum ArrivalMode: String, Sendable, Equatable, CaseIterable {
    /// One stream: each arrival picks a profile by weight, then waits an
    /// inter-arrival time drawn from that profile (the seed's behaviour).
    case mixture
    /// Each profile is its own independent stream, with the rate and share it
    /// has in mixture mode and its own inter-arrival shape.
    case superposition
}

/// Everything the model needs to generate a stream: validated, no I/O.
public struct WorkloadSpec: Sendable, Equatable {
    /// Virtual seconds; `nil` runs forever.
    public var totalDuration: Double?
    /// Cap on request events; `nil` means no cap.
    public var totalRequests: Int?
    public var seed: UInt64
    public var maxTurnsPerSession: Int
    public var accumulateConversationalTokens: Bool
    public var bytesPerToken: Double
    public var arrivalMode: ArrivalMode
    /// The link shared by every profile without a link of its own.
    public var network: NetworkLink
    public var profiles: [ClientProfile]

    public init(
        totalDuration: Double? = nil,
        totalRequests: Int? = nil,
        seed: UInt64,
        maxTurnsPerSession: Int = 10,
        accumulateConversationalTokens: Bool = true,
        bytesPerToken: Double = 2,
        arrivalMode: ArrivalMode = .mixture,
        network: NetworkLink = NetworkLink(),
        profiles: [ClientProfile]
    ) {
        self.totalDuration = totalDuration
        self.totalRequests = totalRequests
        self.seed = seed
        self.maxTurnsPerSession = maxTurnsPerSession
        self.accumulateConversationalTokens = accumulateConversationalTokens
        self.bytesPerToken = bytesPerToken
        self.arrivalMode = arrivalMode
        self.network = network
        self.profiles = profiles
    }
}
