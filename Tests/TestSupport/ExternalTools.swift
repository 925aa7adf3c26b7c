import Foundation

/// Runs a command-line tool and captures its output.
public struct ToolRun: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String
    public var standardOutputBytes: Data
}

public enum ExternalTool {
    /// Runs `executable` (searched on PATH) with `arguments`.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                           input: Data? = nil) throws -> ToolRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(input)
            try inputPipe.fileHandleForWriting.close()
        }
        // Drain both pipes concurrently so a chatty tool cannot block on a full pipe.
        let errorData = Locked(Data())
        let errorReader = Thread { errorData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return ToolRun(status: process.terminationStatus,
                       standardOutput: String(decoding: outputData, as: UTF8.self),
                       standardError: String(decoding: errorData.value, as: UTF8.self),
                       standardOutputBytes: outputData)
    }

    /// Whether `executable` is on PATH.
    public static func isAvailable(_ executable: String) -> Bool {
        (try? run("which", [executable]).status) == 0
    }

    /// The error lines dciodvfy reports for a file, with the file-specific parts removed so that
    /// the reports of an input and its de-identified output can be compared.
    public static func dciodvfyErrors(_ path: String) throws -> Set<String> {
        let result = try run("dciodvfy", ["-new", path])
        let lines = (result.standardOutput + "\n" + result.standardError).split(separator: "\n")
        return Set(lines.filter { $0.hasPrefix("Error") }.map { normalizeDciodvfy(String($0)) })
    }

    static func normalizeDciodvfy(_ line: String) -> String {
        // Values dciodvfy quotes in its messages (= <value>) differ between input and output.
        line.replacingOccurrences(of: #"=\s*<[^>]*>"#, with: "= <>", options: .regularExpression)
    }
}

/// A value written once by one thread and read by another.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    private var written = false
    init(_ value: Value) { stored = value }
    func set(_ value: Value) { lock.withLock { stored = value; written = true } }
    var value: Value { lock.withLock { stored } }
    var isSet: Bool { lock.withLock { written } }
}
