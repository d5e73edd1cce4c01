/// A profile prepared for the hot path: distributions resolved, identities
/// hashed, probabilities and links looked up once.
struct ProfileRuntime: Sendable {
    var interArrival: Distribution
    var promptTokens: Distribution
    var maxOutputTokens: Distribution
    var outputTokens: Distribution?
    var priority: Distribution
    var followUp: Distribution
    var conversationalProbability: Double
    var streamingProbability: Double
    var continuationProbability: Double
    var numClients: UInt64
    var link: Int
    /// Identity of this profile's sessions: ("session", profile name).
    var sessionIdentity: StreamIdentity
    var sessionsOpened: UInt64 = 0

    init(_ profile: ClientProfile, interArrival: Distribution, link: Int) {
        self.interArrival = interArrival
        promptTokens = profile.promptTokens
        maxOutputTokens = profile.maxOutputTokens
        outputTokens = profile.outputTokens
        priority = profile.priority
        followUp = profile.followUp
        conversationalProbability = profile.conversationalProbability
        streamingProbability = profile.streamingProbability
        continuationProbability = profile.continuationProbability
        numClients = UInt64(Swift.max(1, profile.numClients))
        self.link = link
        sessionIdentity = StreamIdentity("session", profile.name)
    }
}

/// One stream of new sessions. Mixture mode has one for all profiles;
/// superposition mode has one per profile.
struct ArrivalStream: Sendable {
    var rng: Xoshiro256
    /// The profile of the next arrival of this stream.
    var nextProfile: Int32

    init(rng: Xoshiro256, nextProfile: Int32) {
        self.rng = rng
        self.nextProfile = nextProfile
    }
}
