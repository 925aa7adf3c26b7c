import Crypto

#if canImport(Glibc)
import Glibc
#endif

/// Key files: 32 random bytes as 64 hex digits; lines starting with `#` are comments. A key file
/// must be readable by its owner only (mode 0600), and nothing read from it is ever printed.
enum KeyFile {
    static func read(_ path: String) throws(KeyError) -> [UInt8] {
        var status = stat()
        guard stat(path, &status) == 0 else { throw KeyError("cannot read the key file") }
        guard status.st_mode & S_IFMT == S_IFREG else { throw KeyError("the key file is not a regular file") }
        guard status.st_mode & 0o077 == 0 else {
            throw KeyError("the key file can be read or written by others; run: chmod 600 <key file>")
        }
        guard let text = readSmallFile(path) else { throw KeyError("cannot read the key file") }
        let digits = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined().filter { !$0.isWhitespace }
        guard digits.count == 64, let bytes = hexBytes(digits) else {
            throw KeyError("the key file does not hold 64 hex digits (make one with: veil keygen <file>)")
        }
        return bytes
    }

    /// A new key file's text: `comment` as comment lines, then a fresh random key.
    static func contents(comment: String) -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        let lines = comment.split(separator: "\n").map { "# " + $0 }.joined(separator: "\n")
        return lines + "\n" + bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined() + "\n"
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = text.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let value = UInt8(String([high, low]), radix: 16) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func readSmallFile(_ path: String) -> String? {
        guard let handle = fopen(path, "rb") else { return nil }
        defer { fclose(handle) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = fread(&buffer, 1, buffer.count, handle)
        return String(decoding: buffer[..<count], as: UTF8.self)
    }
}
