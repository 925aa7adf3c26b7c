import Foundation
import Volumes

/// A head template in LPS millimetres: where the brain is, where the face is, and points on the
/// skin. Generated from Colin27 by Scripts/generate/make-deface-atlas.py (Generated/Colin27Atlas.swift).
public struct HeadAtlas: Sendable {
    /// The grid: voxel (i, j, k) is at `origin + spacing · (i, j, k)`, axes along L, P, S.
    public let size: (i: Int, j: Int, k: Int)
    public let origin: Vector3
    public let spacing: Double
    /// Brain tissue: never removed.
    public let brain: [Bool]
    /// The face, relative to the brain: what defacing removes.
    public let face: [Bool]
    /// Points on the skin, for registration.
    public let surface: [Vector3]
    /// Per atlas voxel: depth inside the brain and distance outside it (mm), for the brain
    /// estimate's checks (computed once, when the atlas is decoded).
    let brainDepth: [Float]
    let brainDistance: [Float]

    public static let colin27: HeadAtlas = {
        guard let data = Data(base64Encoded: colin27Encoded, options: .ignoreUnknownCharacters),
            let atlas = HeadAtlas(decoding: [UInt8](data))
        else { preconditionFailure("the generated atlas does not decode") }
        return atlas
    }()

    /// Layout: "VEILATL1", size (3 × Int32), origin (3 × Float64), spacing (Float64), brain and face
    /// (each: byte count (Int32), then run lengths as LEB128, first run of zeros, i fastest),
    /// point count (Int32), points (3 × Int16, tenths of mm). Little-endian.
    init?(decoding bytes: [UInt8]) {
        var reader = ByteReader(bytes: bytes)
        guard reader.take(8) == Array("VEILATL1".utf8) else { return nil }
        let size = (Int(reader.int32()), Int(reader.int32()), Int(reader.int32()))
        origin = Vector3(reader.float64(), reader.float64(), reader.float64())
        spacing = reader.float64()
        self.size = size
        let count = size.0 * size.1 * size.2
        guard let brain = reader.runLengthMask(count: count), let face = reader.runLengthMask(count: count) else {
            return nil
        }
        self.brain = brain
        self.face = face
        let points = Int(reader.int32())
        surface = (0..<points).map { _ in
            Vector3(Double(reader.int16()), Double(reader.int16()), Double(reader.int16())) / 10
        }
        guard !reader.failed else { return nil }
        let spacing3 = Vector3(spacing, spacing, spacing)
        brainDepth = DistanceTransform.distances(to: brain.map { !$0 }, size: size, spacing: spacing3)
        brainDistance = DistanceTransform.distances(to: brain, size: size, spacing: spacing3)
    }

    /// The mask value nearest to `point`; false outside the grid.
    func value(_ mask: [Bool], at point: Vector3) -> Bool {
        let v = (point - origin) / spacing
        let (i, j, k) = (Int(v.x.rounded()), Int(v.y.rounded()), Int(v.z.rounded()))
        guard i >= 0, j >= 0, k >= 0, i < size.i, j < size.j, k < size.k else { return false }
        return mask[i + size.i * (j + size.j * k)]
    }

    public func isBrain(_ point: Vector3) -> Bool { value(brain, at: point) }

    /// Depth inside the brain and distance outside it at `point` (nearest voxel); outside the
    /// grid, no depth and a distance as far as the grid's edge allows.
    func brainDistances(at point: Vector3) -> (depth: Float, distance: Float) {
        let v = (point - origin) / spacing
        let (i, j, k) = (Int(v.x.rounded()), Int(v.y.rounded()), Int(v.z.rounded()))
        guard i >= 0, j >= 0, k >= 0, i < size.i, j < size.j, k < size.k else {
            return (0, .greatestFiniteMagnitude)
        }
        let p = i + size.i * (j + size.j * k)
        return (brainDepth[p], brainDistance[p])
    }
    public func isFace(_ point: Vector3) -> Bool { value(face, at: point) }
}

/// Little-endian reads that fail softly (the atlas is generated, but a bad edit must not crash).
private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0
    var failed = false

    mutating func take(_ count: Int) -> [UInt8] {
        guard offset + count <= bytes.count else {
            failed = true
            return []
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func unsigned(_ count: Int) -> UInt64 {
        take(count).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    }

    mutating func int16() -> Int16 { Int16(truncatingIfNeeded: unsigned(2)) }
    mutating func int32() -> Int32 { Int32(truncatingIfNeeded: unsigned(4)) }
    mutating func float64() -> Double { Double(bitPattern: unsigned(8)) }

    mutating func runLengthMask(count: Int) -> [Bool]? {
        let length = Int(int32())
        let end = offset + length
        guard length >= 0, end <= bytes.count else { return nil }
        var mask = [Bool](repeating: false, count: count)
        var position = 0
        var value = false
        while offset < end {
            var run = 0
            var shift = 0
            while offset < end {
                let byte = bytes[offset]
                offset += 1
                run |= Int(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            guard position + run <= count else { return nil }
            if value { for p in position..<position + run { mask[p] = true } }
            position += run
            value.toggle()
        }
        return position == count ? mask : nil
    }
}
