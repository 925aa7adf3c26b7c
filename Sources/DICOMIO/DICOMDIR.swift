internal import CDCMTK

/// DICOMDIR files (PS3.10 file-sets).
public enum DICOMDIR {
    /// Writes `<root>/DICOMDIR` listing `files` (paths relative to `root` made of media file IDs:
    /// up to eight components of up to eight characters A-Z, 0-9 and _). Returns how many files
    /// could not be listed (instances missing what a directory record requires).
    @discardableResult
    public static func write(root: String, files: [String]) throws(DICOMIOError) -> Int {
        DCMTK.initialize()
        var cStrings = files.map { strdup($0)! }
        var skipped = 0
        defer { cStrings.forEach { free($0) } }
        try ShimCall.run(
            { message, capacity in
                cStrings.withUnsafeMutableBufferPointer { pointers in
                    pointers.withMemoryRebound(to: UnsafePointer<CChar>.self) { constPointers in
                        cdcm_dicomdir_write(
                            root, constPointers.baseAddress!, constPointers.count, &skipped,
                            message, capacity)
                    }
                }
            }, kind: { _ in .fileSystem })
        return skipped
    }
}

#if canImport(Glibc)
import Glibc
#endif
