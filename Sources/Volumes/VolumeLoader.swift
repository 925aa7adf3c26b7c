import DICOMCore
import DICOMIO

/// Why a series could not become a volume. `reason` never holds attribute values; `file` is the
/// path as given, which callers print only where paths are known to be free of identifiers.
public struct VolumeError: Error, CustomStringConvertible, Sendable {
    public var file: String?
    public var reason: String
    public var description: String { file.map { "\($0): \(reason)" } ?? reason }

    public init(file: String?, reason: String) {
        self.file = file
        self.reason = reason
    }
}

/// Reads DICOM files into volumes: headers first, then the pixels of the frames each volume uses.
public enum VolumeLoader {
    /// The volumes in `paths`, one per series and sub-stack. Files without an image plane
    /// (reports, localizers, colour images) are skipped.
    public static func load(paths: [String]) throws(VolumeError) -> [Volume] {
        var headers: [SliceHeader] = []
        for (index, path) in paths.enumerated() {
            do {
                headers += SliceHeader.frames(of: try DICOMFile(path: path).read().dataSet, source: index)
            } catch {
                throw VolumeError(file: path, reason: "\(error)")
            }
        }
        let layouts = SeriesAssembler.assemble(headers)
        var decoded: [Int: DecodedPixels] = [:]
        return try layouts.map { layout throws(VolumeError) in
            try volume(layout) { source throws(VolumeError) in
                if let pixels = decoded[source] { return pixels }
                do {
                    let pixels = try DICOMFile(path: paths[source]).decodePixels()
                    decoded[source] = pixels
                    return pixels
                } catch {
                    throw VolumeError(file: paths[source], reason: "\(error)")
                }
            }
        }
    }

    /// The voxels of `layout`, rescaled per frame, from the decoded pixels of each source file.
    public static func volume(_ layout: StackLayout, pixels: (Int) throws(VolumeError) -> DecodedPixels) throws(VolumeError) -> Volume {
        let (columns, rows) = (layout.columns, layout.rows)
        let sliceSize = columns * rows
        var voxels = [Float](repeating: .nan, count: sliceSize * layout.slices.count)
        for (k, slice) in layout.slices.enumerated() {
            guard let slice else { continue }
            let decoded = try pixels(slice.source)
            guard decoded.rows == rows, decoded.columns == columns, decoded.samplesPerPixel == 1, slice.frame < decoded.frames else {
                throw VolumeError(file: nil, reason: "Pixel Data does not match the image's Rows, Columns or frames")
            }
            let (slope, intercept) = (Float(slice.rescaleSlope), Float(slice.rescaleIntercept))
            let start = slice.frame * sliceSize
            voxels.withUnsafeMutableBufferPointer { out in
                decoded.rescaled(start: start, count: sliceSize, slope: slope, intercept: intercept,
                                 into: UnsafeMutableBufferPointer(rebasing: out[k * sliceSize ..< (k + 1) * sliceSize]))
            }
        }
        return Volume(size: (columns, rows, layout.slices.count), voxels: voxels, affine: layout.affine,
                      warnings: layout.warnings, layout: layout)
    }
}
