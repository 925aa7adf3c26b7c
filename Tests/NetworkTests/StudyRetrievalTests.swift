import DICOMCore
import DICOMNetwork
import Foundation
import TestSupport
import Testing
import VeilNetwork

/// `StudyRetrieval` against Orthanc A directly: what it says about a study that arrives whole,
/// and about one that does not.
@Suite(.serialized) struct StudyRetrievalTests {
    @Test(.temporaryFolder) func aStudyThatArrivesIncompleteIsReportedSo() throws {
        let servers = try OrthancServers()
        let directory = try NodeDirectory.load(path: servers.nodesFile)
        let client = try DIMSEClient(node: try directory.node("pacs"), callingAET: directory.local.aet)
        let retrieval = StudyRetrieval(client: client, local: directory.local, method: .get)
        let studies = try retrieval.studies(matching: [QueryKey(.patientID, "*")])
        let mr = try #require(
            studies.first { $0.sopClasses == ["1.2.840.10008.5.1.4.1.1.4"] && ($0.expected ?? 0) >= 2 })
        let folder = try TemporaryFolder.current.path

        let whole = retrieval.retrieve([mr], into: folder + "/whole")
        #expect(whole[0].isComplete, "\(whole[0].summary)")
        #expect(whole[0].received == mr.expected)

        // Offered no context for MR Image Storage, the node cannot send the study by C-GET.
        var wrongClasses = mr
        wrongClasses.sopClasses = ["1.2.840.10008.5.1.4.1.1.7"]
        let partial = retrieval.retrieve([wrongClasses], into: folder + "/partial")
        #expect(!partial[0].isComplete)
        #expect(partial[0].received < (mr.expected ?? 0))
        #expect(partial[0].summary.hasPrefix("study #1: "))
        #expect(partial[0].summary.contains("incomplete") || partial[0].error != nil, "\(partial[0].summary)")
        #expect(!partial[0].summary.contains(mr.studyInstanceUID))
    }
}
