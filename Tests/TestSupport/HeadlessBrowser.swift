import Foundation

/// Debian's `chromium`, headless, as a reader's browser: what a page looks like and the DOM it
/// builds. Each call is a fresh browser with its own profile folder, under a time limit.
public enum HeadlessBrowser {
    static let options = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"]

    /// A screenshot of `page` in a window of `width` × `height` pixels, written to `png`.
    public static func screenshot(of page: URL, to png: URL, width: Int = 1280, height: Int = 2000) throws {
        let run = try chromium(
            ["--screenshot=\(png.path)", "--window-size=\(width),\(height)", page.absoluteString], scratch: png)
        guard run.status == 0, FileManager.default.fileExists(atPath: png.path) else {
            throw ToolFailure(message: "chromium made no screenshot (status \(run.status))")
        }
    }

    /// The DOM after the page has loaded, serialized.
    public static func dom(of page: URL, scratch: URL) throws -> String {
        let run = try chromium(["--dump-dom", page.absoluteString], scratch: scratch)
        guard run.status == 0 else { throw ToolFailure(message: "chromium --dump-dom failed (status \(run.status))") }
        return run.standardOutput
    }

    /// Facts about a screenshot from an independent PNG reader (Scripts/testing/png-stats.py):
    /// distinct colours and the share of pixels that are not the page's background.
    public static func pictureFacts(_ png: URL) throws -> (colours: Int, notBackground: Double) {
        let script = TestPaths.repository.appendingPathComponent("Scripts/testing/png-stats.py").path
        let run = try ExternalTool.run("python3", [script, png.path])
        guard run.status == 0,
            let facts = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any],
            let colours = facts["colours"] as? Int, let share = facts["notBackground"] as? Double
        else { throw ToolFailure(message: "png-stats.py could not read the screenshot: \(run.standardError)") }
        return (colours, share)
    }

    private static func chromium(_ arguments: [String], scratch: URL) throws -> ToolRun {
        try ExternalTool.require("chromium", package: "chromium")
        let profile = scratch.deletingLastPathComponent().appendingPathComponent(
            "chromium-profile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        return try ExternalTool.run(
            "timeout", ["120", "chromium"] + options + ["--user-data-dir=\(profile.path)"] + arguments,
            environment: ["HOME": scratch.deletingLastPathComponent().path])
    }
}
