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

    /// Why images of `dataSets` give no volume, for the user (no attribute values): nil when none
    /// of them is an image, or when they do give a volume.
    public static func whyNoVolume(_ dataSets: [DataSet]) -> String? {
        let images = dataSets.filter { ($0.int(.rows) ?? 0) > 0 && ($0.int(.columns) ?? 0) > 0 }
        guard !images.isEmpty else { return nil }
        var reasons: [String] = []
        for dataSet in images where SliceHeader.frames(of: dataSet, source: 0).isEmpty {
            let reason: String
            if (dataSet[.imageType]?.strings ?? []).contains("MOSAIC") {
                reason =
                    "Siemens mosaic images (Image Type MOSAIC) whose tiles cannot be placed: Number of Images in "
                    + "Mosaic (a Siemens private element, kept with --retain-safe-private), the slice spacing or the "
                    + "image plane is missing, or the mosaic does not divide into its tiles"
            } else if (dataSet.int(.samplesPerPixel) ?? 1) != 1 {
                reason =
                    "colour images (Samples per Pixel \(dataSet.int(.samplesPerPixel) ?? 0)), not assembled into volumes"
            } else if ![8, 16, 32].contains(dataSet.int(.bitsAllocated) ?? 16) {
                reason = "images of \(dataSet.int(.bitsAllocated) ?? 0) bits allocated"
            } else {
                reason =
                    "images without a usable image plane (Image Position, Image Orientation or Pixel Spacing "
                    + "missing or invalid, at the top level and in the functional groups)"
            }
            if !reasons.contains(reason) { reasons.append(reason) }
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
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
            let isTile = slice.tile != nil
            guard isTile ? decoded.rows / slice.tilesAcross == rows : decoded.rows == rows,
                isTile ? decoded.columns / slice.tilesAcross == columns : decoded.columns == columns,
                decoded.samplesPerPixel == 1, slice.frame < decoded.frames
            else {
                throw VolumeError(file: nil, reason: "Pixel Data does not match the image's Rows, Columns or frames")
            }
            let (slope, intercept) = (Float(slice.rescaleSlope), Float(slice.rescaleIntercept))
            let frameStart = slice.frame * decoded.rows * decoded.columns
            voxels.withUnsafeMutableBufferPointer { out in
                guard let tile = slice.tile else {
                    decoded.rescaled(
                        start: frameStart, count: sliceSize, slope: slope, intercept: intercept,
                        into: UnsafeMutableBufferPointer(rebasing: out[k * sliceSize..<(k + 1) * sliceSize]))
                    return
                }
                // A mosaic tile: its rows, each a run of the mosaic's row.
                let (tileRow, tileColumn) = tile.quotientAndRemainder(dividingBy: slice.tilesAcross)
                for row in 0..<rows {
                    let start = frameStart + (tileRow * rows + row) * decoded.columns + tileColumn * columns
                    let target = k * sliceSize + row * columns
                    decoded.rescaled(
                        start: start, count: columns, slope: slope, intercept: intercept,
                        into: UnsafeMutableBufferPointer(rebasing: out[target..<(target + columns)]))
                }
            }
        }
        return Volume(
            size: (columns, rows, layout.slices.count), voxels: voxels, affine: layout.affine,
            warnings: layout.warnings, layout: layout)
    }
}
