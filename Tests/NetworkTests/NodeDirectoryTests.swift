import DICOMCore
import DICOMNetwork
import Foundation
import TestSupport
import Testing

struct NodeDirectoryTests {
    @Test func readsTheDocumentedKeys() throws {
        let directory = try NodeDirectory.parse(
            """
            local: {aet: VEIL, port: 11112}
            nodes:
              pacs:     {aet: ORTHANC_A, host: 127.0.0.1, port: 4242, store_aet: ORTHANC_STORE}
              research: {aet: ORTHANC_B, host: 127.0.0.1, port: 4243,
                         tls: {certificate: me.pem, key: me.key, trusted: ca.pem}}
              web:      {url: http://127.0.0.1:8043/dicom-web, token_file: web.token}
            """, relativeTo: "/etc/veil")
        #expect(directory.local.aet == "VEIL" && directory.local.port == 11112)
        #expect(try directory.node("pacs").storeAET == "ORTHANC_STORE")
        #expect(try directory.node("research").storeAET == nil)
        guard case .dimse(let aet, _, let port, let tls) = try directory.node("research").address else {
            Issue.record("research is not a DICOM node")
            return
        }
        #expect(aet == "ORTHANC_B" && port == 4243)
        #expect(
            tls?.privateKey == "/etc/veil/me.key" && tls?.trusted == ["/etc/veil/ca.pem"] && tls?.verifyPeer == true)
        guard case .web(let url, let token) = try directory.node("web").address else {
            Issue.record("web is not a DICOMweb node")
            return
        }
        #expect(url.absoluteString == "http://127.0.0.1:8043/dicom-web" && token == "/etc/veil/web.token")
        #expect(throws: NetworkError.self) { try directory.node("elsewhere") }
    }

    @Test(.temporaryFolder) func refusesSecretsOthersCanRead() throws {
        let folder = try TemporaryFolder.current
        let token = folder.file("web.token").path
        try "secret-token".write(toFile: token, atomically: true, encoding: .utf8)
        chmod(token, 0o644)
        let error = try #require(throws: NetworkError.self) { try SecretFile.read(token, node: "web", what: "token") }
        #expect(error.description.contains("mode 0600"))
        #expect(!error.description.contains("secret-token"))
        chmod(token, 0o600)
        #expect(try SecretFile.read(token, node: "web", what: "token") == "secret-token")
    }

    @Test func parsesQueryKeysAndNamesStatuses() throws {
        #expect(QueryKey(argument: "PatientID=123") == QueryKey(.patientID, "123"))
        #expect(QueryKey(argument: "0008,0020=20240101-20240131") == QueryKey(.studyDate, "20240101-20240131"))
        #expect(QueryKey(argument: "NoSuchKeyword=1") == nil)
        #expect(DIMSEStatus(0xA700).description == "A700 out of resources")
        #expect(DIMSEStatus(0xA801).isFailure && DIMSEStatus(0xB000).isWarning && DIMSEStatus(0).isSuccess)
    }
}
