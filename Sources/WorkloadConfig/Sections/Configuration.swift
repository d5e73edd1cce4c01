import Foundation
import WorkloadModel
import Yams

/// How virtual time maps onto wall time (`clock.mode`).
package enum ClockMode: String, Sendable, Equatable, CaseIterable {
    case realtime
    case accelerated
}

package struct ClockConfiguration: Sendable, Equatable {
    package var mode: ClockMode = .realtime
    /// Virtual seconds per wall second; `nil` means `max` (as fast as the sink takes).
    package var speed: Double? = 1
    /// Unix nanoseconds of virtual time zero; `nil` means "now" (the default
    /// for `run`; `generate` uses the Unix epoch instead).
    package var startUnixNanoseconds: Int64?
    package var watermarkIntervalSeconds: Double = 1.0
    /// `clock.on_resume`; nil: `skip` in real time, `catch_up` otherwise.
    package var onResume: ResumePolicy?

    package init() {}
}

package struct KafkaTopics: Sendable, Equatable {
    package var requests = "llm.requests"
    package var sessions = "llm.sessions"
    /// `completion` events (a service model with `emit_completions`).
    package var completions = "llm.completions"
    /// Whether the stream has `completion` events (set from the workload at
    /// load), which puts the completions topic in use.
    package var carriesCompletions = false
    package init() {}

    /// The topics the stream is published to, in this order: requests,
    /// sessions, then completions when the stream has them. A record's
    /// topic is named by its index here.
    package var inUse: [String] { all.map(\.name) }

    /// The same topics with the key that names each, for messages about them.
    package var all: [(key: String, name: String)] {
        let base: [(key: String, name: String)] = [("kafka.topics.requests", requests), ("kafka.topics.sessions", sessions)]
        return carriesCompletions ? base + [("kafka.topics.completions", completions)] : base
    }
}

/// `kafka.create_topics`: the topics `run` creates when they are missing.
package struct TopicCreationSettings: Sendable, Equatable {
    package var partitions: Int32 = 6
    package var replicationFactor: Int32 = 1
    package init() {}
}

package struct KafkaConfiguration: Sendable, Equatable {
    package var brokers = "localhost:9092"
    package var topics = KafkaTopics()
    /// Passthrough librdkafka properties, applied over our defaults.
    package var librdkafka: [String: String] = [:]
    /// Partitions of each topic the embedded mock cluster creates.
    package var embeddedPartitions: Int32 = 6
    /// How long shutdown waits for outstanding deliveries.
    package var flushTimeoutSeconds: Double = 30
    /// `record_timestamp`: wall clock (default) or event time.
    package var recordTimestamp = RecordTimestamp.wall
    /// `routing_headers`: copy request routing tags into record headers.
    package var routingHeaders = false
    /// `kafka.create_topics`; nil: a missing topic is a configuration error.
    package var createTopics: TopicCreationSettings?
    package init() {}
}

package struct MetricsConfiguration: Sendable, Equatable {
    /// `host:port`; empty disables the endpoint.
    package var listen = "127.0.0.1:9464"
    package var health = HealthConfiguration()
    package init() {}
}

/// The whole configuration file (see the Configuration reference article), validated.
package struct Configuration: Sendable, Equatable {
    package var workload: WorkloadSpec
    /// True when `random_seed` was absent and a random seed was chosen.
    package var seedWasChosen: Bool
    /// `workload.run_id`, or one derived from the configuration and seed.
    package var runID: String
    /// Whether `runID` was set in the file (else it follows overrides).
    package var runIDWasGiven = false
    /// FNV-1a hash of the configuration text, for derived run IDs.
    package var textHash: UInt64 = 0
    package var clock: ClockConfiguration
    package var kafka: KafkaConfiguration
    package var metrics: MetricsConfiguration
    /// Where it was read from (a path), for messages.
    package var source = "<config>"
    /// `workload.replay`: a trace as the workload instead of profiles.
    package var replay: ReplayConfiguration?
    /// `faults`: publish-time late, duplicate and dropped records; nil: none.
    package var faults: FaultConfiguration?
    /// `feedback`: completions from a service's topic; nil: from the service model.
    package var feedback: FeedbackConfiguration?

    package init(workload: WorkloadSpec, seedWasChosen: Bool = false, runID: String, clock: ClockConfiguration = .init(),
                kafka: KafkaConfiguration = .init(), metrics: MetricsConfiguration = .init()) {
        self.workload = workload
        self.seedWasChosen = seedWasChosen
        self.runID = runID
        self.clock = clock
        self.kafka = kafka
        self.metrics = metrics
    }
}

extension Configuration {
    static let topLevelKeys = ["workload", "clock", "kafka", "metrics", "faults", "feedback"]
    static let workloadKeys = [
        "total_duration", "total_requests_to_generate", "random_seed", "max_turns_per_session",
        "accumulate_conversational_tokens", "bytes_per_token_estimate_for_network", "arrival_mode",
        "network", "client_profiles", "run_id", "limits", "load", "warm_start", "replay", "service_model",
    ] + prefixWorkloadKeys
    static let profileKeys = [
        "profile_name", "weight", "inter_arrival_time_dist_config", "prompt_tokens_dist_config",
        "max_output_tokens_dist_config", "conversational_probability", "streaming_response_probability",
        "output_tokens_dist_config", "user_priority_dist_config", "follow_up_inter_arrival_time_dist_config",
        "continuation_probability", "num_clients", "network", "load", "prefixes", "agent",
    ] + conversationKeys + routingTagKeys + serviceProfileKeys

    /// Loads and validates a configuration file. Throws `ConfigError` listing
    /// every problem (a missing file and a file that is not YAML included).
    package static func load(path: String) throws(ConfigError) -> Configuration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file"
            throw ConfigError(source: path, problems: [ConfigProblem(path: "", message: "\(reason): \(path)")])
        }
        return try parse(yaml: text, source: path)
    }

    /// Parses and validates configuration text.
    package static func parse(yaml text: String, source: String = "<config>") throws(ConfigError) -> Configuration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(source: source, problems: [ConfigProblem(path: "", message: "not valid YAML: \(error)")])
        }
        guard let root else {
            throw ConfigError(source: source, problems: [ConfigProblem(path: "", message: "the file is empty (expected a 'workload:' section)")])
        }
        let reader = ConfigReader()
        let base = source == "<config>" ? nil : (source as NSString).deletingLastPathComponent
        let configuration = read(root, reader: reader, canonical: text, base: base.map { $0.isEmpty ? "." : $0 })
        guard var configuration, reader.problems.isEmpty else {
            throw ConfigError(source: source, problems: reader.problems)
        }
        configuration.source = source
        return configuration
    }

    private static func read(_ root: Node, reader: ConfigReader, canonical: String, base: String?) -> Configuration? {
        guard let top = reader.object(root, at: "", allowed: topLevelKeys) else { return nil }
        guard let workloadNode = top.required("workload", "the workload section") else { return nil }
        guard let object = reader.object(workloadNode, at: "workload", allowed: workloadKeys) else { return nil }
        let parser = DistributionParser(reader: reader)

        let workload = readWorkload(object, reader: reader)
        var spec = workload.0
        spec.serviceModel = serviceModel(object, reader: reader, parser: parser)
        var replay: ReplayConfiguration?
        if object.has("replay") {
            replay = ReplayConfiguration.read(from: object, reader: reader, base: base)
        } else if let profilesNode = object.required("client_profiles", "a list of client profiles") {
            readProfiles(profilesNode, of: object, reader: reader, parser: parser, into: &spec)
        }
        readLoad(object, reader: reader, into: &spec)
        if reader.problems.isEmpty { checkAgents(spec, reader: reader) }

        var clock = ClockConfiguration()
        if let node = top.object("clock", allowed: ["mode", "speed", "start", "watermark_interval_s", "on_resume"]) {
            clock = readClock(node, reader: reader)
        }
        var kafka = KafkaConfiguration()
        if let node = top.object("kafka", allowed: ["brokers", "topics", "librdkafka", "embedded_partitions", "flush_timeout_s", "create_topics"] + recordOptionKeys) {
            kafka = readKafka(node, reader: reader)
            readRecordOptions(node, reader: reader, into: &kafka)
            checkRecordTimestamp(kafka, clock: clock, reader: reader)
        }
        var metrics = MetricsConfiguration()
        if let node = top.object("metrics", allowed: ["listen", "health"]) {
            metrics.listen = node.string("listen", default: metrics.listen)
            metrics.health = HealthConfiguration.read(node.object("health", allowed: HealthConfiguration.keys))
        }

        let faults = readFaults(top, reader: reader, parser: parser)
        let feedback = readFeedback(top, reader: reader)
        if feedback == nil, reader.problems.isEmpty { checkServiceModels(spec, reader: reader) }
        guard reader.problems.isEmpty else { return nil }
        // With feedback, a completion-anchored profile's completions are the service's, not this run's.
        kafka.topics.carriesCompletions = spec.profiles.indices.contains {
            spec.serviceModel(ofProfile: $0)?.emitCompletions == true && !(feedback != nil && spec.profiles[$0].followUpAfter == .completion)
        }
        var configuration = Configuration(workload: spec, seedWasChosen: workload.seedWasChosen, runID: "", clock: clock, kafka: kafka, metrics: metrics)
        configuration.replay = replay
        configuration.faults = faults
        configuration.feedback = feedback
        configuration.resolveFeedback()
        for problem in configuration.feedbackProblems { reader.report(problem.path, problem.message) }
        configuration.textHash = StreamIdentity("config", canonical).hash
        if let node = object["run_id"], let given = reader.string(node, at: object.path("run_id")), !given.isEmpty {
            configuration.runID = given
            configuration.runIDWasGiven = true
        } else {
            configuration.deriveRunID()
        }
        return configuration
    }

    /// The workload's own keys: bounds, seed (chosen at random when not given), turns, network, limits.
    private static func readWorkload(_ object: ConfigObject, reader: ConfigReader) -> (WorkloadSpec, seedWasChosen: Bool) {
        var spec = WorkloadSpec(seed: 0, profiles: [])
        // Up to about 31 years of virtual time: the clock counts Int64 nanoseconds.
        spec.totalDuration = object.optionalNumber("total_duration", .between(1e-9, 1e9))
        spec.totalRequests = object.has("total_requests_to_generate")
            ? object.integer("total_requests_to_generate", default: nil, .atLeast(1)) : nil
        var seedWasChosen = false
        if object.has("random_seed") {
            if let seed = object.integer("random_seed", default: nil, .nonNegative) { spec.seed = UInt64(seed) }
        } else {
            var system = SystemRandomNumberGenerator()  // the one place a run is not reproducible: no seed given
            spec.seed = system.next() >> 1
            seedWasChosen = true
        }
        spec.maxTurnsPerSession = object.integer("max_turns_per_session", default: 10, .between(1, 1_000_000)) ?? 10
        spec.accumulateConversationalTokens = object.bool("accumulate_conversational_tokens", default: true)
        spec.bytesPerToken = object.number("bytes_per_token_estimate_for_network", default: 2, .between(0, 1_000_000)) ?? 2
        if let modeNode = object["arrival_mode"], let name = reader.string(modeNode, at: object.path("arrival_mode")) {
            if let mode = ArrivalMode(rawValue: name) {
                spec.arrivalMode = mode
            } else {
                reader.report(object.path("arrival_mode"), "must be mixture or superposition (got \(name))\(KeySuggestion.hint(for: name, in: ArrivalMode.allCases.map(\.rawValue)))")
            }
        }
        if let network = object.object("network", allowed: ["latency_s", "bandwidth_bps"]) {
            spec.network = link(network, fallback: NetworkLink())
        }
        if let limits = object.object("limits", allowed: GeneratorLimits.keys) {
            spec.limits = readLimits(limits)
        }

        return (spec, seedWasChosen)
    }

    /// `workload.client_profiles`, their prefixes, and the checks across profiles.
    private static func readProfiles(_ profilesNode: Node, of object: ConfigObject, reader: ConfigReader, parser: DistributionParser,
                                     into spec: inout WorkloadSpec) {
        if case .sequence(let list) = profilesNode, !list.isEmpty {
            var seen: [String: Int] = [:]
            for (index, node) in list.enumerated() {
                let path = "workload.client_profiles[\(index)]"
                guard let profile = self.profile(node, at: path, reader: reader, parser: parser, defaultLink: spec.network) else { continue }
                if let first = seen[profile.name] {
                    reader.report(path + ".profile_name", "duplicate profile name '\(profile.name)' (also client_profiles[\(first)])")
                }
                seen[profile.name] = seen[profile.name] ?? index
                spec.profiles.append(profile)
            }
            readPrefixes(object, profileNodes: Array(list), reader: reader, parser: parser, into: &spec)
            readRoutingTags(profileNodes: Array(list), reader: reader, parser: parser, into: &spec)
            if reader.problems.isEmpty { checkConversations(spec, reader: reader) }
            if reader.problems.isEmpty, spec.profiles.allSatisfy({ $0.weight == 0 }) {
                reader.report("workload.client_profiles", "weights must not all be zero")
            } else if reader.problems.isEmpty, spec.arrivalMode == .superposition {
                // Each profile's gaps are rescaled to its share of the rate.
                for (index, profile) in spec.profiles.enumerated() where profile.weight > 0 {
                    let factor = spec.superpositionScale(ofProfile: index)
                    if !factor.isFinite || factor <= 0 {
                        reader.report("workload.client_profiles[\(index)].weight", "too small a share to rescale this profile's arrivals in superposition mode (got \(profile.weight))")
                    }
                }
            }
        } else {
            reader.report("workload.client_profiles", "expected a non-empty list of profiles (got \(ConfigReader.describe(profilesNode)))")
        }
    }

    /// Derives the run ID from the configuration text and everything that
    /// overrides it (seed, duration, request cap).
    package mutating func deriveRunID() {
        guard !runIDWasGiven else { return }
        runID = RunIdentity.runID(self, seed: workload.seed)
    }

    private static func link(_ object: ConfigObject, fallback: NetworkLink) -> NetworkLink {
        NetworkLink(
            latencySeconds: object.number("latency_s", default: fallback.latencySeconds, .between(0, 3600)) ?? fallback.latencySeconds,
            bandwidthBitsPerSecond: object.number("bandwidth_bps", default: fallback.bandwidthBitsPerSecond, .atLeast(1)) ?? fallback.bandwidthBitsPerSecond)
    }

    private static func profile(_ node: Node, at path: String, reader: ConfigReader, parser: DistributionParser, defaultLink: NetworkLink) -> ClientProfile? {
        guard let object = reader.object(node, at: path, allowed: profileKeys) else { return nil }
        let before = reader.problems.count
        var name = ""
        if let nameNode = object.required("profile_name", "a name") {
            name = reader.string(nameNode, at: object.path("profile_name")) ?? ""
            if name.isEmpty, reader.problems.count == before { reader.report(object.path("profile_name"), "must not be empty") }
        }
        let weight = object.number("weight", default: 1, .nonNegative)
        func distribution(_ key: String, _ role: DistributionRole, required: Bool) -> Distribution? {
            guard let node = required ? object.required(key, "a distribution") : object[key] else { return nil }
            return parser.parse(node, at: object.path(key), role: role)
        }
        let gaps = distribution("inter_arrival_time_dist_config", .time, required: true)
        let prompt = distribution("prompt_tokens_dist_config", .tokens, required: true)
        let maxOutput = distribution("max_output_tokens_dist_config", .tokens, required: true)
        let output = distribution("output_tokens_dist_config", .tokens, required: false)
        let priority = distribution("user_priority_dist_config", .priority, required: false) ?? Distribution(.constant(0))
        let followUp = distribution("follow_up_inter_arrival_time_dist_config", .time, required: false) ?? Distribution(.constant(5))
        let conversational = object.number("conversational_probability", default: nil, .probability)
        let streaming = object.number("streaming_response_probability", default: nil, .probability)
        let conversation = conversation(object, reader: reader, parser: parser)
        let clients = object.integer("num_clients", default: 100, .within(ConfigBounds.numClients))
        var network: NetworkLink?
        if let linkObject = object.object("network", allowed: ["latency_s", "bandwidth_bps"]) {
            network = link(linkObject, fallback: defaultLink)
        }
        // The clock counts nanoseconds: a mean gap below one would pile every
        // arrival onto the same instant.
        if let gaps, !(gaps.mean >= 1e-9) || !gaps.mean.isFinite {
            reader.report(object.path("inter_arrival_time_dist_config"), "mean inter-arrival time must be finite and at least 1 ns (got \(gaps.mean) s)")
        }
        let service = serviceModel(object, reader: reader, parser: parser)
        let anchor = followUpAnchor(object, reader: reader)
        let agent = agentModel(object, reader: reader, parser: parser)
        guard reader.problems.count == before, let weight, let gaps, let prompt, let maxOutput,
              let conversational, let streaming, let conversation, let clients else { return nil }
        var profile = ClientProfile(
            name: name, weight: weight, interArrival: gaps, promptTokens: prompt, maxOutputTokens: maxOutput,
            outputTokens: output, priority: priority, followUp: followUp,
            conversationalProbability: conversational, streamingProbability: streaming,
            continuationProbability: conversation.continuation, numClients: clients, network: network,
            conversation: conversation.model)
        profile.serviceModel = service
        profile.followUpAfter = anchor
        profile.agent = agent
        return profile
    }

    private static func readClock(_ object: ConfigObject, reader: ConfigReader) -> ClockConfiguration {
        var clock = ClockConfiguration()
        let mode = object.string("mode", default: "realtime")
        if let parsed = ClockMode(rawValue: mode) {
            clock.mode = parsed
        } else {
            reader.report(object.path("mode"), "must be realtime or accelerated (got \(mode))")
        }
        if let node = object["speed"] {
            if node.scalar?.string == "max" {
                clock.speed = nil
            } else if let speed = reader.number(node, at: object.path("speed")) {
                if ConfigBounds.speed.contains(speed) { clock.speed = speed } else {
                    reader.report(object.path("speed"), "must be max or between \(NumberRule.format(ConfigBounds.speed.lowerBound)) and \(NumberRule.format(ConfigBounds.speed.upperBound)) (got \(ConfigReader.describe(node)))")
                }
            }
        }
        if let node = object["start"], let text = reader.string(node, at: object.path("start")), text != "now" {
            if let start = RFC3339.parse(text), ConfigBounds.startRange.contains(start) {
                clock.startUnixNanoseconds = start
            } else if RFC3339.parseSeconds(text) != nil {
                reader.report(object.path("start"), "must be between \(ConfigBounds.earliestStart) and \(ConfigBounds.latestStart), so that time never leaves 64-bit nanoseconds (got \(text))")
            } else {
                reader.report(object.path("start"), "expected now or an RFC 3339 time such as 2026-01-01T00:00:00Z (got \(text))")
            }
        }
        clock.watermarkIntervalSeconds = object.number("watermark_interval_s", default: 1.0, .within(ConfigBounds.watermarkIntervalSeconds)) ?? 1.0
        clock.onResume = ResumePolicy.read(object, reader: reader)
        return clock
    }

    private static func readKafka(_ object: ConfigObject, reader: ConfigReader) -> KafkaConfiguration {
        var kafka = KafkaConfiguration()
        kafka.brokers = object.string("brokers", default: kafka.brokers)
        if let topics = object.object("topics", allowed: ["requests", "sessions", "completions"]) {
            kafka.topics.requests = topics.string("requests", default: kafka.topics.requests)
            kafka.topics.sessions = topics.string("sessions", default: kafka.topics.sessions)
            kafka.topics.completions = topics.string("completions", default: kafka.topics.completions)
        }
        if let node = object["librdkafka"] {
            if case .mapping(let mapping) = node {
                for (key, value) in mapping {
                    let name = key.scalar?.string ?? ""
                    kafka.librdkafka[name] = reader.string(value, at: object.path("librdkafka") + ".\(name)")
                }
            } else {
                reader.report(object.path("librdkafka"), "expected a mapping of librdkafka properties (got \(ConfigReader.describe(node)))")
            }
        }
        kafka.embeddedPartitions = Int32(object.integer("embedded_partitions", default: 6, .within(ConfigBounds.embeddedPartitions)) ?? 6)
        kafka.flushTimeoutSeconds = object.number("flush_timeout_s", default: 30, .within(ConfigBounds.flushTimeoutSeconds)) ?? 30
        if let node = object.object("create_topics", allowed: ["partitions", "replication_factor"]) {
            var create = TopicCreationSettings()
            create.partitions = Int32(node.integer("partitions", default: 6, .within(ConfigBounds.createdPartitions)) ?? 6)
            create.replicationFactor = Int32(node.integer("replication_factor", default: 1, .within(ConfigBounds.replicationFactor)) ?? 1)
            kafka.createTopics = create
        }
        return kafka
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
