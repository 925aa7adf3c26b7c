import DICOMCore

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

/// Builds volumes from data sets and their decoded pixels, already in memory: the caller reads
/// the files (see `SeriesReader` in VeilBatch) and decodes each one's pixels at most once.
public enum VolumeLoader {
    /// The volumes of `dataSets`, one per series and sub-stack; `pixels(i)` gives the decoded
    /// Pixel Data of `dataSets[i]`, asked for only for the frames a volume uses. Data sets
    /// without an image plane (reports, localizers, colour images) are left out.
    public static func volumes(
        of dataSets: [DataSet], pixels: (Int) throws(VolumeError) -> DecodedPixels
    )
        throws(VolumeError) -> [Volume]
    {
        var headers: [SliceHeader] = []
        for (index, dataSet) in dataSets.enumerated() { headers += SliceHeader.frames(of: dataSet, source: index) }
        return try SeriesAssembler.assemble(headers).map { layout throws(VolumeError) in
            try volume(layout, pixels: pixels)
        }
    }

    /// The voxels of `layout`, rescaled per frame, from the decoded pixels of each source file.
    public static func volume(
        _ layout: StackLayout, pixels: (Int) throws(VolumeError) -> DecodedPixels
    ) throws(VolumeError) -> Volume {
        let (columns, rows) = (layout.columns, layout.rows)
        let sliceSize = columns * rows
        var voxels = [Float](repeating: .nan, count: sliceSize * layout.slices.count)
        for (k, slice) in layout.slices.enumerated() {
            guard let slice else { continue }
            let decoded = try pixels(slice.source)
            guard decoded.rows == rows, decoded.columns == columns, decoded.samplesPerPixel == 1,
                slice.frame < decoded.frames
            else {
                throw VolumeError(file: nil, reason: "Pixel Data does not match the image's Rows, Columns or frames")
            }
            let (slope, intercept) = (Float(slice.rescaleSlope), Float(slice.rescaleIntercept))
            let start = slice.frame * sliceSize
            voxels.withUnsafeMutableBufferPointer { out in
                decoded.rescaled(
                    start: start, count: sliceSize, slope: slope, intercept: intercept,
                    into: UnsafeMutableBufferPointer(rebasing: out[k * sliceSize..<(k + 1) * sliceSize]))
            }
        }
        return Volume(
            size: (columns, rows, layout.slices.count), voxels: voxels, affine: layout.affine,
            warnings: layout.warnings, layout: layout)
    }
}
