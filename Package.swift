// swift-tools-version:6.0
import PackageDescription

// Optimised in debug builds too (WorkloadModel, WorkloadConfig, WorkloadTraces, WorkloadDaemon,
// the executable and TestSupport): the tests draw millions of samples, generate hours of
// stream, fit and scan traces and spawn the debug binary hundreds of times through these
// targets, and unoptimised they dominate the suite's CPU time (a `stats` or `fit` child
// took 12 s). `-enable-testing` is still passed, so `@testable import` works; a debugger
// steps through them less faithfully, and the test targets themselves stay unoptimised.
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

// Linux only: the code calls Glibc directly (`Glibc.write`, `Glibc.shutdown`, sockets,
// prctl, sched_setaffinity, systemd's notify socket), so no Apple platform is claimed.
let package = Package(
    name: "llm-workload",
    products: [
        .executable(name: "llm-workload", targets: ["llm-workload"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // `swift package generate-documentation` renders the DocC catalog in Sources/llm-workload.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Debian's librdkafka-dev (pkg-config `rdkafka`), including the mock cluster header.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // C wrappers for calls Swift cannot make: prctl (variadic) and the CPU-affinity macros.
        .target(name: "CSystemShims"),
        // The pure core: no I/O, no wall clock, no Kafka. The workload engine,
        // distributions, load shapes, prefixes, the replay engine over trace
        // rows, and the event encoder. Imports only swift-numerics.
        .target(
            name: "WorkloadModel",
            dependencies: [
                .product(name: "RealModule", package: "swift-numerics"),
            ],
            exclude: ["Encoding/events.schema.json"],
            swiftSettings: optimisedInDebug
        ),
        // The Kafka client and nothing else: producer, consumer, delivery
        // reports, headers, the partitioner, the mock cluster. Imports only
        // librdkafka and swift-log; knows nothing of workloads.
        .target(
            name: "WorkloadKafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // YAML to spec: the configuration file read key by key into
        // `Configuration` (its sections, the bounds every number is checked
        // against, the errors that name a key and its value, run identity) and
        // the reports `validate` prints of it. May import WorkloadModel and Yams,
        // nothing that does I/O beyond reading the file and examining the
        // files it names.
        .target(
            name: "WorkloadConfig",
            dependencies: [
                "WorkloadModel",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: optimisedInDebug
        ),
        // Traces and streams as files: the trace formats (read, written,
        // converted), the replay source that feeds trace rows to the engine,
        // `generate` (JSON Lines and trace formats), `fit` and its report, and
        // the `stats`/`sample` statistics. May import WorkloadModel and
        // WorkloadConfig (plus Yams and swift-numerics), never Kafka or the daemon.
        .target(
            name: "WorkloadTraces",
            dependencies: [
                "WorkloadModel",
                "WorkloadConfig",
                .product(name: "RealModule", package: "swift-numerics"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: optimisedInDebug
        ),
        // The daemon: the run loop and its sinks, pacing, resume and the
        // state directory, preflight, metrics and health, the HTTP endpoint,
        // systemd notification, signals, and `consume`. May import
        // WorkloadModel, WorkloadConfig, WorkloadTraces and WorkloadKafka;
        // never WorkloadBench.
        .target(
            name: "WorkloadDaemon",
            dependencies: [
                "WorkloadModel",
                "WorkloadConfig",
                "WorkloadTraces",
                "WorkloadKafka",
                "CSystemShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: optimisedInDebug
        ),
        // `bench`: generator, pacing, metrics, resume and Kafka benchmarks,
        // including the raw librdkafka baseline loop the Kafka path is measured
        // against, and the isolated cluster they run on. May import every
        // target above; nothing imports it but the executable.
        .target(
            name: "WorkloadBench",
            dependencies: [
                "WorkloadModel",
                "WorkloadConfig",
                "WorkloadTraces",
                "WorkloadKafka",
                "WorkloadDaemon",
                "CRdKafka",
                "CSystemShims",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The command line: parses arguments, maps errors to exit statuses,
        // and calls into the targets above (imports what each command uses).
        .executableTarget(
            name: "llm-workload",
            dependencies: [
                "WorkloadModel",
                "WorkloadConfig",
                "WorkloadTraces",
                "WorkloadKafka",
                "WorkloadDaemon",
                "WorkloadBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: optimisedInDebug
        ),
        // Shared by the test targets: goodness-of-fit statistics, a Prometheus
        // text parser, a loopback HTTP client.
        .target(name: "TestSupport", dependencies: ["WorkloadModel"], path: "Tests/TestSupport", swiftSettings: optimisedInDebug),
        .testTarget(name: "WorkloadModelTests", dependencies: ["WorkloadModel", "TestSupport"]),
        .testTarget(name: "WorkloadKafkaTests", dependencies: ["WorkloadKafka", "CRdKafka"]),
        .testTarget(name: "WorkloadDaemonTests", dependencies: [
            "WorkloadDaemon", "WorkloadConfig", "WorkloadTraces", "WorkloadBench", "WorkloadKafka", "WorkloadModel", "TestSupport",
        ]),
        .testTarget(name: "CLITests", dependencies: [
            "llm-workload", "WorkloadDaemon", "WorkloadConfig", "WorkloadTraces", "WorkloadBench", "WorkloadKafka", "TestSupport",
            .product(name: "Yams", package: "Yams"),  // to change configurations key by key
        ]),
    ],
    swiftLanguageModes: [.v6]
)
