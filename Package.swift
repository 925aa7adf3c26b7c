// swift-tools-version: 6.2
import Foundation
import PackageDescription

// DCMTK comes from Debian's libdcmtk-dev. `pkg-config dcmtk` is broken on Debian 12 (it requires
// sndfile), so the shim links the libraries it uses by name: dcmdata, its JPEG and JPEG-LS
// decoders, OpenJPEG for JPEG 2000 (Debian's libopenjp2-7-dev), and dcmnet and dcmtls (with
// OpenSSL) for the network side.
let dcmtkLibraries: [LinkerSetting] = [
    "dcmdata", "dcmjpeg", "ijg8", "ijg12", "ijg16", "dcmjpls", "dcmtkcharls", "dcmimgle", "dcmtls", "dcmnet", "oflog",
    "ofstd", "openjp2", "ssl", "crypto",
].map { .linkedLibrary($0) }

// The pixel algorithms are slow unoptimized, and the tests deface, clean and render dozens of
// volumes: Scripts/test.sh sets VEIL_OPTIMIZE_DEBUG=1 to build them with -O in debug builds too.
// Unset (the default, and always for a package that depends on Veil), no unsafe flag is used.
let optimizedInDebug: [SwiftSetting] =
    ProcessInfo.processInfo.environment["VEIL_OPTIMIZE_DEBUG"] != nil ? [.unsafeFlags(["-O"])] : []

let package = Package(
    name: "Veil",
    products: [
        .library(
            name: "Veil",
            targets: [
                "DICOMCore", "DICOMIO", "Deidentification", "Volumes", "Defacing", "TextRedaction", "Representations",
                "VeilBatch", "VeilReview",
            ]),
        .executable(name: "veil", targets: ["VeilCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
    ],
    targets: [
        // The only code that includes DCMTK: C++17 behind one C header.
        .target(
            name: "CDCMTK",
            cxxSettings: [.enableWarning("all"), .enableWarning("extra")],
            linkerSettings: dcmtkLibraries
        ),
        // Linux calls Swift's Glibc module lacks (renameat2, syncfs).
        .target(name: "CSystem"),
        // zlib's raw inflate, for the structure check of deflated data sets.
        .target(name: "CInflate", linkerSettings: [.linkedLibrary("z")]),
        // Plain DICOM values and the generated data dictionary. No C, no files.
        .target(name: "DICOMCore"),
        // Reading and writing DICOM files through the shim.
        .target(name: "DICOMIO", dependencies: ["CDCMTK", "CInflate", "CSystem", "DICOMCore"]),
        // DICOM networking: nodes, C-ECHO/FIND/MOVE/GET/STORE through the shim, DICOMweb.
        .target(
            name: "DICOMNetwork",
            dependencies: ["CDCMTK", "DICOMCore", .product(name: "Yams", package: "Yams")]
        ),
        // The PS3.15 Annex E engine: pure policy over DICOMCore values.
        .target(
            name: "Deidentification",
            dependencies: ["DICOMCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Series into 3D volumes: geometry, ordering, rescale. From data sets and decoded pixels
        // in memory: no files.
        .target(name: "Volumes", dependencies: ["DICOMCore"]),
        // dlib's HOG frontal face detector (Debian libdlib-dev, which needs LAPACK and BLAS): the
        // defacer's check that no face is left in renderings of the defaced head.
        .target(
            name: "CFaceDetection",
            cxxSettings: ProcessInfo.processInfo.environment["VEIL_OPTIMIZE_DEBUG"] != nil ? [.unsafeFlags(["-O2"])] : [],
            linkerSettings: [.linkedLibrary("dlib"), .linkedLibrary("lapack"), .linkedLibrary("blas")]
        ),
        // Face removal from head CT and MR volumes.
        .target(
            name: "Defacing", dependencies: ["CFaceDetection", "DICOMCore", "Volumes"], swiftSettings: optimizedInDebug),
        // Tesseract, loaded at run time when installed: the OCR second look of burned-in text.
        .target(name: "COCR", linkerSettings: [.linkedLibrary("dl")]),
        // Burned-in text: triage, detection on every frame, masking, second look.
        .target(
            name: "TextRedaction", dependencies: ["COCR", "DICOMCore", "Deidentification"],
            swiftSettings: optimizedInDebug),
        // zlib and libpng (Debian libpng-dev) behind a small C interface, for the representations.
        .target(name: "CImageIO", linkerSettings: [.linkedLibrary("png"), .linkedLibrary("z")]),
        // NIfTI, JSON sidecars and QA pictures of de-identified volumes.
        .target(
            name: "Representations", dependencies: ["CImageIO", "DICOMCore", "Volumes"],
            swiftSettings: optimizedInDebug),
        // Folders in, de-identified folders and an audit manifest out.
        .target(
            name: "VeilBatch",
            dependencies: [
                "CSystem", "DICOMCore", "DICOMIO", "Deidentification", "Volumes", "Defacing", "TextRedaction",
                "Representations",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // `veil review`: one offline HTML page of a de-identified folder, for a person to sign off.
        .target(
            name: "VeilReview",
            dependencies: [
                "CImageIO", "DICOMCore", "DICOMIO", "Deidentification", "Volumes", "Defacing", "TextRedaction",
                "Representations", "VeilBatch",
            ]),
        // Pull from a PACS and de-identify; push de-identified outputs (C-STORE, STOW-RS).
        .target(
            name: "VeilNetwork",
            dependencies: ["DICOMNetwork", "VeilBatch", "DICOMIO", "DICOMCore", "Deidentification"]),
        // `veil gateway`: a de-identifying DICOM router (storage SCP, spool, release, forwarding).
        .target(
            name: "VeilGateway",
            dependencies: [
                "DICOMNetwork", "VeilNetwork", "VeilBatch", "DICOMIO", "DICOMCore", "Deidentification", "TextRedaction",
                .product(name: "Yams", package: "Yams"),
            ]),
        // `swift run -c release DefaceBenchmark`: seconds per 256³ head volume.
        .executableTarget(name: "DefaceBenchmark", dependencies: ["Defacing", "Volumes", "VeilBatch"]),
        // `swift run -c release TextBenchmark`: ms per frame and scores on the generated text cases.
        .executableTarget(name: "TextBenchmark", dependencies: ["TextRedaction", "DICOMIO", "TestSupport"]),
        // The `veil` command: parses arguments and calls the libraries.
        .executableTarget(
            name: "VeilCLI",
            dependencies: [
                "VeilBatch", "VeilNetwork", "VeilGateway", "VeilReview", "DICOMNetwork", "TextRedaction",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "DICOMCoreTests", dependencies: ["DICOMCore"]),
        .testTarget(name: "DICOMIOTests", dependencies: ["DICOMIO", "TestSupport"]),
        .testTarget(name: "DeidentificationTests", dependencies: ["Deidentification", "TestSupport"]),
        // Tests that read series from files use VeilBatch's SeriesReader: the algorithms do no I/O.
        .testTarget(name: "VolumesTests", dependencies: ["Volumes", "VeilBatch", "TestSupport"]),
        .testTarget(
            name: "RepresentationsTests", dependencies: ["Representations", "Volumes", "VeilBatch", "TestSupport"]),
        .testTarget(name: "TextRedactionTests", dependencies: ["TextRedaction", "TestSupport"]),
        .testTarget(name: "DefacingTests", dependencies: ["Defacing", "Volumes", "VeilBatch", "TestSupport"]),
        .testTarget(name: "VeilBatchTests", dependencies: ["VeilBatch", "TestSupport"]),
        .testTarget(name: "VeilCLITests", dependencies: ["VeilCLI", "VeilBatch", "Volumes", "TestSupport"]),
        // Against real Orthanc servers (Scripts/test-network.sh starts them).
        .testTarget(
            name: "NetworkTests",
            dependencies: ["DICOMNetwork", "VeilNetwork", "VeilGateway", "VeilCLI", "TestSupport"]),
        // Shared by the test targets: sample paths, temporary folders, byte scans, DCMTK tool runners.
        .target(name: "TestSupport", dependencies: ["DICOMCore", "DICOMIO"], path: "Tests/TestSupport"),
    ],
    cxxLanguageStandard: .cxx17
)

// The fuzz target (Scripts/fuzz.sh): declared only when asked for, because libFuzzer supplies
// its `main` and the target cannot link without `--sanitize=fuzzer`.
if ProcessInfo.processInfo.environment["VEIL_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "VeilFuzz", dependencies: ["DICOMIO", "Deidentification"], path: "Fuzz/VeilFuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
}
