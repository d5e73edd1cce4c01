import Logging
import WorkloadModel
import WorkloadConfig

/// What `run --state-dir` decides at start-up: a first start (or
/// `--new-run`) records its run; a later start with the same configuration
/// continues that run (same anchor, so the same `run_id`, and the engine
/// checkpoint if one was written); a changed configuration is refused.
package struct ResumeStart: Sendable {
    let directory: StateDirectory
    let record: RunRecord
    /// True when this start continues the recorded run.
    let continuing: Bool
    /// The engine restored from the checkpoint, when continuing from one.
    let restored: RestoredRun?
    /// The run this start is: the recorded one's when continuing, else a new one anchored now.
    let identity: RunIdentity

    /// Decides who the run is and, for a new run, writes its record.
    /// The error is the refusal's message (exit 78).
    package static func prepare(
        path: String, configuration: Configuration, shard: Shard?, newRun: Bool, nowUnixNanoseconds: Int64
    ) -> Result<ResumeStart, ResumeRefusal> {
        do throws(StateDirectoryError) {
            let directory = try StateDirectory(path: path)
            let recorded = try directory.read(StateDirectory.recordName)
            if let recorded, !newRun {
                guard let record = RunRecord(text: String(decoding: recorded, as: UTF8.self)) else {
                    return .failure(ResumeRefusal("state directory \(path): \(directory.file(StateDirectory.recordName)) is not a run record this build can read; pass --new-run to start a new run there (its state is replaced), or use another --state-dir"))
                }
                // A seed chosen at random on the first start is the run's seed.
                let identity = RunIdentity(
                    configuration: configuration, seed: configuration.seedWasChosen ? record.seed : nil,
                    anchorUnixNanoseconds: configuration.clock.startUnixNanoseconds ?? record.anchorUnixNanoseconds)
                let mine = RunRecord(configuration, identity: identity, shard: shard)
                let differences = mine.differences(from: record)
                guard differences.isEmpty else {
                    return .failure(ResumeRefusal(
                        "state directory \(path) holds run \(record.runID) (shard \(record.shard)), and this start differs: "
                        + differences.joined(separator: "; ")
                        + ". Continuing would mix two runs. To start a new run in this state directory pass --new-run "
                        + "(the recorded run's checkpoint is discarded), or use another --state-dir. Exit status 78."))
                }
                var restored: RestoredRun?
                if let bytes = try directory.read(StateDirectory.checkpointName) {
                    let unreadable = "state directory \(path): the checkpoint \(directory.file(StateDirectory.checkpointName)) of run \(record.runID) cannot be restored"
                    let advice = "; pass --new-run to start a new run there, or use another --state-dir. Exit status 78."
                    do {
                        let loaded = try RunCheckpoint.restore(bytes, workload: configuration.workload)
                        restored = RestoredRun(engine: loaded.engine, checkpoint: loaded.checkpoint)
                    } catch {
                        return .failure(ResumeRefusal(unreadable + " (\(error))" + advice))
                    }
                }
                if let offsets = try directory.read(StateDirectory.startOffsetsName),
                   PartitionOffsets.parseFile(String(decoding: offsets, as: UTF8.self)) == nil {
                    return .failure(ResumeRefusal("state directory \(path): \(directory.file(StateDirectory.startOffsetsName)) of run \(record.runID) is corrupt (its checksum does not match, or a line is not `topic partition offset`): where the restart reads back from is unknown; pass --new-run to start a new run there, or use another --state-dir. Exit status 78."))
                }
                return .success(ResumeStart(directory: directory, record: record, continuing: true, restored: restored,
                                            identity: identity))
            }
            let identity = RunIdentity(configuration: configuration,
                                       anchorUnixNanoseconds: configuration.clock.startUnixNanoseconds ?? nowUnixNanoseconds)
            let record = RunRecord(configuration, identity: identity, shard: shard)
            directory.remove(StateDirectory.checkpointName)
            directory.remove(StateDirectory.startOffsetsName)
            try directory.write(StateDirectory.recordName, bytes: Array(record.text.utf8))
            return .success(ResumeStart(directory: directory, record: record, continuing: false, restored: nil,
                                        identity: identity))
        } catch {
            return .failure(ResumeRefusal("state directory \(path): \(error)"))
        }
    }
}

extension ResumeStart {
    /// `--state-dir` (or `$STATE_DIRECTORY`): the state directory's decision, nil without one.
    /// A replay has no engine to checkpoint: a restart replays the trace from its first row
    /// (and a second start of the same run is refused as without a state directory).
    static func open(options: RunOptions, configuration: Configuration, logger: Logger) throws(SetupEnd) -> ResumeStart? {
        guard let path = options.stateDirectory else { return nil }
        guard configuration.replay == nil else {
            logger.warning("the state directory is ignored: a replay (workload.replay) is not resumable",
                           metadata: ["state_directory": "\(path)"])
            return nil
        }
        switch prepare(path: path, configuration: configuration, shard: options.shard, newRun: options.newRun,
                       nowUnixNanoseconds: unixNanosecondsNow()) {
        case .success(let prepared): return prepared
        case .failure(let refusal):
            logger.critical("\(refusal)")
            throw .status(ExitStatus.config.code)
        }
    }
}

/// An engine restored from a state directory's checkpoint.
struct RestoredRun: Sendable {
    var engine: WorkloadEngine
    /// The checkpoint's header (its engine bytes are no longer needed).
    var checkpoint: RunCheckpoint
}

package struct ResumeRefusal: Error, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
