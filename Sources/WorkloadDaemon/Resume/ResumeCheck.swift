import Logging
import WorkloadKafka
import WorkloadConfig
import WorkloadModel

/// What Kafka already holds of this run, read back once the sink is open.
/// Continuing a run: the records after the checkpoint are not published
/// again (the sink's `cover`), and a record lost in between refuses the start
/// (69). A new run: a record of the same run ID refuses it (78), and with a
/// state directory the partitions' present ends are written down, since its
/// records will all lie at or above them.
struct ResumeCheck {
    let configuration: Configuration
    let shard: Shard?
    let logger: Logger

    /// Nil to go on, else the exit status of the refusal (already logged).
    func verify(_ sink: KafkaSink, resume: ResumeStart?) throws(KafkaError) -> Int32? {
        if let resume, resume.continuing { return try readBack(into: sink, continuing: resume) }
        return try refuseExisting(partitionsOf: sink, resume: resume)
    }

    private func readBack(into sink: KafkaSink, continuing resume: ResumeStart) throws(KafkaError) -> Int32? {
        let kafka = configuration.kafka
        // It lies at or above the checkpoint's offsets and the partitions' ends when the
        // run first published (the higher of the two where both are known).
        let from = PartitionOffsets.higher(resume.restored?.checkpoint.offsets ?? [:], Self.startOffsets(in: resume.directory) ?? [:])
        let cover = try ResumeCover.read(
            runID: configuration.runID, shard: shard, brokers: kafka.brokers, topics: kafka.topics,
            partitions: sink.partitionCounts, properties: kafka.librdkafka, from: from, logger: logger)
        sink.cover = cover
        var engine = resume.restored?.engine ?? WorkloadEngine(spec: configuration.workload)
        // As the restart will: completions of requests not generated again yet are kept for them.
        engine.holdEarlyCompletions(until: sink.latestHeldWatermark ?? .min)
        let lost = ResumeGap.lost(continuing: engine, cover: cover, shard: shard, partitions: sink.partitionCounts,
                                  completions: completionsForGapCheck(resume))
        guard lost.isEmpty else {
            logger.critical("\(ResumeGap.refusal(runID: configuration.runID, stateDirectory: resume.directory.path, lost: lost))")
            return ExitStatus.unavailable.code
        }
        logger.notice("continuing run \(configuration.runID)", metadata: [
            "state_directory": "\(resume.directory.path)",
            "from_seq": "\(resume.restored?.engine.nextSequenceNumber ?? 0)",
            "records_read_back": "\(cover.recordsRead)",
        ])
        return nil
    }

    /// `feedback` in virtual time: the completions topic from where the
    /// restart reads it, so that the gap check's engine copy gets past its
    /// waits for completions. Not in real time: there the stream depends on
    /// when completions came, and the copy stops at the checkpoint's "now".
    private func completionsForGapCheck(_ resume: ResumeStart) -> CompletionFeed? {
        guard let feedback = configuration.feedback, PacingMode(configuration.clock) != .realtime else { return nil }
        do {
            return try CompletionFeed(brokers: configuration.kafka.brokers, topic: feedback.topic, runID: configuration.runID,
                                      properties: configuration.kafka.librdkafka,
                                      resuming: FeedbackResume.saved(resume, topic: feedback.topic), logger: logger)
        } catch {
            logger.warning("cannot read the completions topic for the resume's gap check; it stops at the first wait for completions",
                           metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func refuseExisting(partitionsOf sink: KafkaSink, resume: ResumeStart?) throws(KafkaError) -> Int32? {
        let kafka = configuration.kafka
        let existing = try ExistingRun.find(
            runID: configuration.runID, shard: shard, brokers: kafka.brokers,
            topics: kafka.topics.inUse, properties: kafka.librdkafka, logger: logger)
        if let found = existing.found {
            logger.critical("\(ExistingRun.refusal(runID: configuration.runID, shard: shard, found: found))")
            return ExitStatus.config.code
        }
        guard let resume else { return nil }
        // A new run publishes from seq 0: its records will all lie at or above the partitions' present ends.
        do {
            try resume.directory.write(StateDirectory.startOffsetsName, bytes: Array(PartitionOffsets.file(existing.ends).utf8))
        } catch {
            logger.error("cannot write the start offsets; a restart before the first checkpoint reads back only the tails", metadata: ["error": "\(error)"])
        }
        return nil
    }

    /// The state directory's start offsets, when written (and readable).
    static func startOffsets(in directory: StateDirectory) -> [String: [Int64]]? {
        guard let bytes = try? directory.read(StateDirectory.startOffsetsName) else { return nil }
        return PartitionOffsets.parseFile(String(decoding: bytes, as: UTF8.self))
    }
}
