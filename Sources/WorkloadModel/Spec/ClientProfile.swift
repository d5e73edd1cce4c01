/// One client type of the mix (interactive chat, code completion, batch ...),
/// with validated distributions. Defaults are the ones the Configuration reference article lists.
public struct ClientProfile: Sendable, Equatable {
    public var name: String
    public var weight: Double
    /// Gap before a new session of this profile (seconds, never negative).
    public var interArrival: Distribution
    /// Turn 1 prompt, and the new input of every later turn unless
    /// `conversation.followUpInput` is set (tokens).
    public var promptTokens: Distribution
    public var maxOutputTokens: Distribution
    /// Actual response length; `nil` means "equal to the turn's max_output_tokens".
    public var outputTokens: Distribution?
    /// Drawn once per session; rounded to an integer.
    public var priority: Distribution
    /// Gap between sending turn k and sending turn k+1 (seconds, never negative).
    public var followUp: Distribution
    public var conversationalProbability: Double
    public var streamingProbability: Double
    public var continuationProbability: Double
    public var numClients: Int
    /// Overrides the workload's shared link with a link of this profile's own.
    public var network: NetworkLink?
    /// This profile's own load over time (superposition mode only).
    public var load: LoadSpec? = nil
    /// Follow-up inputs, continuation by depth, history, correlation, context window.
    public var conversation: ConversationModel
    /// Shared prefixes of every prompt, in prompt order.
    public var prefixes: [PrefixUse] = []
    /// Tenants, models, adapters, SLO classes, reasoning and image tokens; empty: none.
    public var tags = RoutingTagsSpec()
    /// This profile's own `service_model` (replaces the workload's); nil: the workload's.
    public var serviceModel: ServiceModel? = nil
    /// What the follow-up gap is measured from (`follow_up_after`).
    public var followUpAfter: FollowUpAnchor = .send
    /// Agent sessions (`agent`): each user turn a chain of LLM calls with tool batches; nil: none.
    public var agent: AgentModel? = nil

    public init(
        name: String,
        weight: Double,
        interArrival: Distribution,
        promptTokens: Distribution,
        maxOutputTokens: Distribution,
        outputTokens: Distribution? = nil,
        priority: Distribution = Distribution(.constant(0)),
        followUp: Distribution = Distribution(.constant(5)),
        conversationalProbability: Double,
        streamingProbability: Double,
        continuationProbability: Double = 0.7,
        numClients: Int = 100,
        network: NetworkLink? = nil,
        conversation: ConversationModel = ConversationModel()
    ) {
        self.name = name
        self.weight = weight
        self.interArrival = interArrival
        self.promptTokens = promptTokens
        self.maxOutputTokens = maxOutputTokens
        self.outputTokens = outputTokens
        self.priority = priority
        self.followUp = followUp
        self.conversationalProbability = conversationalProbability
        self.streamingProbability = streamingProbability
        self.continuationProbability = continuationProbability
        self.numClients = numClients
        self.network = network
        self.conversation = conversation
    }
}
