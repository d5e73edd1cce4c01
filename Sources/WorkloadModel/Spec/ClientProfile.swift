/// One client type of the mix (interactive chat, code completion, batch ...),
/// with validated distributions. Defaults are the ones the Configuration reference article lists.
package struct ClientProfile: Sendable, Equatable {
    package var name: String
    package var weight: Double
    /// Gap before a new session of this profile (seconds, never negative).
    package var interArrival: Distribution
    /// Turn 1 prompt, and the new input of every later turn unless
    /// `conversation.followUpInput` is set (tokens).
    package var promptTokens: Distribution
    package var maxOutputTokens: Distribution
    /// Actual response length; `nil` means "equal to the turn's max_output_tokens".
    package var outputTokens: Distribution?
    /// Drawn once per session; rounded to an integer.
    package var priority: Distribution
    /// Gap between sending turn k and sending turn k+1 (seconds, never negative).
    package var followUp: Distribution
    package var conversationalProbability: Double
    package var streamingProbability: Double
    package var continuationProbability: Double
    package var numClients: Int
    /// Overrides the workload's shared link with a link of this profile's own.
    package var network: NetworkLink?
    /// This profile's own load over time (superposition mode only).
    package var load: LoadSpec? = nil
    /// Follow-up inputs, continuation by depth, history, correlation, context window.
    package var conversation: ConversationModel
    /// Shared prefixes of every prompt, in prompt order.
    package var prefixes: [PrefixUse] = []
    /// Tenants, models, adapters, SLO classes, reasoning and image tokens; empty: none.
    package var tags = RoutingTagsSpec()
    /// This profile's own `service_model` (replaces the workload's); nil: the workload's.
    package var serviceModel: ServiceModel? = nil
    /// What the follow-up gap is measured from (`follow_up_after`).
    package var followUpAfter: FollowUpAnchor = .send
    /// Agent sessions (`agent`): each user turn a chain of LLM calls with tool batches; nil: none.
    package var agent: AgentModel? = nil

    package init(
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
