import ArgumentParser
import Foundation
import VeilGateway

/// `veil gateway`: the de-identifying DICOM router (docs/gateway.md).
struct GatewayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Receive studies over DICOM, de-identify them and forward them (a research gateway).",
        discussion: """
            Routes by called AE title: each route names its sources (calling AE title and \
            addresses), key, profile and destinations. Instances are acknowledged once on disk in \
            the spool; a study is released when quiet, de-identified by the same pipeline as \
            'veil anonymize', and forwarded at least once, with retries. See docs/gateway.md.
            """,
        subcommands: [Run.self, Status.self, Retry.self, Hold.self, Release.self, Purge.self])

    struct ConfigOption: ParsableArguments {
        @Option(help: "The gateway configuration (YAML).")
        var config: String

        func load() throws -> GatewayConfiguration {
            do { return try GatewayConfiguration.load(path: config) } catch {
                Console.writeError("veil: error: \(error.description)")
                throw ExitCode(2)
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the gateway in the foreground; SIGTERM or SIGINT stops it cleanly (exit 0).")

        @OptionGroup var options: ConfigOption

        func run() throws {
            let configuration = try options.load()
            let gateway: Gateway
            do {
                gateway = try Gateway(configuration: configuration) { line in
                    Console.writeError("veil gateway: \(line)")
                }
                try gateway.start()
            } catch {
                Console.writeError("veil: error: \(error)")
                throw ExitCode(2)
            }
            var sources: [DispatchSourceSignal] = []
            for number in [SIGTERM, SIGINT] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { gateway.requestStop() }
                source.resume()
                sources.append(source)
            }
            // Writes to a destination that went away must fail, not kill the process.
            signal(SIGPIPE, SIG_IGN)
            gateway.run()
            withExtendedLifetime(sources) {}
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queues, releases per state, destinations up or down, last errors.")

        @OptionGroup var options: ConfigOption

        @Option(help: "text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let configuration = try options.load()
            let status = GatewayStatus(spool: Spool(root: configuration.spool))
            print(format == .json ? status.json : status.text)
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a held study's releases again now (keyed Study Instance UID, as status shows).")
        @OptionGroup var options: ConfigOption
        @Argument var study: String
        func run() throws {
            let count = SpoolOperations(configuration: try options.load()).retry(study)
            print("\(count) releases to retry")
            if count == 0 { throw ExitCode(1) }
        }
    }

    struct Hold: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop forwarding a study until 'retry'.")
        @OptionGroup var options: ConfigOption
        @Argument var study: String
        func run() throws {
            let count = SpoolOperations(configuration: try options.load()).hold(study)
            print("\(count) releases held")
            if count == 0 { throw ExitCode(1) }
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release a study still arriving now, without waiting for its quiet period.")
        @OptionGroup var options: ConfigOption
        @Argument var study: String
        func run() throws {
            let count = SpoolOperations(configuration: try options.load()).release(study)
            print("\(count) studies released")
            if count == 0 { throw ExitCode(1) }
        }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove delivered releases from the spool.")
        @OptionGroup var options: ConfigOption
        @Option(help: "Age of the releases to remove (e.g. 7d, 12h).")
        var doneOlderThan: String
        func run() throws {
            guard let seconds = TimeSpan.seconds(doneOlderThan) else {
                throw ValidationError("--done-older-than takes a duration such as 7d or 12h")
            }
            let count = SpoolOperations(configuration: try options.load()).purge(doneOlderThan: seconds)
            print("\(count) releases purged")
        }
    }
}
