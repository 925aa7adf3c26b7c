import DICOMCore
import DICOMIO
import Deidentification
import Foundation
import Representations
import TextRedaction
import VeilBatch
import Volumes

/// One series as the page shows it, from its de-identified files only: facts, a strip of
/// representative frames with the masked boxes, the defaced head's surface, and the residual-risk
/// findings of each file. Each file is read once; the pixels of the series are let go once its
/// pictures are made.
struct SeriesReview: Sendable {
    var study: String
    var series: String
    var patient: String
    var modality = ""
    var bodyPart = ""
    var files = 0
    var frames = 0
    var dimensions = ""
    var spacing = ""
    var strip: [Thumbnail] = []
    /// Front and side renders of the head's surface, for defaced series.
    var surfaces: [Thumbnail] = []
    /// Why no pictures could be made, when none were.
    var noPictures: String?
    var defacing: DefacingFigures?
    var maskedFiles = 0
    var maskedBoxes = 0
    /// Findings per file (named by its replacement SOP Instance UID), files in output order.
    var findings: [(file: String, findings: [ResidualRiskVerifier.Finding])] = []
    var unreadableFiles = 0
    var row: DatasetTable.Row?

    /// The deface self-check of a series: the manifest's figures, the same for each of its files.
    struct DefacingFigures: Sendable {
        var files: Int
        var changedVoxels: Int
        var registrationRMS: Double
        var inlierFraction: Double
        var faceRays: Int
        var raysStillOnSkin: Int
        var brainVolume: Int
        var protection: Int
        var viewsWithFaceBefore: Int
        var viewsWithFaceAfter: Int
        var volumeWarnings: [String]
    }

    /// The longest side of the strip's pictures.
    var side = Thumbnail.side

    init(
        _ entry: ManifestDigest.Series, outputFolder: String, verifier: ResidualRiskVerifier,
        side: Int = Thumbnail.side
    ) {
        self.side = side
        study = entry.study
        series = entry.series
        patient = entry.patient ?? ""
        let paths = entry.files.keys.sorted()
        files = paths.count
        let records = paths.map { entry.files[$0]! }
        maskedFiles = records.filter { !$0.boxes.isEmpty }.count
        maskedBoxes = records.reduce(0) { $0 + $1.boxes.count }
        let defaced = records.compactMap(\.defacing)
        if let first = defaced.first {
            defacing = DefacingFigures(
                files: defaced.count, changedVoxels: defaced.reduce(0) { $0 + $1.changedVoxels },
                registrationRMS: first.registrationRMS, inlierFraction: first.inlierFraction,
                faceRays: first.faceRays, raysStillOnSkin: first.raysStillOnSkin, brainVolume: first.brainVolume,
                protection: first.protection,
                viewsWithFaceBefore: first.viewsWithFaceBefore, viewsWithFaceAfter: first.viewsWithFaceAfter,
                volumeWarnings: first.volumeWarnings)
        }

        var dataSets: [DataSet?] = []
        for path in paths {
            let absolute = (outputFolder as NSString).appendingPathComponent(path)
            do {
                let object = try DICOMFile(path: absolute).read()
                dataSets.append(object.dataSet)
                let found = verifier.findings(in: object)
                if !found.isEmpty {
                    findings.append(
                        (object.dataSet.string(.sopInstanceUID) ?? (path as NSString).lastPathComponent, found))
                }
            } catch {
                dataSets.append(nil)
                unreadableFiles += 1
            }
        }
        guard let first = dataSets.lazy.compactMap({ $0 }).first else {
            noPictures = "no file of the series could be read"
            return
        }
        modality = first.string(.modality) ?? ""
        bodyPart = first.string(.bodyPartExamined) ?? ""
        let rows = first.int(.rows) ?? 0
        let columns = first.int(.columns) ?? 0
        frames = dataSets.reduce(0) {
            $0 + ($1.map { $0[.pixelData] != nil ? max(1, $0.int(.numberOfFrames) ?? 1) : 0 } ?? 0)
        }
        if let spacing = first.doubles(.pixelSpacing), spacing.count == 2 {
            self.spacing = "\(Self.millimetres(spacing[0])) × \(Self.millimetres(spacing[1])) mm"
        }
        pictures(paths: paths, dataSets: dataSets, records: records, outputFolder: outputFolder)
        if dimensions.isEmpty && rows > 0 { dimensions = "\(columns) × \(rows)" + (frames > 1 ? " × \(frames)" : "") }
        if row == nil, rows > 0 {
            row = DatasetTable.Row(dataSet: first, size: (columns, rows, frames), defaced: defacing != nil)
        }
        if row == nil {
            // Reports, plans and other non-images count too: their quasi-identifiers are as telling.
            row = DatasetTable.Row(dataSet: first, size: (0, 0, 0), defaced: false)
        }
    }

    static func millimetres(_ value: Double) -> String { String(format: "%.3g", value) }

    /// The strip: the first, middle and last frame and a maximum intensity projection, from the
    /// series' volume when it has one (slices in patient order), otherwise from its frames in
    /// file order.
    private mutating func pictures(
        paths: [String], dataSets: [DataSet?], records: [ManifestDigest.File], outputFolder: String
    ) {
        let absolute = paths.map { (outputFolder as NSString).appendingPathComponent($0) }
        let readable = dataSets.indices.filter { dataSets[$0] != nil }
        let sets = readable.map { dataSets[$0]! }
        var decoded: [Int: DecodedPixels] = [:]
        func pixels(_ source: Int) throws(VolumeError) -> DecodedPixels {
            if let cached = decoded[source] { return cached }
            do {
                let value = try DICOMFile(path: absolute[readable[source]]).decodePixels()
                decoded[source] = value
                return value
            } catch { throw VolumeError(file: nil, reason: error.message) }
        }
        let volumes = (try? VolumeLoader.volumes(of: sets, pixels: pixels)) ?? []
        if let volume = volumes.first {
            let boxes = { (k: Int) -> [(x0: Int, y0: Int, x1: Int, y1: Int)] in
                guard let slice = volume.layout.slices[k] else { return [] }
                return records[readable[slice.source]].boxes.map { ($0.x0, $0.y0, $0.x1, $0.y1) }
            }
            volumeStrip(volume, boxes: boxes)
            let spacing = volume.affine.spacing
            dimensions =
                "\(volume.size.i) × \(volume.size.j) × \(volume.size.k)"
                + (volumes.count > 1 ? " (\(volumes.count) stacks)" : "")
            self.spacing =
                "\(Self.millimetres(spacing.x)) × \(Self.millimetres(spacing.y)) × \(Self.millimetres(spacing.z)) mm"
            if defacing != nil {
                let isCT = modality.uppercased() == "CT"
                let views = QARender.surfaceViews(of: volume, isCT: isCT)
                surfaces = [
                    Thumbnail(
                        caption: "surface from the front", plane: views.front, width: views.size, height: views.size,
                        side: views.size),
                    Thumbnail(
                        caption: "surface from the side", plane: views.side, width: views.size, height: views.size,
                        side: views.size),
                ].compactMap { $0 }
            }
            return
        }
        frameStrip(sets: sets, readable: readable, records: records, pixels: pixels)
    }

    private mutating func volumeStrip(_ volume: Volume, boxes: (Int) -> [(x0: Int, y0: Int, x1: Int, y1: Int)]) {
        let window = DisplayWindow(volume.voxels)
        let (ni, nj, nk) = volume.size
        let plane = ni * nj
        for (caption, k) in Self.picks(nk) {
            let grey = volume.voxels[k * plane..<(k + 1) * plane].map(window.grey)
            if let thumbnail = Thumbnail(
                caption: nk > 1 ? "\(caption) (slice \(k + 1) of \(nk))" : "image", plane: grey, width: ni, height: nj,
                boxes: boxes(k), side: side)
            {
                strip.append(thumbnail)
            }
        }
        guard nk > 1 else { return }
        var maximum = [Float](repeating: -.infinity, count: plane)
        var union: [(x0: Int, y0: Int, x1: Int, y1: Int)] = []
        for k in 0..<nk {
            for p in 0..<plane where volume.voxels[k * plane + p] > maximum[p] {
                maximum[p] = volume.voxels[k * plane + p]
            }
            union += boxes(k)
        }
        if let thumbnail = Thumbnail(
            caption: "maximum intensity projection", plane: maximum.map(window.grey), width: ni, height: nj,
            boxes: Self.distinct(union), side: side)
        {
            strip.append(thumbnail)
        }
    }

    /// Frames of images that give no volume (ultrasound, photographs, single projections):
    /// rendered as a reader sees them (colour as its luma), in file order.
    private mutating func frameStrip(
        sets: [DataSet], readable: [Int], records: [ManifestDigest.File],
        pixels: (Int) throws(VolumeError) -> DecodedPixels
    ) {
        var frameList: [(source: Int, frame: Int)] = []
        for (source, dataSet) in sets.enumerated() where dataSet[.pixelData] != nil {
            for frame in 0..<max(1, dataSet.int(.numberOfFrames) ?? 1) { frameList.append((source, frame)) }
        }
        guard !frameList.isEmpty else {
            noPictures = "no images: the series holds no Pixel Data"
            return
        }
        func render(_ source: Int, _ frame: Int) -> GrayPlane? {
            guard let decoded = try? pixels(source), frame < decoded.frames else { return nil }
            var rendering = FrameRendering()
            rendering.rescaleSlope = sets[source].double(.rescaleSlope) ?? 1
            rendering.rescaleIntercept = sets[source].double(.rescaleIntercept) ?? 0
            return rendering.render(decoded, frame: frame).luma
        }
        let boxes = { (source: Int) in records[readable[source]].boxes.map { ($0.x0, $0.y0, $0.x1, $0.y1) } }
        var maximum: GrayPlane?
        var union: [(x0: Int, y0: Int, x1: Int, y1: Int)] = []
        for (caption, index) in Self.picks(frameList.count) {
            let (source, frame) = frameList[index]
            guard let plane = render(source, frame) else { continue }
            let label = frameList.count > 1 ? "\(caption) (frame \(index + 1) of \(frameList.count))" : "image"
            if let thumbnail = Thumbnail(
                caption: label, plane: plane.pixels, width: plane.width, height: plane.height, boxes: boxes(source),
                side: side)
            {
                strip.append(thumbnail)
            }
        }
        guard frameList.count > 1 else {
            if strip.isEmpty { noPictures = "the pixels could not be decoded" }
            return
        }
        for (source, frame) in frameList {
            guard let plane = render(source, frame) else { continue }
            if maximum == nil {
                maximum = plane
            } else if maximum!.width == plane.width && maximum!.height == plane.height {
                for p in plane.pixels.indices where plane.pixels[p] > maximum!.pixels[p] {
                    maximum!.pixels[p] = plane.pixels[p]
                }
            } else {
                continue
            }
            union += boxes(source)
        }
        if let maximum,
            let thumbnail = Thumbnail(
                caption: "maximum intensity projection", plane: maximum.pixels, width: maximum.width,
                height: maximum.height, boxes: Self.distinct(union), side: side)
        {
            strip.append(thumbnail)
        }
        if strip.isEmpty { noPictures = "the pixels could not be decoded" }
    }

    /// First, middle and last of `count`, each once.
    static func picks(_ count: Int) -> [(String, Int)] {
        guard count > 0 else { return [] }
        var result: [(String, Int)] = [("first", 0)]
        if count > 2 { result.append(("middle", count / 2)) }
        if count > 1 { result.append(("last", count - 1)) }
        return result
    }

    static func distinct(_ boxes: [(x0: Int, y0: Int, x1: Int, y1: Int)]) -> [(x0: Int, y0: Int, x1: Int, y1: Int)] {
        var seen = Set<[Int]>()
        return boxes.filter { seen.insert([$0.x0, $0.y0, $0.x1, $0.y1]).inserted }
    }
}
