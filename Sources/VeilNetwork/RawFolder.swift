import Foundation

/// The private folder where `veil pull` keeps retrieved originals (PHI) until they are
/// de-identified: mode 0700, named after the process, removed at the end or on a signal. A pull
/// killed outright (kill -9, a power loss) cannot remove its own: the next pull removes the
/// folders of pulls whose process is gone.
public enum RawFolder {
    static let prefix = "veil-pull-"

    /// A new private folder in `base` (the temporary directory by default).
    public static func make(in base: String = NSTemporaryDirectory()) -> String? {
        let template = (base as NSString).appendingPathComponent("\(prefix)\(getpid())-XXXXXX")
        var buffer = Array(template.utf8CString)
        guard let made = mkdtemp(&buffer) else { return nil }
        return String(cString: made)
    }

    /// Removes the folders in `base` that pulls now gone left behind; returns their names.
    @discardableResult
    public static func removeAbandoned(in base: String = NSTemporaryDirectory()) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return [] }
        var removed: [String] = []
        for name in names.sorted() where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = pid_t(digits), pid > 0 else { continue }
            // A live process (ours, or another pull) keeps its folder; only ESRCH means gone.
            guard kill(pid, 0) == -1, errno == ESRCH else { continue }
            let path = (base as NSString).appendingPathComponent(name)
            var info = stat()
            // Only our own folders: never another user's.
            guard lstat(path, &info) == 0, info.st_uid == getuid(), info.st_mode & S_IFMT == S_IFDIR else { continue }
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(name) }
        }
        return removed
    }
}
