import Foundation
import TestSupport
import Testing

/// DICOM TLS (BCP 195 profile) to an Orthanc that accepts TLS only, with certificates made by
/// `openssl req` for the test: the right CA works, another CA is refused, plain TCP gets nowhere.
@Suite(.serialized) struct TLSTests {
    @Test(.temporaryFolder) func pushOverTLSAndRefuseAnUntrustedPeer() throws {
        let tls = try TLSFiles(in: try TemporaryFolder.current.path)
        let servers = try OrthancServers(
            loadCorpus: false, bTLS: tls,
            extraNodes: """
                  untrusted: {aet: ORTHANC_B, host: 127.0.0.1, port: PORT,
                              tls: {certificate: \(tls.clientCertificate), key: \(tls.clientKey),
                                    trusted: \(tls.otherCACertificate)}}
                  plain: {aet: ORTHANC_B, host: 127.0.0.1, port: PORT, acse_timeout: 3}
                """)
        let nodes = try String(contentsOfFile: servers.nodesFile, encoding: .utf8)
            .replacingOccurrences(of: "port: PORT", with: "port: \(servers.b.dicomPort)")
        try nodes.write(toFile: servers.nodesFile, atomically: true, encoding: .utf8)

        #expect(try servers.veil(["echo", "research"]).status == 0)
        let untrusted = try servers.veil(["echo", "untrusted"])
        #expect(untrusted.status == 2)
        #expect(untrusted.standardError.contains("untrusted:") && untrusted.standardError.contains("TLS"))
        #expect(try servers.veil(["echo", "plain"]).status == 2)

        let output = servers.folder.file("out").path
        let anonymize = try ExternalTool.run(
            Binaries.veil, ["anonymize", TestPaths.sampleScans.path, "--output", output, "--key-file", servers.keyFile])
        #expect(anonymize.status == 0, "\(anonymize.standardError)")
        let refused = try servers.veil(["push", output, "--to", "untrusted"])
        #expect(refused.status == 2)
        #expect(try servers.instanceCount(servers.b) == 0)
        let push = try servers.veil(["push", output, "--to", "research"])
        #expect(push.status == 0, "\(push.standardError)")
        #expect(try servers.instanceCount(servers.b) == ManifestFacts(output).outputs.count)
    }

    @Test(.temporaryFolder) func aPrivateKeyOthersCanReadIsRefused() throws {
        let tls = try TLSFiles(in: try TemporaryFolder.current.path)
        chmod(tls.clientKey, 0o644)
        let servers = try OrthancServers(loadCorpus: false, bTLS: tls)
        let echo = try servers.veil(["echo", "research"])
        #expect(echo.status == 2)
        #expect(echo.standardError.contains("mode 0600"), "\(echo.standardError)")
    }
}
