import Foundation
import TestSupport
import Testing

/// What goes wrong on a network: a node down, a crash mid-push, a PACS that does not know us,
/// a node that never answers. Each ends with a one-line error naming the node and an exit
/// status that says so; nothing is lost, and running the command again completes the work.
@Suite(.serialized) struct NetworkFaultTests {
    @Test func archiveDownDuringPushThenRerunCompletes() throws {
        let servers = try OrthancServers()
        let output = servers.folder.file("out").path
        let pull = try servers.veil([
            "pull", "pacs", "--query", "PatientID=*", "--output", output, "--key-file", servers.keyFile,
        ])
        #expect(pull.status == 1, "\(pull.standardError)")
        try servers.stop(servers.b)
        let down = try servers.veil(["push", output, "--to", "research"])
        #expect(down.status == 2)
        #expect(down.standardError.contains("research:"), "\(down.standardError)")
        #expect(down.standardError.components(separatedBy: "\n").filter { $0.contains("error") }.count == 1)
        try servers.start(servers.b)
        let again = try servers.veil(["push", output, "--to", "research"])
        #expect(again.status == 0, "\(again.standardError)")
        let manifest = try ManifestFacts(output)
        #expect(try servers.instancesPerStudy(servers.b) == manifest.instancesPerStudy)
    }

    @Test func killedPushResumesAndSendsEveryInstanceOnce() throws {
        let servers = try OrthancServers(loadCorpus: false)
        let output = servers.folder.file("out").path
        let anonymize = try ExternalTool.run(
            Binaries.veil,
            [
                "anonymize", try GeneratedCorpus.folder(files: 400, size: 128).path, "--output", output, "--key-file",
                servers.keyFile,
            ])
        #expect(anonymize.status == 0, "\(anonymize.standardError)")
        let journal = output + "/manifest.jsonl.push-research.journal"

        let push = Process()
        push.executableURL = URL(fileURLWithPath: Binaries.veil)
        push.arguments = ["push", output, "--to", "research", "--nodes", servers.nodesFile, "--progress", "none"]
        push.standardOutput = FileHandle.nullDevice
        push.standardError = FileHandle.nullDevice
        try push.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline,
            (try? String(contentsOfFile: journal, encoding: .utf8))?.split(separator: "\n").count ?? 0 < 20
        {
            usleep(2000)
        }
        kill(push.processIdentifier, SIGKILL)
        push.waitUntilExit()
        #expect(push.terminationReason == .uncaughtSignal, "the push ended before it could be killed")
        let before = try servers.instanceCount(servers.b)
        #expect(before > 0 && before < 400, "killed after \(before) instances")

        let again = try servers.veil(["push", output, "--to", "research", "--progress", "none"])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(again.standardOutput.contains("already there"))
        #expect(try servers.instanceCount(servers.b) == 400)
        let manifest = try ManifestFacts(output)
        #expect(try servers.instancesPerStudy(servers.b) == manifest.instancesPerStudy)
    }

    @Test func moveToADestinationThePACSDoesNotKnowFailsClearly() throws {
        let servers = try OrthancServers()
        let nodes = try String(contentsOfFile: servers.nodesFile, encoding: .utf8)
            .replacingOccurrences(of: "local: {aet: VEIL,", with: "local: {aet: VEIL, move_aet: STRANGER,")
        try nodes.write(toFile: servers.nodesFile, atomically: true, encoding: .utf8)
        let start = Date()
        let pull = try servers.veil([
            "pull", "pacs", "--query", "PatientID=*", "--method", "move", "--output", servers.folder.file("out").path,
            "--key-file", servers.keyFile,
        ])
        #expect(pull.status == 2)
        #expect(pull.standardError.contains("veil: error: pacs: C-MOVE"), "\(pull.standardError)")
        #expect(pull.standardError.contains("'STRANGER'") && pull.standardError.contains("move destination"))
        #expect(Date().timeIntervalSince(start) < 20)
        #expect(!FileManager.default.fileExists(atPath: servers.folder.file("out/manifest.jsonl").path))
    }

    @Test func unknownCallingAETitleIsRejectedWithItsReason() throws {
        let servers = try OrthancServers(loadCorpus: false)
        let nodes = try String(contentsOfFile: servers.nodesFile, encoding: .utf8)
            .replacingOccurrences(of: "local: {aet: VEIL,", with: "local: {aet: INTRUDER,")
        try nodes.write(toFile: servers.nodesFile, atomically: true, encoding: .utf8)
        let echo = try servers.veil(["echo", "pacs"])
        #expect(echo.status == 2)
        #expect(echo.standardError == "veil: error: pacs: association rejected: calling AE not recognized\n")
    }

    @Test func unreachableNodeFailsWithinItsTimeouts() throws {
        let servers = try OrthancServers(
            loadCorpus: false,
            extraNodes: """
                  closed: {aet: NOBODY, host: 127.0.0.1, port: \(try OrthancServers.freePorts(1)[0]),
                           connect_timeout: 3}
                  silent: {aet: SILENT, host: 127.0.0.1, port: 1, connect_timeout: 3, acse_timeout: 2}
                """)
        var start = Date()
        let closed = try servers.veil(["echo", "closed"])
        #expect(closed.status == 2)
        #expect(closed.standardError.hasPrefix("veil: error: closed: "), "\(closed.standardError)")
        #expect(Date().timeIntervalSince(start) < 3)

        // A listener that accepts TCP but never answers the association request.
        let (listener, port) = try #require(LoopbackSocket.bound(Int32(SOCK_STREAM.rawValue)))
        defer { close(listener) }
        let nodes = try String(contentsOfFile: servers.nodesFile, encoding: .utf8)
            .replacingOccurrences(of: "port: 1,", with: "port: \(port),")
        try nodes.write(toFile: servers.nodesFile, atomically: true, encoding: .utf8)
        start = Date()
        let silent = try servers.veil(["echo", "silent"])
        #expect(silent.status == 2)
        #expect(silent.standardError.hasPrefix("veil: error: silent: "), "\(silent.standardError)")
        #expect(Date().timeIntervalSince(start) < 6)
    }

    @Test func pushRefusesFilesNotMarkedDeidentified() throws {
        let servers = try OrthancServers(loadCorpus: false)
        let output = servers.folder.file("out").path
        let anonymize = try ExternalTool.run(
            Binaries.veil, ["anonymize", TestPaths.sampleScans.path, "--output", output, "--key-file", servers.keyFile])
        #expect(anonymize.status == 0, "\(anonymize.standardError)")
        // An original slipped into the output folder under an output's name.
        let outputs = try GeneratedCorpus.dicomFiles(under: URL(fileURLWithPath: output))
        let original = try TestPaths.dicomFiles(in: TestPaths.plantedCorpus)[0]
        try FileManager.default.removeItem(atPath: output + "/" + outputs[0])
        try FileManager.default.copyItem(atPath: original.path, toPath: output + "/" + outputs[0])
        let push = try servers.veil(["push", output, "--to", "research"])
        #expect(push.status == 2)
        #expect(push.standardError.contains("not marked de-identified"), "\(push.standardError)")
        #expect(try servers.instanceCount(servers.b) == 0)
    }
}
