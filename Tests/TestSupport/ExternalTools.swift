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
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:],
        input: Data? = nil
    ) throws -> ToolRun {
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
        return ToolRun(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData.value, as: UTF8.self),
            standardOutputBytes: outputData)
    }

    /// Whether `executable` is on PATH.
    public static func isAvailable(_ executable: String) -> Bool {
        (try? run("which", [executable]).status) == 0
    }

    /// Throws, naming the Debian package, when `executable` is not on PATH: Scripts/test.sh
    /// installs every tool the tests use, so a missing one fails the test instead of skipping it.
    public static func require(_ executable: String, package: String) throws {
        guard isAvailable(executable) else {
            throw ToolFailure(
                message: "\(executable) is not installed: Scripts/install-dependencies.sh \(package) "
                    + "(Scripts/test.sh does)")
        }
    }

    /// The error lines dciodvfy reports for a file, with the file-specific parts removed so that
    /// the reports of an input and its de-identified output can be compared.
    public static func dciodvfyErrors(_ path: String) throws -> Set<String> {
        // Without dciodvfy, `env` would report status 127 and no Error lines: a silent pass.
        try require("dciodvfy", package: "dicom3tools")
        let result = try run("dciodvfy", ["-new", path])
        let lines = (result.standardOutput + "\n" + result.standardError).split(separator: "\n")
        return Set(lines.filter { $0.hasPrefix("Error") }.map { normalizeDciodvfy(String($0)) })
    }

    /// Errors dciodvfy finds in `output` and not in `input`. When it cannot read the input (a
    /// deflated file; a JPEG one with broken private elements), both are compared as Explicit VR
    /// Little Endian copies made in `scratch`: by dcmconv, or dcmdjpeg for JPEG Pixel Data.
    public static func newDciodvfyErrors(input: String, output: String, scratch: URL) throws -> Set<String> {
        var (input, output) = (input, output)
        var before = try dciodvfyErrors(input)
        if before.contains(where: { $0.contains("Dicom dataset read failed") }) {
            let name = URL(fileURLWithPath: output).lastPathComponent
            let (inflatedInput, inflatedOutput) = (
                scratch.appendingPathComponent("in-\(name)").path,
                scratch.appendingPathComponent("out-\(name)").path
            )
            for (from, to) in [(input, inflatedInput), (output, inflatedOutput)] {
                var result = try run("dcmconv", ["+te", from, to])
                if result.status != 0 { result = try run("dcmdjpeg", [from, to]) }
                guard result.status == 0 else {
                    throw ToolFailure(message: "no readable copy of \(from): \(result.standardError)")
                }
            }
            (input, output) = (inflatedInput, inflatedOutput)
            before = try dciodvfyErrors(input)
        }
        return try dciodvfyErrors(output).subtracting(before)
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
    func set(_ value: Value) {
        lock.withLock {
            stored = value
            written = true
        }
    }
    var value: Value { lock.withLock { stored } }
    var isSet: Bool { lock.withLock { written } }
}
