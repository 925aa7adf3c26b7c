import DICOMCore
import DICOMIO
import Foundation
import TestSupport
import Testing

/// `veil anonymize --clean-pixel-data`, end to end on the real ultrasounds of deid-data and
/// pydicom-data, whose banners carry fake PHI: names, birth dates and record numbers.
@Suite struct CleanPixelDataCommandTests {
    /// Inputs, in the order the batch walks them (sorted names), with a rectangle (x0, y0, x1, y1)
    /// that holds fake PHI in the original and must be black in the output, on every frame.
    static let inputs: [(file: String, phi: (Int, Int, Int, Int)?)] = [
        ("deid-data/ultrasounds-GREYSCALE_IMAGE.dcm", (0, 0, 1024, 38)),  // name, ID, DOB banner
        ("deid-data/ultrasounds-RGB_IMAGE.dcm", (0, 0, 1024, 60)),  // name, date, MRN banner
        // 30 frames; its banner was blanked before publication: the settings column on the left.
        ("deid-data/ultrasounds-ultrasound-multiframe.dcm", (8, 60, 55, 92)),
        ("pydicom-data/MR-SIEMENS-DICOM-WithOverlays.dcm", nil),  // DERIVED, no text: untouched
        ("pydicom-data/OBXXXX1A.dcm", (0, 0, 800, 60)),  // palette; PatientID and date
        ("pydicom-data/US1_UNCR.dcm", (8, 22, 180, 42)),  // "BAPTIST MED CTR", no US regions
        ("pydicom-data/gdcm-US-ALOKA-16.dcm", (0, 0, 640, 24)),  // segmented palette header bar
    ]

    @Test(.temporaryFolder) func masksBannersOnEveryFrameAndLeavesTheRest() throws {
        let folder = try TemporaryFolder.current
        let input = folder.file("export")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let corpus = TestPaths.testData.appendingPathComponent("corpus")
        for (index, entry) in Self.inputs.enumerated() {
            try FileManager.default.copyItem(
                at: corpus.appendingPathComponent(entry.file),
                to: input.appendingPathComponent(String(format: "%02d.dcm", index)))
        }
        let output = folder.file("out")
        let records = try Self.anonymize(input, to: output, [])
        #expect(records.count == Self.inputs.count)

        for record in records {
            let index = try #require(record["index"] as? Int)
            let name = Self.inputs[index].file
            #expect(record["status"] as? String == "written", "\(name): \(record["reason"] ?? "")")
            guard let path = record["output"] as? String else { continue }
            let pixelText = try #require(record["pixelText"] as? [String: Any], "\(name) was not scanned")
            let boxes = pixelText["boxes"] as? [[String: Any]] ?? []
            #expect((record["methodCodes"] as? [String])?.contains("113101") == true, "\(name)")
            if index < 2 {
                #expect(pixelText["ocrChecked"] as? Bool == true, "\(name): Tesseract did not read the output")
            }
            let outputFile = try DICOMFile(path: output.appendingPathComponent(path).path)
            let object = try outputFile.read()
            #expect(object.dataSet.string(.burnedInAnnotation) == "NO", "\(name)")
            #expect(object.transferSyntaxUID == "1.2.840.10008.1.2.1", "\(name)")
            let before = try DICOMFile(path: input.appendingPathComponent(String(format: "%02d.dcm", index)).path)
                .decodePixels()
            let after = try outputFile.decodePixels()
            #expect(pixelText["frames"] as? Int == before.frames, "\(name)")
            #expect(after.frames == before.frames && after.rows == before.rows && after.columns == before.columns)

            // Outside every box the pixels are the input's, byte for byte.
            var inBox = [Bool](repeating: false, count: before.rows * before.columns)
            for box in boxes {
                let (x0, y0, x1, y1) = (box["x0"] as! Int, box["y0"] as! Int, box["x1"] as! Int, box["y1"] as! Int)
                for y in y0..<y1 { for x in x0..<x1 { inBox[y * before.columns + x] = true } }
            }
            #expect(
                before.photometricInterpretation == after.photometricInterpretation
                    && before.planarConfiguration == after.planarConfiguration)
            var untouchedDiffer = 0
            for frame in 0..<before.frames {
                for p in inBox.indices where !inBox[p] && Self.pixel(before, frame, p) != Self.pixel(after, frame, p) {
                    untouchedDiffer += 1
                }
            }
            #expect(untouchedDiffer == 0, "\(name): \(untouchedDiffer) pixels outside the boxes changed")
            // Inside every region mask, every frame holds one value: the black of the image. A
            // line's box is masked by its words (light text) or whole: its pixels changed.
            for box in boxes {
                let (x0, y0, x1, y1) = (box["x0"] as! Int, box["y0"] as! Int, box["x1"] as! Int, box["y1"] as! Int)
                for frame in 0..<after.frames {
                    var values = Set<[UInt8]>()
                    var changed = 0
                    for y in y0..<y1 {
                        for x in x0..<x1 {
                            let p = y * after.columns + x
                            values.insert(Self.pixel(after, frame, p))
                            if Self.pixel(after, frame, p) != Self.pixel(before, frame, p) { changed += 1 }
                        }
                    }
                    if box["rule"] as? String == "detector" {
                        #expect(changed > 0 || values.count == 1, "\(name) frame \(frame): line not masked")
                    } else {
                        #expect(values.count == 1, "\(name) frame \(frame): box not masked")
                    }
                }
            }

            // US1_UNCR's colour Doppler of a lymph node (no ultrasound regions, so read leniently)
            // is image, not text: every coloured pixel of the two sample boxes keeps its value.
            if name.hasSuffix("US1_UNCR.dcm") {
                var colouredChanged = 0
                for y in 148..<296 {
                    for x in 88..<548 {
                        let value = Self.pixel(before, 0, y * before.columns + x)
                        if value.max()! - value.min()! >= 48 && value != Self.pixel(after, 0, y * before.columns + x) {
                            colouredChanged += 1
                        }
                    }
                }
                #expect(colouredChanged == 0, "\(name): \(colouredChanged) pixels of the colour Doppler masked")
            }
            guard let (x0, y0, x1, y1) = Self.inputs[index].phi else {
                #expect(boxes.isEmpty, "\(name): text found in an image without text")
                continue
            }
            // The PHI rectangle is one value (the black of the image) on every frame, or, where
            // light text was masked by its words, no light pixel of it is left as it was.
            for frame in 0..<after.frames {
                var values = Set<[UInt8]>()
                var lightLeft = 0
                for y in y0..<min(y1, after.rows) {
                    for x in x0..<min(x1, after.columns) {
                        let value = Self.pixel(after, frame, y * after.columns + x)
                        values.insert(value)
                        if value == Self.pixel(before, frame, y * after.columns + x)
                            && value.contains(where: { $0 >= 100 })
                        {
                            lightLeft += 1
                        }
                    }
                }
                #expect(
                    values.count == 1 || (after.bitsAllocated == 8 && lightLeft == 0),
                    "\(name) frame \(frame): \(values.count) values, \(lightLeft) light pixels left in the PHI area")
            }
        }
        // The header's PHI is gone as usual, and DCMTK's and dciodvfy's readers see valid files.
        let first = try #require(
            records.first { $0["index"] as? Int == 0 }?["output"] as? String,
            "00.dcm was not written")
        let errors = try ExternalTool.dciodvfyErrors(output.appendingPathComponent(first).path)
            .subtracting(try ExternalTool.dciodvfyErrors(input.appendingPathComponent("00.dcm").path))
        #expect(errors.isEmpty, "\(errors)")
    }

    /// CT and MR slices whose header says nothing of text (Burned In Annotation taken out,
    /// ORIGINAL\\PRIMARY): the default mode screens them all; their corner text is masked, and
    /// the same slices without text come out with their pixels byte for byte.
    @Test(.temporaryFolder) func screensImagesTheHeaderDoesNotFlag() throws {
        let folder = try TemporaryFolder.current
        let cases = try TextCases.cases().filter { ["CT", "MR"].contains($0.kind) }.prefix(12)
        #expect(cases.count == 12)
        for variant in ["text", "clean"] {
            let input = folder.file(variant)
            try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
            for one in cases {
                let copy = input.appendingPathComponent("\(one.name).dcm")
                try FileManager.default.copyItem(at: variant == "text" ? one.textFile : one.cleanFile, to: copy)
                try ExternalTool.run("dcmodify", ["-nb", "-ea", "(0028,0301)", copy.path])
            }
            let output = folder.file("\(variant)-out")
            let records = try Self.anonymize(input, to: output, [])
            #expect(records.count == cases.count)
            var score = TextScore()
            for record in records {
                let one = cases[cases.startIndex + (record["index"] as? Int ?? 0)]
                let pixelText = try #require(record["pixelText"] as? [String: Any], "\(one.name) was not screened")
                #expect(pixelText["triage"] as? String == "screened", "\(one.name)")
                let path = try #require(record["output"] as? String, "\(one.name) was not written")
                let after = try DICOMFile(path: output.appendingPathComponent(path).path).decodePixels()
                let before = try DICOMFile(path: input.appendingPathComponent("\(one.name).dcm").path).decodePixels()
                if variant == "clean" {
                    #expect((pixelText["boxes"] as? [Any] ?? []).isEmpty, "\(one.name): a box on a text-free slice")
                    #expect(after.bytes == before.bytes, "\(one.name): pixels changed")
                } else {
                    try score.add(
                        one, input: before, output: after, clean: try DICOMFile(path: one.cleanFile.path).decodePixels()
                    )
                }
            }
            if variant == "text" {
                #expect(score.recall("corner") >= 0.99, "\(score.misses)")
                #expect(score.medianFalseMasked <= 0.005)
            }
            // `veil verify` reads the pixels: every slice with text, and a header value in it,
            // before; nothing after, and nothing on the slices without text.
            let before = try Self.textInPixels(input)
            #expect(before.files == (variant == "text" ? cases.count : 0), "\(variant)")
            #expect(before.showingHeaderValues == (variant == "text" ? cases.count : 0), "\(variant)")
            #expect(try Self.textInPixels(output).files == 0, "\(variant)")
        }
    }

    /// `veil anonymize input -o output --clean-pixel-data` with `options`, which must succeed;
    /// the file records of its manifest.
    static func anonymize(_ input: URL, to output: URL, _ options: [String]) throws -> [[String: Any]] {
        let run = try ExternalTool.run(
            Binaries.veil, ["anonymize", input.path, "-o", output.path, "--clean-pixel-data"] + options)
        #expect(run.status == 0, "\(run.standardError.suffix(500))")
        return try GeneratedCorpus.manifestRecords(output.appendingPathComponent("manifest.jsonl"))
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["type"] as? String == "file" }
    }

    /// Files `veil verify --only pixels` finds text in, and of them those showing a header value.
    static func textInPixels(_ folder: URL) throws -> (files: Int, showingHeaderValues: Int) {
        let run = try ExternalTool.run(Binaries.veil, ["verify", folder.path, "--only", "pixels", "--format", "json"])
        var (files, showing) = (0, 0)
        for line in run.standardOutput.split(separator: "\n") {
            guard let report = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let findings = report["findings"] as? [[String: Any]]
            else { continue }
            let text = findings.filter { $0["kind"] as? String == "text-in-pixels" }
            if !text.isEmpty { files += 1 }
            if text.contains(where: { ($0["message"] as? String ?? "").contains("of the header") }) { showing += 1 }
        }
        return (files, showing)
    }

    /// Real images without burned-in text (a whole-body bone scan, CT, MR, CR, a perfusion map,
    /// a noisy 1024² MR, a 10-frame MR), every one read under `all`: nothing is masked, every
    /// pixel is the input's. Before lines were read by OCR, the detector drew boxes over the
    /// anatomy of three of them.
    @Test(.temporaryFolder) func masksNothingOnRealImagesWithoutText() throws {
        let folder = try TemporaryFolder.current
        let input = folder.file("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let files = [
            "pydicom-data/JPEG2000_UNC", "pydicom/CT_small", "pydicom/MR_small", "pydicom-data/emri_small",
            "pydicom-data/MR2_UNCR", "pydicom-data/RG1_UNCR", "pydicom-data/693_UNCR", "pydicom-data/eCT_Supplemental",
            "deid-data/humans-ctbrain1", "nibabel/0",
        ].sorted()
        for (index, file) in files.enumerated() {
            try FileManager.default.copyItem(
                at: TestPaths.testData.appendingPathComponent("corpus/\(file).dcm"),
                to: input.appendingPathComponent(String(format: "%02d.dcm", index)))
        }
        let output = folder.file("out")
        let records = try Self.anonymize(input, to: output, ["all"])
        #expect(records.count == files.count)
        for record in records {
            let index = try #require(record["index"] as? Int)
            let path = try #require(record["output"] as? String, "\(files[index]) was not written")
            let boxes = (record["pixelText"] as? [String: Any])?["boxes"] as? [Any]
            #expect(boxes?.isEmpty == true, "\(files[index]): \(boxes?.count ?? -1) boxes")
            let before = try DICOMFile(path: input.appendingPathComponent(String(format: "%02d.dcm", index)).path)
            let after = try DICOMFile(path: output.appendingPathComponent(path).path)
            #expect(try before.decodePixels().bytes == after.decodePixels().bytes, "\(files[index])")
        }
    }

    /// `all` on a text-free head series (low resolution, noisy: the hardest case for false
    /// alarms): every slice is scanned, and lines are "found" on very few (about 2% measured).
    @Test(.temporaryFolder) func allScansEveryImageAndRarelyMasksAnatomy() throws {
        let folder = try TemporaryFolder.current
        let output = folder.file("out")
        let series = try HeadSeries.folder().appendingPathComponent("head01")
        let run = try ExternalTool.run(
            Binaries.veil,
            [
                "anonymize", series.path, "-o", output.path, "--clean-pixel-data", "all",
                "--representations", "nifti",
            ])
        #expect(run.status == 0, "\(run.standardError.suffix(500))")
        let records = try GeneratedCorpus.manifestRecords(output.appendingPathComponent("manifest.jsonl"))
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["type"] as? String == "file" && $0["status"] as? String == "written" }
        #expect(try records.count == TestPaths.dicomFiles(in: series).count)
        var withBoxes = 0
        for record in records {
            let pixelText = try #require(record["pixelText"] as? [String: Any])
            #expect(pixelText["triage"] as? String == "all")
            if (pixelText["boxes"] as? [Any])?.isEmpty == false { withBoxes += 1 }
        }
        #expect(Double(withBoxes) <= 0.05 * Double(records.count), "\(withBoxes) of \(records.count) slices masked")
        let sidecar = try #require(
            try GeneratedCorpus.dicomFiles(under: output).first.map {
                output.appendingPathComponent($0).deletingLastPathComponent()
            })
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: sidecar.appendingPathComponent("volume.json")))
            as? [String: Any]
        #expect(json?["BurnedInTextCleaned"] as? Bool == true)
    }

    /// Clean Graphics keeps overlays; with Clean Pixel Data their text is cleared too: the
    /// Siemens overlay's "Tra" goes, its region outline and orientation marker stay.
    @Test(.temporaryFolder) func clearsTextInKeptOverlays() throws {
        let folder = try TemporaryFolder.current
        let input = TestPaths.testData.appendingPathComponent("corpus/pydicom-data/MR-SIEMENS-DICOM-WithOverlays.dcm")
        let output = folder.file("out")
        let run = try ExternalTool.run(
            Binaries.veil, ["anonymize", input.path, "-o", output.path, "--clean-graphics", "--clean-pixel-data"])
        #expect(run.status == 0, "\(run.standardError.suffix(500))")
        let manifest = try String(contentsOf: output.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
        #expect(!manifest.contains("overlay-kept"))
        let record = try #require(
            try GeneratedCorpus.manifestRecords(output.appendingPathComponent("manifest.jsonl"))
                .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                .first { $0["type"] as? String == "file" })
        let boxes = ((record["pixelText"] as? [String: Any])?["boxes"] as? [[String: Any]] ?? []).filter {
            $0["rule"] as? String == "overlay-text"
        }
        #expect(boxes.count == 1)
        func overlayBits(_ path: String) throws -> [UInt8] {
            let file = try DICOMFile(path: path)
            let element = try #require(try file.read().dataSet[DICOMTag(0x6000, 0x3000)])
            switch element.value {
            case .bytes(let bytes): return bytes
            case .bulk(let reference): return try file.bulkValue(reference)
            case .sequence: return []
            }
        }
        let before = try overlayBits(input.path)
        let after = try overlayBits(output.appendingPathComponent(try #require(record["output"] as? String)).path)
        #expect(before.count == after.count)
        var (cleared, outside, kept) = (0, 0, 0)
        for index in 0..<(484 * 484) {
            let (old, new) = (before[index >> 3] >> (index & 7) & 1, after[index >> 3] >> (index & 7) & 1)
            let (x, y) = (index % 484, index / 484)
            let inBox = boxes.contains {
                x >= $0["x0"] as! Int && x < $0["x1"] as! Int && y >= $0["y0"] as! Int && y < $0["y1"] as! Int
            }
            if old != new { if inBox { cleared += 1 } else { outside += 1 } }
            if new == 1 { kept += 1 }
        }
        #expect(cleared > 20 && outside == 0, "\(cleared) cleared, \(outside) changed outside the box")
        #expect(kept > 200, "the outline and the marker stay")
    }

    /// An RLE YBR_FULL ultrasound (deid-data's RGB one, re-encoded by the fixture script) comes out
    /// uncompressed in RGB, which native Pixel Data of its IOD allows: no new dciodvfy error, the
    /// banner black, the colours elsewhere those of the original RGB image (rounding aside).
    @Test(.temporaryFolder) func ybrFullIsWrittenAsRGB() throws {
        let folder = try TemporaryFolder.current.url
        let input = TestPaths.testData.appendingPathComponent("colour/us-ybr-full-rle.dcm")
        let inputs = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: input, to: inputs.appendingPathComponent("us.dcm"))
        let output = folder.appendingPathComponent("out")
        let run = try ExternalTool.run(
            Binaries.veil,
            ["anonymize", inputs.path, "-o", output.path, "--key-file", try TestKey.path(), "--clean-pixel-data"])
        #expect(run.status == 0, "\(run.standardError)")
        let written = try #require(try GeneratedCorpus.dicomFiles(under: output).first)
        let outputPath = output.appendingPathComponent(written).path
        let new = try ExternalTool.newDciodvfyErrors(input: input.path, output: outputPath, scratch: folder)
        #expect(new.isEmpty, "\(new.sorted())")
        let object = try DICOMFile(path: outputPath).read()
        #expect(object.dataSet.string(.photometricInterpretation) == "RGB")
        let cleaned = try DICOMFile(path: outputPath).decodePixels()
        let original = try DICOMFile(
            path: TestPaths.testData.appendingPathComponent("corpus/deid-data/ultrasounds-RGB_IMAGE.dcm").path
        ).decodePixels()
        var banner = 0
        var off = 0
        var example = ""
        for y in stride(from: 0, to: cleaned.rows, by: 3) {
            for x in stride(from: 0, to: cleaned.columns, by: 3) {
                let p = y * cleaned.columns + x
                let (a, b) = (Self.pixel(cleaned, 0, p), Self.pixel(original, 0, p))
                if y < 60 { banner += a.allSatisfy { $0 == 0 } ? 0 : 1 }
                if y >= 100 && a != [0, 0, 0] && zip(a, b).contains(where: { abs(Int($0) - Int($1)) > 2 }) {
                    off += 1
                    if example.isEmpty { example = "(\(x), \(y)): \(a) against \(b)" }
                }
            }
        }
        #expect(banner == 0, "banner pixels not black")
        #expect(off == 0, "\(off) pixels away from the original colour, e.g. \(example)")
    }

    /// The bytes of every sample of pixel `p` of `frame`, interleaved or planar.
    static func pixel(_ pixels: DecodedPixels, _ frame: Int, _ p: Int) -> [UInt8] {
        let (area, samples, width) = (pixels.rows * pixels.columns, pixels.samplesPerPixel, pixels.bytesPerSample)
        var bytes: [UInt8] = []
        for sample in 0..<samples {
            let index =
                pixels.planarConfiguration == 1
                ? (frame * samples + sample) * area + p : (frame * area + p) * samples + sample
            bytes += pixels.bytes[(index * width)..<(index * width + width)]
        }
        return bytes
    }

    @Test(.temporaryFolder) func withoutTheOptionBurnedInAnnotationYesIsRefused() throws {
        let folder = try TemporaryFolder.current
        let input = folder.file("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: TestPaths.testData.appendingPathComponent("corpus/deid-data/ultrasounds-GREYSCALE_IMAGE.dcm"),
            to: input.appendingPathComponent("a.dcm"))
        let output = folder.file("out")
        _ = try ExternalTool.run(Binaries.veil, ["anonymize", input.path, "-o", output.path])
        let manifest = try String(contentsOf: output.appendingPathComponent("manifest.jsonl"), encoding: .utf8)
        #expect(manifest.contains("\"reason\":\"burned-in-annotation\""))
        #expect(!manifest.contains("pixelText"))
    }
}
