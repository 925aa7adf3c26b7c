// Seconds to deface one 256³ head volume on one core, next to the peers' published runtimes.
//
// usage: swift run -c release DefaceBenchmark [head series folder] [runs]
//
// The series (default: TestData/heads/head00, made by Scripts/prepare-test-data.sh) is loaded
// and resampled to 256 × 256 × 256 voxels of 1 mm, so that every run times the same amount of
// work whatever the series' own size. The defacer is single-threaded.
import Defacing
import Foundation
import VeilBatch
import Volumes

let arguments = CommandLine.arguments
let folder = arguments.count > 1 ? arguments[1] : "TestData/heads/head00"
let runs = arguments.count > 2 ? max(1, Int(arguments[2]) ?? 5) : 5
let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".dcm") }
    .sorted()
    .map { (folder as NSString).appendingPathComponent($0) }
guard !files.isEmpty, let source = try? SeriesReader.volumes(paths: files).first else {
    FileHandle.standardError.write(Data("no head series in \(folder): run Scripts/prepare-test-data.sh first\n".utf8))
    exit(2)
}
let isCT =
    (try? String(contentsOfFile: (folder as NSString).appendingPathComponent("truth.json"), encoding: .utf8))?.contains(
        "\"CT\"") ?? false

/// `volume` resampled (trilinear) onto 256³ voxels of 1 mm, axial, centred on the source.
func resampled(_ volume: Volume) -> Volume {
    let n = 256
    let centre = volume.patientPoint(volume.size.i / 2, volume.size.j / 2, volume.size.k / 2)
    let affine = AffineTransform(
        columnStep: Vector3(1, 0, 0), rowStep: Vector3(0, 1, 0), sliceStep: Vector3(0, 0, 1),
        origin: centre - Vector3(128, 128, 128))
    let background = volume.voxels.min() ?? 0
    var voxels = [Float](repeating: background, count: n * n * n)
    for k in 0..<n {
        for j in 0..<n {
            for i in 0..<n {
                guard let v = volume.affine.voxel(of: affine.patientPoint(i: Double(i), j: Double(j), k: Double(k)))
                else { continue }
                let (x, y, z) = (Int(v.x.rounded()), Int(v.y.rounded()), Int(v.z.rounded()))
                guard x >= 0, y >= 0, z >= 0, x < volume.size.i, y < volume.size.j, z < volume.size.k else { continue }
                voxels[i + n * (j + n * k)] = volume[x, y, z]
            }
        }
    }
    return Volume(
        size: (n, n, n), voxels: voxels, affine: affine, warnings: [],
        layout: StackLayout(slices: [], affine: affine, warnings: []))
}

let volume = resampled(source)
var seconds: [Double] = []
var last: DefaceResult?
for _ in 0..<runs {
    let start = DispatchTime.now()
    last = try? Defacer().deface(volume, isCT: isCT)
    seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9)
}
let median = seconds.sorted()[seconds.count / 2]
print("Defacing one 256³ volume (1 mm, \(isCT ? "CT" : "MR"), from \(folder)), one core, median of \(runs) runs")
func column(_ text: String) -> String { text.padding(toLength: 38, withPad: " ", startingAt: 0) }
print("  " + column("veil (Defacer)") + String(format: "%8.2f s       1×", median))
if let last {
    print(
        "  (\(last.removedCount) voxels removed; fit RMS \(String(format: "%.1f", last.registrationRMS)) mm; \(last.raysStillOnSkin) of \(last.faceRays) frontal rays on skin)"
    )
} else {
    print("  (the self-check refused this volume)")
}
// Published or reported runtimes per volume (../shared/research/peers-pixel.md, part B.1): none of
// these tools can run here (FSL, FreeSurfer, AFNI, MATLAB runtime are not installed).
for (peer, low, high) in [
    ("pydeface 2.1 (FSL FLIRT), reported", 60.0, 167.0), ("fsl_deface / mridefacer (FSL)", 60.0, 300.0),
    ("mri_deface (FreeSurfer)", 60.0, 600.0), ("afni_refacer (AFNI)", 60.0, 300.0),
] {
    print(
        "  " + column(peer)
            + String(format: "%4.0f–%-4.0f s  %.0f–%.0f× slower", low, high, low / median, high / median))
}
// Issue #14: at most 1 s per 256³ volume on one core.
print(median <= 1 ? "target ≤ 1 s per 256³ volume: met" : "target ≤ 1 s per 256³ volume: NOT met")
