import DICOMCore

/// A Siemens mosaic: one image (Image Type MOSAIC) whose pixels hold a whole stack of slices as
/// tiles, left to right and top to bottom. Image Position (Patient) is the corner of the whole
/// mosaic, not of the first tile; the slices follow the CSA header's Slice Normal Vector. The
/// geometry is dcm2niix's and nibabel's (`MosaicWrapper.image_position`).
struct SiemensMosaic: Equatable {
    /// Number of Images in Mosaic, (0019,xx0A) of "SIEMENS MR HEADER".
    let images: Int
    /// Tiles per row and per column of the mosaic: ceil(sqrt(images)).
    let tilesAcross: Int
    let tileRows: Int
    let tileColumns: Int
    /// The CSA Image Header's Slice Normal Vector: the direction tiles follow; nil when absent.
    let sliceNormal: Vector3?

    init?(_ dataSet: DataSet, rows: Int, columns: Int) {
        guard (dataSet[.imageType]?.strings ?? []).contains("MOSAIC") else { return nil }
        let creators = dataSet.privateCreators
        guard
            let mrHeader = Self.privateValue(
                in: dataSet, creators, group: 0x0019, creator: "SIEMENS MR HEADER",
                element: 0x0A),
            mrHeader.count >= 2
        else { return nil }
        let images = Int(UInt16(mrHeader[0]) | UInt16(mrHeader[1]) << 8)
        var across = 1
        while across * across < images { across += 1 }
        // Tiles fill the mosaic exactly in scanner files; a resampled mosaic is not unpacked.
        guard images > 0, rows % across == 0, columns % across == 0 else { return nil }
        self.images = images
        self.tilesAcross = across
        self.tileRows = rows / across
        self.tileColumns = columns / across
        let csa = Self.privateValue(in: dataSet, creators, group: 0x0029, creator: "SIEMENS CSA HEADER", element: 0x10)
        let normal = csa.flatMap { CSAHeader.values(of: "SliceNormalVector", in: $0) }?.compactMap(Double.init)
        sliceNormal = normal.flatMap { $0.count == 3 ? Vector3($0[0], $0[1], $0[2]) : nil }
            .flatMap { $0.length > 0.5 ? $0.normalized : nil }
    }

    /// Where tile 0's first voxel is: the mosaic's corner moved by half the rows and columns the
    /// tiles do not fill.
    func firstTilePosition(
        corner: Vector3, rowDirection: Vector3, columnDirection: Vector3, rowSpacing: Double,
        columnSpacing: Double
    ) -> Vector3 {
        let rowShift = Double(tileRows * (tilesAcross - 1)) / 2
        let columnShift = Double(tileColumns * (tilesAcross - 1)) / 2
        return corner + columnDirection * (rowSpacing * rowShift) + rowDirection * (columnSpacing * columnShift)
    }

    private static func privateValue(
        in dataSet: DataSet, _ creators: [DICOMTag: String], group: UInt16, creator: String, element: UInt16
    ) -> [UInt8]? {
        guard let block = creators.first(where: { $0.key.group == group && $0.value == creator })?.key.element,
            block >= 0x10, block <= 0xFF
        else { return nil }
        return dataSet[DICOMTag(group, block << 8 | element)]?.bytes
    }
}

/// The Siemens CSA header (format "SV10"): named elements, each a list of text items. Parsed
/// defensively: a header that runs out of bytes gives nil, never a crash.
enum CSAHeader {
    static func values(of name: String, in bytes: [UInt8]) -> [String]? {
        guard bytes.count >= 16, bytes[0..<4].elementsEqual("SV10".utf8) else { return nil }
        func uint32(_ offset: Int) -> Int? {
            guard offset >= 0, offset + 4 <= bytes.count else { return nil }
            return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16
                | Int(bytes[offset + 3]) << 24
        }
        guard let count = uint32(8), count < 1000 else { return nil }
        var offset = 16
        for _ in 0..<count {
            guard offset + 84 <= bytes.count, let items = uint32(offset + 76), items < 1000 else { return nil }
            let nameBytes = bytes[offset..<(offset + 64)].prefix { $0 != 0 }
            let elementName = String(decoding: nameBytes, as: UTF8.self)
            offset += 84
            var values: [String] = []
            for _ in 0..<items {
                guard let length = uint32(offset + 4), length <= bytes.count, offset + 16 + length <= bytes.count
                else { return nil }
                let value = bytes[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }
                values.append(String(decoding: value, as: UTF8.self).trimmingSpaces)
                offset += 16 + (length + 3) / 4 * 4
            }
            if elementName == name { return values.filter { !$0.isEmpty } }
        }
        return nil
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
