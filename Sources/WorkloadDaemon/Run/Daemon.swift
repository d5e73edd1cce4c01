import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import WorkloadKafka
import WorkloadModel
import WorkloadConfig

/// `llm-workload run`: sets up the sink, metrics and health (`DaemonSetup`),
/// then runs the long-running parts as swift-service-lifecycle services with
/// one graceful shutdown, and returns the exit status.
package enum Daemon {
    /// Exit statuses beyond 0, read from `ExitStatus` (the one table).
    package enum Status {
        /// Events could not all be delivered, or Kafka could not be reached.
        package static let unavailable = ExitStatus.unavailable.code
        /// A fatal producer error or a sink that failed.
        package static let software = ExitStatus.software.code
        /// The metrics address could not be bound, or an output not opened.
        package static let cannotCreate = ExitStatus.cannotCreate.code
        /// Writing the output failed (a closed pipe, a full disk).
        package static let ioError = ExitStatus.ioError.code
        /// EX_CONFIG: the configuration cannot run (found at start-up, or a memory
        /// ceiling of `workload.limits` reached): systemd does not restart on it.
        package static let config = ExitStatus.config.code
        /// EX_DATAERR: the trace of `workload.replay` cannot be read.
        package static let dataError = ExitStatus.dataError.code
    }

    /// Runs until a bounded workload ends or SIGTERM/SIGINT; returns the exit status.
    ///
    /// `StopSignal` owns SIGTERM and SIGINT (and ignores SIGHUP): the first asks for a
    /// graceful stop, also while still connecting; a second exits at once. It is not
    /// left to `ServiceGroup`'s own signal handling because that stops listening after
    /// the first signal, so it cannot escalate a second.
    package static func run(
        configuration: Configuration, options: RunOptions, logger: Logger,
        announce: @escaping @Sendable (String) -> Void = { _ in }
    ) async -> Int32 {
        let stop = StopSignal.installHandlers(logger: logger)
        defer { stop.cancelHandlers() }
        return await run(configuration: configuration, options: options, stop: stop, clock: SystemWallClock(),
                         logger: logger, announce: announce)
    }

    /// The same with an injected clock and stop signal, from a thread that may block
    /// (tests drive it directly): waits for the async run. The run's tasks go to `executor` when
    /// one is given (tests give each run threads of its own, so that it does not wait for the
    /// cooperative pool while other tests hold it), else to the global executor.
    package static func runBlocking(
        configuration: Configuration, options: RunOptions, stop: StopSignal, clock: any WallClock, logger: Logger,
        executor: (any TaskExecutor)? = nil, announce: @escaping @Sendable (String) -> Void = { _ in }
    ) -> Int32 {
        let done = DispatchSemaphore(value: 0)
        let status = Mutex<Int32>(Status.software)
        Task(executorPreference: executor) {
            let result = await run(configuration: configuration, options: options, stop: stop, clock: clock,
                                   logger: logger, announce: announce)
            status.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return status.withLock { $0 }
    }

    /// Sets up (off the cooperative pool), then runs the services: the generator, the
    /// delivery reports' poller, the producer's health monitor and the metrics endpoint,
    /// in a `ServiceGroup` that shuts them down in reverse order (the generator flushes
    /// first, then the poller stops, the endpoint goes last)
    /// when the generator ends or a stop is asked for.
    static func run(
        configuration: Configuration, options: RunOptions, stop: StopSignal, clock: any WallClock, logger: Logger,
        announce: @escaping @Sendable (String) -> Void
    ) async -> Int32 {
        if let status = preflight(configuration, logger: logger, announce: announce) { return status }
        let made = await onDedicatedThread(name: "llm-workload.setup") {
            SetupResult(DaemonSetup.make(configuration: configuration, options: options, stop: stop, clock: clock,
                                         logger: logger, announce: announce))
        }
        guard case .success(let setup) = made.result else {
            if case .failure(.status(let status)) = made.result { return status }
            return Status.software
        }
        let generator = GeneratorService(setup: setup, options: options, stop: stop, clock: clock, logger: logger,
                                         announce: announce)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let server = setup.server {
            services.append(.init(service: MetricsHTTPService(server: server), serviceName: "metrics-http"))
        }
        if let monitor = setup.monitor {
            services.append(.init(service: monitor, serviceName: "producer-health"))
        }
        if let delivery = setup.sink.deliveryReportsService(metrics: setup.metrics) {
            // After the generator in shutdown order: its flush comes first.
            services.append(.init(service: delivery, serviceName: "delivery"))
        }
        services.append(.init(service: generator, successTerminationBehavior: .gracefullyShutdownGroup,
                              serviceName: "generator"))
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: logger)
        // The stop's own budget bounds the generator; this only backs it up.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.kafka.flushTimeoutSeconds + 10)
        let group = ServiceGroup(configuration: groupConfiguration)

        // A stop (a signal, or a test setting the flag) shuts the group down gracefully. A child
        // task, so that it runs on the executor the run prefers, if any.
        async let watcher: Void = shutDown(group, on: stop)
        do {
            try await group.run()
        } catch {
            logger.error("service group ended with an error", metadata: ["error": "\(error)"])
        }
        stop.set()  // releases the watcher if the run ended by itself
        await watcher
        withExtendedLifetime(setup.cluster) {}
        return generator.status
    }

    /// Waits (off the cooperative pool) for `stop`, then shuts `group` down gracefully.
    private static func shutDown(_ group: ServiceGroup, on stop: StopSignal) async {
        await onDedicatedThread(name: "llm-workload.stop-watcher") { stop.wait() }
        await group.triggerGracefulShutdown()
    }
}

/// `DaemonSetup.make`'s result, carried across the setup thread.
private struct SetupResult: @unchecked Sendable {
    // @unchecked Sendable: handed over once, from the setup thread that built it to
    // the task that awaited it; the sink inside is then used by the generator thread only.
    let result: Result<DaemonSetup, SetupEnd>
    init(_ result: Result<DaemonSetup, SetupEnd>) { self.result = result }
}

/// Unix time now in nanoseconds (CLOCK_REALTIME): anchors `time` for `run`.
package func unixNanosecondsNow() -> Int64 { SteadyClock.unixNanoseconds() }

/// The version stamped in metrics.
package enum LLMWorkloadVersion {
    package static let current = "0.1.0"
}
