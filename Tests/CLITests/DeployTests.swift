import Foundation
import Glibc
import Testing
import TestSupport
import WorkloadDaemon
import Yams

/// `deploy/kubernetes/` and `deploy/grafana/`, checked offline.
@Suite("deploy: Kubernetes manifests and the Grafana dashboard", .serialized, .timeLimit(.minutes(10)))
struct DeployTests {
    let kubernetes = repositoryRoot.appendingPathComponent("deploy/kubernetes")
    let manifests = ["configmap.yaml", "service.yaml", "statefulset.yaml"]

    /// Runs `kubernetes-validate --strict` (PyPI; offline, Kubernetes' own schemas) on `files`.
    func kubernetesValidate(_ files: [String]) async throws -> (status: Int32, output: String) {
        let result = try await runProcess(try ExternalTool.kubernetesValidate.require(), ["--strict"] + files, timeout: 120)
        return (result.status, result.output + result.stderr)
    }

    /// kubernetes-validate is not part of the README's setup line (see `ExternalTool`).
    @Test("the manifests validate against Kubernetes' schemas (and a broken one does not)",
          .needs(.kubernetesValidate), .timeLimit(.minutes(10)))
    func manifestsValidate() async throws {
        let result = try await kubernetesValidate(manifests.map { kubernetes.appendingPathComponent($0).path })
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.components(separatedBy: "passed").count - 1 == manifests.count, "\(result.output)")

        // The validator can fail: a misspelt field in the same StatefulSet.
        let text = try String(contentsOf: kubernetes.appendingPathComponent("statefulset.yaml"), encoding: .utf8)
        let broken = try temporaryFile("broken-statefulset.yaml", contents: text.replacingOccurrences(of: "serviceName:", with: "servceName:"))
        #expect(try await kubernetesValidate([broken.path]).status != 0)
    }

    @Test("the StatefulSet runs --shard ordinal/replicas, probes /healthz on the metrics port, mounts the ConfigMap")
    func statefulSetWiring() async throws {
        let text = try String(contentsOf: kubernetes.appendingPathComponent("statefulset.yaml"), encoding: .utf8)
        let set = try #require(try Yams.load(yaml: text) as? [String: Any])
        let spec = try #require(set["spec"] as? [String: Any])
        let replicas = try #require(spec["replicas"] as? Int)
        let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let args = try #require(container["args"] as? [String])
        let env = (container["env"] as? [[String: Any]]) ?? []
        let shards = env.first { $0["name"] as? String == "SHARDS" }?["value"] as? String
        #expect(shards == String(replicas), "SHARDS must equal spec.replicas")
        let ordinal = env.first { $0["name"] as? String == "POD_INDEX" }?["valueFrom"] as? [String: Any]
        #expect((ordinal?["fieldRef"] as? [String: Any])?["fieldPath"] as? String == "metadata.labels['apps.kubernetes.io/pod-index']")
        #expect(args.first == "run")
        #expect(zip(args, args.dropFirst()).contains { $0 == "--shard" && $1 == "$(POD_INDEX)/$(SHARDS)" }, "\(args)")
        #expect(zip(args, args.dropFirst()).contains { $0 == "--config" && $1 == "/etc/llm-workload/config.yaml" })
        // Restarts resume: a state directory per shard count on the pod's own claim.
        #expect(zip(args, args.dropFirst()).contains { $0 == "--state-dir" && $1 == "/var/lib/llm-workload/$(SHARDS)" }, "\(args)")
        let mounts = (container["volumeMounts"] as? [[String: Any]]) ?? []
        #expect(mounts.contains { $0["name"] as? String == "state" && $0["mountPath"] as? String == "/var/lib/llm-workload" })
        let claims = (spec["volumeClaimTemplates"] as? [[String: Any]]) ?? []
        #expect(claims.contains { ($0["metadata"] as? [String: Any])?["name"] as? String == "state" })
        #expect((pod["securityContext"] as? [String: Any])?["fsGroup"] as? Int == 65532)

        let port = (container["ports"] as? [[String: Any]])?.first
        #expect(port?["name"] as? String == "metrics" && port?["containerPort"] as? Int == 9464)
        for probe in ["readinessProbe", "livenessProbe"] {
            let get = (container[probe] as? [String: Any])?["httpGet"] as? [String: Any]
            #expect(get?["path"] as? String == "/healthz", "\(probe)")
            #expect(get?["port"] as? String == "metrics", "\(probe)")
        }
        let annotations = ((spec["template"] as? [String: Any])?["metadata"] as? [String: Any])?["annotations"] as? [String: String]
        #expect(annotations?["prometheus.io/scrape"] == "true" && annotations?["prometheus.io/port"] == "9464")
        let grace = try #require(pod["terminationGracePeriodSeconds"] as? Int)
        let volume = (pod["volumes"] as? [[String: Any]])?.first?["configMap"] as? [String: Any]
        #expect(volume?["name"] as? String == "llm-workload-config")

        // The ConfigMap's configuration is valid, listens beyond loopback, and its stop budget fits the grace period.
        let map = try #require(try Yams.load(yaml: String(contentsOf: kubernetes.appendingPathComponent("configmap.yaml"), encoding: .utf8)) as? [String: Any])
        let config = try #require((map["data"] as? [String: String])?["config.yaml"])
        let file = try temporaryFile("k8s-config.yaml", contents: config)
        let validated = try await runCLI(["validate", "--config", file.path])
        #expect(validated.status == 0, "\(validated.stderr)")
        let parsed = try #require(try Yams.load(yaml: config) as? [String: Any])
        let metrics = parsed["metrics"] as? [String: Any]
        #expect(metrics?["listen"] as? String == "0.0.0.0:9464")
        let flush = ((parsed["kafka"] as? [String: Any])?["flush_timeout_s"] as? Int) ?? 30
        #expect(grace > flush, "terminationGracePeriodSeconds \(grace) must exceed flush_timeout_s \(flush)")
    }

    @Test("every metric a dashboard panel queries is one a running daemon exports")
    func dashboardQueriesExportedMetrics() async throws {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("deploy/grafana/llm-workload.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(expressions.count >= 8)
        let pattern = try NSRegularExpression(pattern: "llm_workload_[a-z_]+")
        let queried = Set(expressions.flatMap { expr in
            pattern.matches(in: expr, range: NSRange(expr.startIndex..., in: expr)).map { String(expr[Range($0.range, in: expr)!]) }
        })

        // What a daemon with Kafka actually exports, scraped mid-run.
        let body = try await onThread { () -> String in
            let daemon = try DaemonProcess(["run", "--config", "config/example.yaml", "--embedded-kafka", "--mode", "realtime",
                                            "--metrics-listen", "127.0.0.1:0"])
            defer { daemon.send(SIGTERM); _ = daemon.waitForExit(timeout: 40) }
            guard let port = daemon.waitForMetricsPort() else { return "" }
            usleep(500_000)
            return (try? httpGet(port: port, path: "/metrics"))?.body ?? ""
        }
        let exposition = try Exposition(parsing: body)
        var exported = Set(exposition.types.keys)
        for (name, type) in exposition.types where type == "histogram" || type == "summary" {
            exported.formUnion([name + "_bucket", name + "_sum", name + "_count"])
        }
        #expect(!exported.isEmpty)
        // The feedback row's families exist only with `feedback` (a closed loop needs a service): taken from the metrics themselves.
        let looped = try Exposition(parsing: DaemonMetrics(profiles: ["p"], topics: ["t"], version: "v", feedback: true).render())
        for (name, type) in looped.types where name.hasPrefix("llm_workload_feedback_") {
            exported.insert(name)
            if type == "histogram" { exported.formUnion([name + "_bucket", name + "_sum", name + "_count"]) }
        }
        #expect(!exposition.types.keys.contains { $0.hasPrefix("llm_workload_feedback_") }, "feedback's families without feedback")
        for metric in queried.sorted() {
            #expect(exported.contains(metric), "the dashboard queries \(metric), which the daemon does not export")
        }
        // The panels the dashboard must keep: the figures an operator watches during a run.
        for wanted in ["llm_workload_events_generated_total", "llm_workload_events_published_total",
                       "llm_workload_producer_queue_depth", "llm_workload_pacing_lateness_seconds_bucket",
                       "llm_workload_active_sessions", "llm_workload_virtual_time_seconds",
                       "llm_workload_feedback_awaiting_requests", "llm_workload_feedback_watermark_lag_seconds",
                       "llm_workload_feedback_completions_consumed_total", "llm_workload_feedback_completions_ignored_total",
                       "llm_workload_feedback_late_follow_ups_total", "llm_workload_feedback_sessions_ended_total",
                       "llm_workload_feedback_follow_up_lateness_seconds_bucket"] {
            #expect(queried.contains(wanted), "no panel shows \(wanted)")
        }
    }
}
