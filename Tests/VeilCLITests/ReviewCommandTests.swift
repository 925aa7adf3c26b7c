import Foundation
import TestSupport
import Testing

/// `veil review` and `veil anonymize --review`: the page opened in a real browser (Debian's
/// chromium), what it shows, and what it must never show.
@Suite struct ReviewCommandTests {
    /// The planted corpus with its damaged files and a head series, with --clean-pixel-data and
    /// --deface: masked boxes are outlined, the defaced head is rendered, failures are listed under
    /// their reasons, every count matches the manifest, and no byte of the page or of any file
    /// beside it holds a planted string, an input path or a link outside the page.
    @Test(.temporaryFolder) func plantedCorpusWithCleanPixelDataAndDeface() throws {
        let corpus = try PlantedCorpus.load()
        let folder = try TemporaryFolder.current
        let input = folder.file("export")
        for (name, source) in [
            ("planted", TestPaths.plantedCorpus), ("broken", TestPaths.brokenCorpus),
            ("head01", try HeadSeries.folder().appendingPathComponent("head01")),
        ] {
            let target = input.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            for file in try FileManager.default.contentsOfDirectory(atPath: source.path) where !file.hasSuffix(".bits")
            {
                try FileManager.default.copyItem(
                    at: source.appendingPathComponent(file), to: target.appendingPathComponent(file))
            }
        }
        let key = folder.file("project.key").path
        _ = try ExternalTool.run(Binaries.veil, ["keygen", key])
        let output = folder.file("out")
        let run = try ExternalTool.run(
            Binaries.veil,
            [
                "anonymize", input.path, "-o", output.path, "--key-file", key, "--clean-pixel-data", "--deface",
                "--quarantine", folder.file("quarantine").path, "--review", "--progress", "none",
            ])
        #expect(run.status == 1, "the damaged files fail: \(run.standardError.suffix(300))")
        let page = output.appendingPathComponent("review.html")
        let html = Page(try String(contentsOf: page, encoding: .utf8))
        #expect(run.standardOutput.contains("review: "))

        // What the manifest says, read independently of the page.
        let lines = try String(contentsOf: output.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let counts = try #require(lines[0]["counts"] as? [String: Int])
        let files = lines.dropFirst().filter { $0["type"] as? String == "file" }
        var failures: [String: Int] = [:]
        for record in files where record["status"] as? String == "failed" {
            failures[record["reason"] as? String ?? "", default: 0] += 1
        }
        #expect(failures["malformed"] ?? 0 > 0 && failures["deface-unsupported"] ?? 0 > 0)
        let series = Set(
            files.compactMap { ($0["identifiers"] as? [String: String])?["seriesInstanceUID"] })
        let masked = files.filter { (($0["pixelText"] as? [String: Any])?["boxes"] as? [Any])?.isEmpty == false }
        let defaced = files.filter { $0["defacing"] != nil }
        #expect(!masked.isEmpty && !defaced.isEmpty)

        // The browser's DOM: every section, the counts, the failures under their reasons.
        let dom = Page(try HeadlessBrowser.dom(of: page, scratch: folder.file("dom")))
        for section in ["run", "risk", "failures", "dataset", "k-anonymity", "studies"] {
            #expect(dom.contains("id=\"\(section)\""), "section \(section) missing")
        }
        #expect(
            dom.contains(
                "data-inputs=\"\(counts["inputs"]!)\" data-written=\"\(counts["written"]!)\" "
                    + "data-unchanged=\"\(counts["unchanged"]!)\" data-skipped=\"\(counts["skipped"]!)\" "
                    + "data-failed=\"\(counts["failed"]!)\""))
        for (reason, count) in failures {
            #expect(
                dom.contains("data-status=\"failed\" data-reason=\"\(reason)\" data-count=\"\(count)\""),
                "reason \(reason)")
        }
        // Each failed input is listed by its keyed id under its reason.
        let malformed = files.filter { $0["reason"] as? String == "malformed" }.compactMap { $0["input"] as? String }
        let malformedSection = try #require(Self.element(in: dom, from: "data-reason=\"malformed\"", to: "</details>"))
        #expect(malformed.allSatisfy { malformedSection.contains($0) })
        #expect(Self.count("<article class=\"series\"", in: dom) == series.count)
        #expect(
            dom.contains("data-series=\"\(series.count)\" data-files=\"\(counts["written"]! + counts["unchanged"]!)\""))
        // Masked boxes: outlined on the pictures of the series they were found in.
        let maskedSeries = Set(masked.compactMap { ($0["identifiers"] as? [String: String])?["seriesInstanceUID"] })
        for uid in maskedSeries {
            let article = try #require(Self.element(in: dom, from: "data-series=\"\(uid)\"", to: "</article>"))
            #expect(!article.contains("data-masked-boxes=\"0\""), "series with masked text")
            #expect(article.contains("<rect "), "no box outlined on a series with masked text")
        }
        // The defaced head: two surface renders and the self-check figures.
        let headUID = try #require((defaced[0]["identifiers"] as? [String: String])?["seriesInstanceUID"])
        let head = try #require(Self.element(in: dom, from: "data-series=\"\(headUID)\"", to: "</article>"))
        #expect(head.contains("data-defaced=\"yes\""))
        #expect(Self.count("<figure class=\"surface\"", in: head) == 2)
        let faceRays = try #require((defaced[0]["defacing"] as? [String: Any])?["faceRays"] as? Int)
        #expect(head.contains("data-face-rays=\"\(faceRays)\""))
        #expect(Self.count("<figure class=\"frame\"", in: head) == 4, "first, middle, last and a projection")

        // The screenshot is a page, not a blank window.
        let screenshot = folder.file("review.png")
        try HeadlessBrowser.screenshot(of: page, to: screenshot)
        let picture = try HeadlessBrowser.pictureFacts(screenshot)
        #expect(picture.colours > 50 && picture.notBackground > 0.05, "\(picture)")

        // Nothing identifying: no planted string in the page or any file beside it (the DICOM
        // outputs are scanned by the corpus tests), no input path or input file name, no
        // reference outside the page. Checked as booleans: a failure must not print the page.
        let scanner = corpus.scanner(adding: ["Head^Phantom", "HEAD-00"])
        let beside = try FileManager.default.subpathsOfDirectory(atPath: output.path).filter { !$0.hasSuffix(".dcm") }
        #expect(beside.filter { $0.hasPrefix(".veil-review") }.isEmpty, "temporary files left")
        for name in beside {
            let url = output.appendingPathComponent(name)
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let found = scanner.findings(in: try Data(contentsOf: url)).count
            #expect(found == 0, "\(found) planted strings in \(name)")
        }
        let showsPath = html.contains(input.path) || html.contains(folder.path)
        #expect(!showsPath, "an input path is on the page")
        let codes = Set(files.compactMap { $0["reason"] as? String })
        let names = try FileManager.default.subpathsOfDirectory(atPath: input.path).map {
            (($0 as NSString).lastPathComponent as NSString).deletingPathExtension
        }
        let shownNames = names.filter { $0.count >= 6 && !codes.contains($0) && html.contains($0) }.count
        #expect(shownNames == 0, "input file names are on the page")
        let links = html.contains("http://") || html.contains("https://")
        #expect(!links, "a link outside the page")
        for outside in ["<link", "@import", "url(", "src=\"//", "<iframe", "<object", "<script src"] {
            let present = html.contains(outside)
            #expect(!present, "\(outside)")
        }
        #expect(Self.count("<script", in: html) == 1)

        // The same folder gives the same bytes, whatever the number of jobs.
        let again = folder.file("again.html")
        let second = try ExternalTool.run(
            Binaries.veil, ["review", output.path, "-o", again.path, "--jobs", "1", "--progress", "none"])
        #expect(second.status == 0, "\(second.standardError)")
        #expect(try Data(contentsOf: again) == Data(contentsOf: page))
    }

    /// The sample scans: a small page that opens, shows every series open, and says that every
    /// input was written; markup in an output's values is escaped; a folder without a finished
    /// manifest is refused with exit status 2.
    @Test(.temporaryFolder) func sampleScansAndRefusals() throws {
        let folder = try TemporaryFolder.current
        let output = folder.file("out")
        let run = try ExternalTool.run(
            Binaries.veil, ["anonymize", TestPaths.sampleScans.path, "-o", output.path, "--progress", "none"])
        #expect(run.status == 0, "\(run.standardError.suffix(300))")
        let page = folder.file("review.html")
        let review = try ExternalTool.run(Binaries.veil, ["review", output.path, "-o", page.path])
        #expect(review.status == 0, "\(review.standardError)")
        let dom = Page(try HeadlessBrowser.dom(of: page, scratch: folder.file("dom")))
        #expect(dom.contains("Every input was written") || dom.contains("data-failed=\"0\""))
        #expect(Self.count("<details class=\"study\" open", in: dom) == Self.count("<details class=\"study\"", in: dom))
        #expect(Self.count("<figure class=\"frame\"", in: dom) > 0)
        let screenshot = folder.file("review.png")
        try HeadlessBrowser.screenshot(of: page, to: screenshot)
        let picture = try HeadlessBrowser.pictureFacts(screenshot)
        #expect(picture.colours > 20 && picture.notBackground > 0.05, "\(picture)")

        // Values are shown as text: markup in a kept attribute of an output is escaped, never run.
        let first = try #require(try GeneratedCorpus.dicomFiles(under: output).first)
        let modify = try ExternalTool.run(
            "dcmodify",
            ["-nb", "-i", "(0018,0015)=<script>alert(1)</script>", output.appendingPathComponent(first).path])
        #expect(modify.status == 0, "\(modify.standardError)")
        let hostile = folder.file("hostile.html")
        let json = try ExternalTool.run(
            Binaries.veil, ["review", output.path, "-o", hostile.path, "--format", "json", "--progress", "none"])
        #expect(json.status == 0)
        let line = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: [String: Any]]
        #expect(line?["review"]?["series"] as? Int == 3 && line?["review"]?["path"] as? String == hostile.path)
        let escaped = Page(try String(contentsOf: hostile, encoding: .utf8))
        #expect(escaped.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !escaped.contains("<script>alert"))

        let empty = folder.file("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let refused = try ExternalTool.run(Binaries.veil, ["review", empty.path])
        #expect(refused.status == 2)
        #expect(refused.standardError.contains("manifest"))
        #expect(!FileManager.default.fileExists(atPath: empty.appendingPathComponent("review.html").path))
    }

    static func count(_ needle: String, in page: Page) -> Int { page.text.components(separatedBy: needle).count - 1 }

    /// The text from the element holding `start` to the next `end`.
    static func element(in page: Page, from start: String, to end: String) -> Page? {
        let text = page.text
        guard let from = text.range(of: start), let to = text.range(of: end, range: from.upperBound..<text.endIndex)
        else { return nil }
        return Page(String(text[from.lowerBound..<to.upperBound]))
    }
}

/// HTML under test, described by its length only: a failed expectation must not print the page.
struct Page: CustomStringConvertible {
    let text: String
    init(_ text: String) { self.text = text }
    var description: String { "<HTML, \(text.utf8.count) bytes>" }
    func contains(_ needle: String) -> Bool { text.contains(needle) }
}
