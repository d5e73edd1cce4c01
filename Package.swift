// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "llm-workload",
    platforms: [.macOS(.v15)],  // Synchronization (Mutex, Atomic)
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
        // One C wrapper for a variadic system call Swift cannot make (prctl).
        .target(name: "CSystemShims"),
        // The pure core: no I/O, no wall clock, no Kafka.
        .target(
            name: "WorkloadModel",
            dependencies: [
                .product(name: "RealModule", package: "swift-numerics"),
            ],
            exclude: ["Encoding/events.schema.json"]
        ),
        .target(
            name: "WorkloadKafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "WorkloadDaemon",
            dependencies: [
                "WorkloadModel",
                "WorkloadKafka",
                "CSystemShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "llm-workload",
            dependencies: [
                "WorkloadDaemon",
                "WorkloadModel",
                "WorkloadKafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Shared by the test targets: goodness-of-fit statistics, a Prometheus
        // text parser, a loopback HTTP client.
        .target(name: "TestSupport", dependencies: ["WorkloadModel"], path: "Tests/TestSupport"),
        .testTarget(name: "WorkloadModelTests", dependencies: ["WorkloadModel", "TestSupport"]),
        .testTarget(name: "WorkloadKafkaTests", dependencies: ["WorkloadKafka", "CRdKafka"]),
        .testTarget(name: "WorkloadDaemonTests", dependencies: ["WorkloadDaemon", "WorkloadKafka", "WorkloadModel", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: [
            "llm-workload", "WorkloadDaemon", "WorkloadKafka", "TestSupport",
            .product(name: "Yams", package: "Yams"),  // to change configurations key by key
        ]),
    ],
    swiftLanguageModes: [.v6]
)
