import Testing

/// Tests that must not run at the same time as each other, wherever their suites are: at most one
/// test case of a group runs at once (the others wait without holding a thread). Unlike
/// `.serialized` on a common parent, tests of different groups still run side by side.
package final class SerialGroup: Sendable {
    private let slot = ProcessSlots(1)

    package init() {}

    func run(_ body: () async throws -> Void) async rethrows {
        try await slot.run(body)
    }
}

/// Runs each test case of the suite (or test) it marks inside its ``SerialGroup``.
package struct SerialGroupTrait: SuiteTrait, TestTrait, TestScoping {
    let group: SerialGroup

    package var isRecursive: Bool { true }

    /// Around each test case, not around the suite.
    package func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    package func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await group.run { try await function() }
    }
}

extension Trait where Self == SerialGroupTrait {
    /// One test case at a time among everything marked with `group`.
    package static func serialized(in group: SerialGroup) -> Self { SerialGroupTrait(group: group) }
}
