import Foundation

/// Finds the files to process: inputs are files or folders, folders are walked recursively.
/// Symbolic links to folders are not followed (they can loop, or lead out of the export); links
/// to files are read. The result is sorted so that every run sees the same order.
public enum InputDiscovery {
    public struct Discovered: Sendable {
        public var files: [String]
        /// Inputs that do not exist or cannot be listed, with a reason (never fatal for the rest).
        public var problems: [(path: String, reason: String)]
    }

    public static func discover(_ inputs: [String]) -> Discovered {
        var files: [String] = []
        var problems: [(String, String)] = []
        let manager = FileManager.default
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: input, isDirectory: &isDirectory) else {
                problems.append((input, "no such file or folder"))
                continue
            }
            if !isDirectory.boolValue {
                files.append(input)
                continue
            }
            walk(input, into: &files, problems: &problems)
        }
        return Discovered(files: files.sorted(), problems: problems)
    }

    private static func walk(_ folder: String, into files: inout [String], problems: inout [(String, String)]) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: folder) else {
            problems.append((folder, "cannot list folder"))
            return
        }
        for name in names.sorted() {
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0 else {
                problems.append((path, "cannot read file attributes"))
                continue
            }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                walk(path, into: &files, problems: &problems)
            case S_IFREG:
                files.append(path)
            case S_IFLNK:
                var target = stat()
                if stat(path, &target) == 0, target.st_mode & S_IFMT == S_IFREG { files.append(path) }
            default:
                continue // sockets, devices, pipes: never DICOM files
            }
        }
    }
}
