import CImageIO
import Foundation
import Volumes

/// NIfTI-1 (single file, `.nii`/`.nii.gz`) of a volume, laid out as dcm2niix lays it out (rows
/// flipped), so that its affine matches dcm2niix's. Every text field (descrip, aux_file,
/// intent_name, db_name) is empty and there are no extensions: a NIfTI header cannot carry PHI
/// here. Values are the rescaled ones: int16 when every voxel is a whole number in range (CT in
/// HU), float32 otherwise (varying slopes, missing slices as NaN).
public enum NIfTIImage {
    public static let headerSize = 348
    public static let dataOffset = 352

    /// The voxel-to-RAS affine (row-major 4×4) of `volume` as written: LPS turned to RAS, rows flipped.
    public static func affine(of volume: Volume) -> [[Double]] {
        let a = volume.affine
        let ras = { (v: Vector3) in Vector3(-v.x, -v.y, v.z) }
        let columns = [
            ras(a.columnStep), ras(-a.rowStep), ras(a.sliceStep),
            ras(a.patientPoint(i: 0, j: Double(volume.size.j - 1), k: 0)),
        ]
        return (0..<3).map { row in columns.map { $0[row] } } + [[0, 0, 0, 1]]
    }

    /// The `.nii` bytes.
    public static func encode(_ volume: Volume) -> [UInt8] { encode([volume]) }

    /// The `.nii` bytes of a 3-D image, or of a 4-D one when `volumes` are the time points of one
    /// grid (``TimeSeries``), `timeStep` seconds apart (dcm2niix puts the repetition time there).
    public static func encode(_ volumes: [Volume], timeStep: Double = 0) -> [UInt8] {
        let volume = volumes[0]
        precondition(volumes.allSatisfy { $0.size == volume.size })
        let (ni, nj, nk) = volume.size
        let nt = volumes.count
        let integral = volumes.allSatisfy {
            $0.voxels.allSatisfy { $0.isFinite && $0 == $0.rounded() && $0 >= -32768 && $0 <= 32767 }
        }
        let bytesPerVoxel = integral ? 2 : 4
        var bytes = [UInt8](repeating: 0, count: dataOffset + volume.count * nt * bytesPerVoxel)
        let m = affine(of: volume)
        bytes.withUnsafeMutableBytes { raw in
            func put<T>(_ value: T, at offset: Int) { raw.storeBytes(of: value, toByteOffset: offset, as: T.self) }
            put(Int32(headerSize), at: 0)
            put(UInt8(ascii: "r"), at: 38)
            for (index, value) in [nt > 1 ? 4 : 3, ni, nj, nk, nt, 1, 1, 1].enumerated() {
                put(Int16(value), at: 40 + 2 * index)
            }
            put(Int16(integral ? 4 : 16), at: 70)  // DT_INT16 or DT_FLOAT32
            put(Int16(bytesPerVoxel * 8), at: 72)
            let spacing = (0..<3).map { c in (0..<3).map { m[$0][c] * m[$0][c] }.reduce(0, +).squareRoot() }
            let (quaternion, qfac) = Self.quaternion(m, spacing: spacing)
            let step = nt > 1 ? timeStep : 0
            for (index, value) in [qfac, spacing[0], spacing[1], spacing[2], step, 0, 0, 0].enumerated() {
                put(Float(value), at: 76 + 4 * index)
            }
            put(Float(dataOffset), at: 108)
            put(Float(1), at: 112)  // scl_slope: values are stored as they are
            put(UInt8(nt > 1 ? 10 : 2), at: 123)  // xyzt_units: millimetres (and seconds)
            put(Int16(1), at: 252)  // qform_code: scanner
            put(Int16(1), at: 254)  // sform_code: scanner
            for (index, value) in [quaternion.0, quaternion.1, quaternion.2, m[0][3], m[1][3], m[2][3]].enumerated() {
                put(Float(value), at: 256 + 4 * index)
            }
            for row in 0..<3 { for column in 0..<4 { put(Float(m[row][column]), at: 280 + 16 * row + 4 * column) } }
            for (index, byte) in "n+1\0".utf8.enumerated() { put(byte, at: 344 + index) }
            // Voxels, rows flipped: NIfTI row j is the volume's row nj − 1 − j; time points last.
            var offset = dataOffset
            for time in volumes {
                for k in 0..<nk {
                    for j in 0..<nj {
                        let source = time.index(0, nj - 1 - j, k)
                        for i in 0..<ni {
                            let value = time.voxels[source + i]
                            if integral {
                                put(Int16(value).littleEndian, at: offset)
                            } else {
                                put(value.bitPattern.littleEndian, at: offset)
                            }
                            offset += bytesPerVoxel
                        }
                    }
                }
            }
        }
        return bytes
    }

    /// The `.nii.gz` bytes (deterministic: gzip time 0).
    public static func encodeCompressed(_ volume: Volume) throws -> [UInt8] { try gzip(encode(volume)) }

    /// The `.nii.gz` bytes of `volumes` as one image (see ``encode(_:timeStep:)``).
    public static func encodeCompressed(_ volumes: [Volume], timeStep: Double = 0) throws -> [UInt8] {
        try gzip(encode(volumes, timeStep: timeStep))
    }

    /// The qform quaternion (b, c, d) and qfac of the rotation part of `m` (NIfTI-1, nifti1_io's
    /// mat44_to_quatern, without the shear, which only the sform can hold).
    static func quaternion(_ m: [[Double]], spacing: [Double]) -> ((Double, Double, Double), Double) {
        var r = (0..<3).map { row in (0..<3).map { column in m[row][column] / max(spacing[column], 1e-12) } }
        let determinant =
            r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0])
            + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0])
        var qfac = 1.0
        if determinant < 0 {
            qfac = -1
            for row in 0..<3 { r[row][2] = -r[row][2] }
        }
        var a = r[0][0] + r[1][1] + r[2][2] + 1
        var b: Double
        var c: Double
        var d: Double
        if a > 0.5 {
            a = 0.5 * a.squareRoot()
            b = 0.25 * (r[2][1] - r[1][2]) / a
            c = 0.25 * (r[0][2] - r[2][0]) / a
            d = 0.25 * (r[1][0] - r[0][1]) / a
        } else {
            let xd = 1 + r[0][0] - (r[1][1] + r[2][2])
            let yd = 1 + r[1][1] - (r[0][0] + r[2][2])
            let zd = 1 + r[2][2] - (r[0][0] + r[1][1])
            if xd > 1 {
                b = 0.5 * xd.squareRoot()
                c = 0.25 * (r[0][1] + r[1][0]) / b
                d = 0.25 * (r[0][2] + r[2][0]) / b
                a = 0.25 * (r[2][1] - r[1][2]) / b
            } else if yd > 1 {
                c = 0.5 * yd.squareRoot()
                b = 0.25 * (r[0][1] + r[1][0]) / c
                d = 0.25 * (r[1][2] + r[2][1]) / c
                a = 0.25 * (r[0][2] - r[2][0]) / c
            } else {
                d = 0.5 * zd.squareRoot()
                b = 0.25 * (r[0][2] + r[2][0]) / d
                c = 0.25 * (r[1][2] + r[2][1]) / d
                a = 0.25 * (r[1][0] - r[0][1]) / d
            }
            if a < 0 { (b, c, d) = (-b, -c, -d) }
        }
        return ((b, c, d), qfac)
    }
}

struct RepresentationError: Error, CustomStringConvertible {
    var description: String
}

/// gzip through zlib (CImageIO).
func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    var out: UnsafeMutablePointer<UInt8>?
    var length = 0
    guard vimg_gzip(bytes, bytes.count, &out, &length) == 0, let out else {
        throw RepresentationError(description: "gzip failed")
    }
    defer { vimg_free(out) }
    return Array(UnsafeBufferPointer(start: out, count: length))
}

/// An 8-bit greyscale PNG through libpng (CImageIO): no text, time or other ancillary chunks.
func png(gray pixels: [UInt8], width: Int, height: Int) throws -> [UInt8] {
    var out: UnsafeMutablePointer<UInt8>?
    var length = 0
    guard vimg_png_gray8(pixels, UInt32(width), UInt32(height), &out, &length) == 0, let out else {
        throw RepresentationError(description: "PNG encoding failed")
    }
    defer { vimg_free(out) }
    return Array(UnsafeBufferPointer(start: out, count: length))
}
