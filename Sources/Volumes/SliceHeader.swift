import DICOMCore

/// What assembling a volume needs to know about one frame: where it is, how big its pixels are,
/// how stored values become real values. A single-frame image has one; an enhanced multi-frame
/// image one per frame, read from its functional groups (per-frame first, then shared, then the
/// top level).
public struct SliceHeader: Hashable, Sendable {
    /// Index of the file among those given to the assembler, and the frame inside it.
    public var source: Int
    public var frame: Int
    public var position: Vector3
    /// Image Orientation (Patient): direction of increasing column, then of increasing row.
    public var rowDirection: Vector3
    public var columnDirection: Vector3
    /// Pixel Spacing: between rows, then between columns (mm).
    public var rowSpacing: Double
    public var columnSpacing: Double
    public var rows: Int
    public var columns: Int
    public var rescaleSlope: Double
    public var rescaleIntercept: Double
    public var seriesInstanceUID: String
    /// What keeps frames of one series in separate images: echo and stack (dcm2niix's `_e2`
    /// files).
    public var stackKey: String
    /// What keeps frames of one image in separate time points: temporal position, the Siemens
    /// mosaic file. Time points on one grid form one 4-D image (see ``TimeSeries``).
    public var timeKey = ""
    /// Temporal Position Index (enhanced) or Identifier (classic): orders time points.
    public var timeIndex = 0
    public var instanceNumber: Int
    public var acquisitionNumber: Int
    public var isLocalizer: Bool
    /// For a tile of a Siemens mosaic: its index (left to right, top to bottom), and the tiles
    /// per row of the mosaic; the frame's pixels are the whole mosaic.
    public var tile: Int? = nil
    public var tilesAcross = 1

    public var normal: Vector3 { rowDirection.cross(columnDirection).normalized }

    /// The headers of every frame of `dataSet`; empty when it is not an image with a plane in
    /// patient space (no Image Position / Orientation, no Pixel Spacing, colour, 1-bit segmentations).
    public static func frames(of dataSet: DataSet, source: Int) -> [SliceHeader] {
        guard let rows = dataSet.int(.rows), let columns = dataSet.int(.columns), rows > 0, columns > 0,
            (dataSet.int(.samplesPerPixel) ?? 1) == 1,
            [8, 16, 32].contains(dataSet.int(.bitsAllocated) ?? 16)
        else { return [] }
        let frameCount = max(1, dataSet.int(.numberOfFrames) ?? 1)
        let shared = dataSet.firstItem(.sharedFunctionalGroupsSequence) ?? DataSet()
        let perFrame = dataSet.items(.perFrameFunctionalGroupsSequence) ?? []
        let imageType = dataSet[.imageType]?.strings ?? []
        // A Siemens mosaic holds a whole stack in one frame's tiles: one header per tile, or none
        // (as one slice its geometry would be wrong; see ``VolumeLoader/whyNoVolume(_:)``).
        let isMosaic = imageType.contains("MOSAIC")
        let mosaic = isMosaic ? SiemensMosaic(dataSet, rows: rows, columns: columns) : nil
        let mosaicSpacing = dataSet.double(.spacingBetweenSlices) ?? dataSet.double(.sliceThickness)
        guard !isMosaic || (mosaic != nil && frameCount == 1 && (mosaicSpacing ?? 0) > 0) else { return [] }
        let series = dataSet.string(.seriesInstanceUID) ?? ""
        let instance = dataSet.int(.instanceNumber) ?? 0
        let acquisition = dataSet.int(.acquisitionNumber) ?? 0
        let echo = dataSet.string(.echoNumbers) ?? ""

        var headers: [SliceHeader] = []
        for frame in 0..<frameCount {
            let groups = frame < perFrame.count ? [perFrame[frame], shared] : [shared]
            /// The first value found: in a functional group's macro, else at the top level.
            func look<T>(_ sequence: DICOMTag, _ read: (DataSet) -> T?) -> T? {
                for group in groups {
                    if let item = group.firstItem(sequence), let value = read(item) { return value }
                }
                return read(dataSet)
            }
            guard let position = look(.planePositionSequence, { $0.doubles(.imagePositionPatient) }),
                position.count == 3,
                let orientation = look(.planeOrientationSequence, { $0.doubles(.imageOrientationPatient) }),
                orientation.count == 6,
                let spacing = look(.pixelMeasuresSequence, { $0.doubles(.pixelSpacing) }), spacing.count == 2,
                spacing[0] > 0, spacing[1] > 0
            else { return [] }
            let rowDirection = Vector3(orientation[0], orientation[1], orientation[2])
            let columnDirection = Vector3(orientation[3], orientation[4], orientation[5])
            guard rowDirection.length > 0.5, columnDirection.length > 0.5,
                abs(rowDirection.normalized.dot(columnDirection.normalized)) < 0.01
            else { return [] }
            let slope = look(.pixelValueTransformationSequence, { $0.double(.rescaleSlope) }) ?? 1
            let intercept = look(.pixelValueTransformationSequence, { $0.double(.rescaleIntercept) }) ?? 0
            let content = perFrame.indices.contains(frame) ? perFrame[frame].firstItem(.frameContentSequence) : nil
            let stack = content?.string(.stackID) ?? ""
            // An enhanced frame's time point keeps it apart; a classic image's Temporal Position
            // Identifier only orders the stacks repeated positions make (see SeriesAssembler).
            let temporal = content?.int(.temporalPositionIndex)
            let timeIndex = temporal ?? dataSet.int(.temporalPositionIdentifier) ?? 0
            let echoTime = look(.mrEchoSequence, { $0.double(.effectiveEchoTime) }).map { String($0) } ?? ""
            headers.append(
                SliceHeader(
                    source: source, frame: frame, position: Vector3(position[0], position[1], position[2]),
                    rowDirection: rowDirection.normalized, columnDirection: columnDirection.normalized,
                    rowSpacing: spacing[0], columnSpacing: spacing[1], rows: rows, columns: columns,
                    rescaleSlope: slope == 0 ? 1 : slope, rescaleIntercept: intercept, seriesInstanceUID: series,
                    stackKey: [echo, stack, echoTime].joined(separator: "|"),
                    timeKey: temporal.map(String.init) ?? "", timeIndex: timeIndex,
                    instanceNumber: instance * 100_000 + frame, acquisitionNumber: acquisition,
                    isLocalizer: imageType.contains("LOCALIZER")))
        }
        if let mosaic, let spacing = mosaicSpacing, let header = headers.first {
            return header.tiles(of: mosaic, spacing: spacing)
        }
        return headers
    }

    /// One header per tile of `mosaic`, this header being the whole mosaic's. Each mosaic file is
    /// its own time point (a diffusion direction, a repetition), as in dcm2niix's 4-D image.
    func tiles(of mosaic: SiemensMosaic, spacing: Double) -> [SliceHeader] {
        let direction = mosaic.sliceNormal ?? normal
        let first = mosaic.firstTilePosition(
            corner: position, rowDirection: rowDirection, columnDirection: columnDirection, rowSpacing: rowSpacing,
            columnSpacing: columnSpacing)
        return (0..<mosaic.images).map { index in
            var header = self
            header.position = first + direction * (spacing * Double(index))
            header.rows = mosaic.tileRows
            header.columns = mosaic.tileColumns
            header.tile = index
            header.tilesAcross = mosaic.tilesAcross
            header.instanceNumber = instanceNumber + index
            header.timeKey += "|mosaic \(instanceNumber)"
            return header
        }
    }
}
