import Logging
import WorkloadModel

/// `--state-dir` with `feedback`: where the completions reader starts, so
/// that a restart sees every completion the engine it continues from has not.
///
/// A checkpoint holds the reader's state taken with the engine copy
/// (`CompletionFeedState`): each partition's next offset and the watermarks
/// read so far. A restart before the first checkpoint regenerates from the
/// run's start, so it reads from where the first start began (its positions
/// are kept with the start offsets). Either way, what it reads again may
/// answer requests the engine has not generated again yet: those answers
/// are kept for their requests (`holdEarlyCompletions`) up to the latest
/// watermark the run's earlier starts wrote, beyond which the service has
/// answered nothing.
enum FeedbackResume {
    /// Where the completions reader starts: the checkpoint's state; continuing without
    /// one, the first start's positions (every partition from its beginning if unknown); nil for a new run.
    static func saved(_ resume: ResumeStart?, topic: String) -> CompletionFeedState? {
        guard let resume, resume.continuing else { return nil }
        if let state = resume.restored?.checkpoint.feedback { return state }
        return CompletionFeedState(positions: ResumeCheck.startOffsets(in: resume.directory)?[topic] ?? [])
    }

    /// A new run: the completions reader's first positions join the start offsets.
    static func recordStart(_ feed: CompletionFeed, in resume: ResumeStart, logger: Logger) {
        var offsets = ResumeCheck.startOffsets(in: resume.directory) ?? [:]
        offsets[feed.topic] = feed.positions
        do {
            try resume.directory.write(StateDirectory.startOffsetsName, bytes: Array(PartitionOffsets.file(offsets).utf8))
        } catch {
            logger.error("cannot write the completions topic's start offsets; a restart before the first checkpoint reads it from the beginning",
                         metadata: ["error": "\(error)"])
        }
    }

    /// Opens the completions reader for `setup`'s run and, continuing one, tells it what to keep.
    static func open(_ setup: DaemonSetup, logger: Logger) throws -> FeedbackLoop? {
        let configuration = setup.configuration
        let saved = saved(setup.resume, topic: configuration.feedback?.topic ?? "")
        guard let loop = try FeedbackLoop.open(for: configuration, pacing: setup.pacing, resuming: saved, logger: logger) else { return nil }
        if let resume = setup.resume {
            if resume.continuing {
                loop.holdEarlyUntil = setup.sink.latestHeldWatermark ?? .min
            } else {
                recordStart(loop.feed, in: resume, logger: logger)
            }
        }
        return loop
    }
}
