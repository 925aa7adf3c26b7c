import Defacing
import Deidentification
import Foundation
import Representations
import VeilBatch

/// The HTML of the review page: inline CSS, pictures as data URIs, one small inline script (open
/// every study before printing), no reference to anything outside the page. Every value written
/// is escaped; none is an original value (see `ReviewReport`).
struct ReviewPage {
    /// Up to this many series, every study is shown open; beyond, studies start collapsed so that
    /// a page of 10,000 files opens at once (pictures of closed studies are not drawn).
    static let openSeriesLimit = 40
    /// Beyond this many series, thumbnails are smaller (`Thumbnail.smallSide`).
    static let smallPicturesAbove = 1000
    /// Files with findings listed per series, and ids per reason: the counts are always exact.
    static let listedFiles = 50

    var header: ManifestRecord.Header
    var k: Int
    var openStudies: Bool

    /// Totals over the series, for the residual-risk section at the top.
    struct Totals {
        /// Files with a finding of each kind, and the series (by number) they are in.
        var byKind: [String: (files: Int, findings: Int, series: [Int])] = [:]
        var seriesWithFindings: [(number: Int, series: String, files: Int)] = []
        var masked: (series: Int, files: Int, boxes: Int) = (0, 0, 0)
        var defaced: [(number: Int, series: String, faceRays: Int, stillOnSkin: Int)] = []
        var byModality: [String: (series: Int, files: Int)] = [:]
        var byBodyPart: [String: (series: Int, files: Int)] = [:]

        mutating func add(_ review: SeriesReview, number: Int) {
            for (_, findings) in review.findings {
                for kind in Set(findings.map(\.kind.rawValue)) {
                    var entry = byKind[kind] ?? (0, 0, [])
                    entry.files += 1
                    entry.findings += findings.filter { $0.kind.rawValue == kind }.count
                    if entry.series.last != number { entry.series.append(number) }
                    byKind[kind] = entry
                }
            }
            if !review.findings.isEmpty || review.unreadableFiles > 0 {
                seriesWithFindings.append((number, review.series, review.findings.count + review.unreadableFiles))
            }
            if review.maskedBoxes > 0 {
                masked.series += 1
                masked.files += review.maskedFiles
                masked.boxes += review.maskedBoxes
            }
            if let defacing = review.defacing {
                defaced.append((number, review.series, defacing.faceRays, defacing.raysStillOnSkin))
            }
            let modality = review.modality.isEmpty ? "(none)" : review.modality
            let bodyPart = review.bodyPart.isEmpty ? "(none)" : review.bodyPart
            byModality[modality, default: (0, 0)].series += 1
            byModality[modality, default: (0, 0)].files += review.files
            byBodyPart[bodyPart, default: (0, 0)].series += 1
            byBodyPart[bodyPart, default: (0, 0)].files += review.files
        }
    }

    // MARK: Page

    func top(
        digest: ManifestDigest, totals: Totals, summary: ReviewReport.Summary, table: DatasetTable
    ) -> (
        html: String, combinationsBelowK: Int
    ) {
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Veil review: \(escape(header.keyFingerprint))</title>
            <style>\(Self.css)</style>
            <script>addEventListener("beforeprint",()=>{for(const d of document.querySelectorAll("details"))d.open=true})</script>
            </head>
            <body>
            <a class="skip" href="#studies">Skip to the series</a>
            <header>
            <h1>Review of a de-identified dataset</h1>
            <p class="lede">Made by Veil \(escape(Veil.version)) from the manifest and the de-identified files only: \
            no original value, input path or original pixel appears on this page.</p>
            <nav aria-label="Sections"><a href="#run">Run</a> <a href="#risk">Residual risk</a> \
            <a href="#failures">Not written</a> <a href="#dataset">Dataset</a> <a href="#studies">Studies and series</a></nav>
            </header>
            <main>

            """
        html += run(summary: summary, totals: totals)
        html += risk(totals: totals, summary: summary)
        html += failures(digest)
        let (dataset, below) = self.dataset(totals: totals, table: table)
        html += dataset
        html += """
            <section id="studies" data-series="\(summary.series)" data-files="\(summary.files)">
            <h2>Studies and series</h2>
            <p>\(summary.series) series in \(Set(digest.series.values.map(\.study)).count) studies, \
            \(summary.files) files. Each series: its first, middle and last frame and a maximum intensity projection; \
            boxes masked by burned-in text cleaning are <span class="boxkey">outlined</span>; defaced heads are shown \
            from the front and the side.\(openStudies ? "" : " Open a study to see its series.")</p>

            """
        return (html, below)
    }

    func bottom() -> String {
        """
        </section>
        </main>
        <footer><p>Veil \(escape(Veil.version)), manifest version \(escape(header.version)). \
        Reason codes, warnings and figures: docs/manifest.md; the checks of the residual-risk section: \
        <code>veil verify</code> (docs/cli.md).</p></footer>
        </body>
        </html>

        """
    }

    // MARK: Sections

    private func run(summary: ReviewReport.Summary, totals: Totals) -> String {
        let counts = header.counts ?? ManifestRecord.Counts()
        let profile = header.profile
        var options = profile.options
        if let clean = profile.cleanPixelData { options.append("clean pixel data (\(clean))") }
        if profile.deface == true { options.append("deface") }
        if profile.acceptsBurnedInAnnotation { options.append("accept burned-in annotation") }
        let rows: [(String, String)] = [
            ("Tool", "Veil \(header.version) (DCMTK \(header.dcmtkVersion))"),
            ("Profile", "\(profile.standard), edition \(profile.edition)"),
            ("Options", options.isEmpty ? "none (Basic Profile)" : options.joined(separator: ", ")),
            ("Method codes (CID 7050)", profile.methodCodes.joined(separator: ", ")),
            ("Profile overrides", "\(profile.overrides)"),
            ("Mode", header.mode),
            (
                "Key fingerprint",
                header.keyFingerprint
                    + (header.ephemeralKey ? " (random key of this run: outputs cannot be linked)" : "")
            ),
            ("Started", header.startTime),
            ("Finished", header.endTime ?? "not finished"),
        ]
        var html = """
            <section id="run" data-inputs="\(counts.inputs)" data-written="\(counts.written)" \
            data-unchanged="\(counts.unchanged)" data-skipped="\(counts.skipped)" data-failed="\(counts.failed)">
            <h2>Run</h2>
            <div class="counts">
            \(tile("inputs", counts.inputs))\(tile("written", counts.written))\(tile("unchanged", counts.unchanged))\
            \(tile("skipped", counts.skipped))\(tile("failed", counts.failed, alert: counts.failed > 0))
            </div>
            <dl class="facts">

            """
        for (name, value) in rows { html += "<dt>\(escape(name))</dt><dd>\(escape(value))</dd>\n" }
        html += "</dl>\n"
        if totals.masked.boxes > 0 {
            html +=
                "<p>Burned-in text: \(totals.masked.boxes) boxes masked in \(totals.masked.files) files of "
                + "\(totals.masked.series) series.</p>\n"
        }
        if !totals.defaced.isEmpty {
            html += "<p>Defaced: \(totals.defaced.count) series; see each below for its self-check.</p>\n"
        }
        return html + "</section>\n"
    }

    private func tile(_ name: String, _ value: Int, alert: Bool = false) -> String {
        "<div class=\"count\(alert ? " alert" : "")\"><span class=\"n\">\(value)</span> \(name)</div>"
    }

    private func risk(totals: Totals, summary: ReviewReport.Summary) -> String {
        let clean = summary.findings == 0 && summary.unreadableFiles == 0
        var html = """
            <section id="risk" data-files-with-findings="\(summary.filesWithFindings)" \
            data-findings="\(summary.findings)" data-unreadable="\(summary.unreadableFiles)">
            <h2>Residual risk</h2>
            <p>The checks of <code>veil verify</code> on every written file: identifying attributes, private \
            attributes, free text, dates, markers, burned-in text, faces. Findings name attributes, never values.</p>
            <p class="\(clean ? "ok" : "warn")">\(summary.files) files checked: \
            \(clean ? "nothing found." : "\(summary.findings) findings in \(summary.filesWithFindings) files" + (summary.unreadableFiles > 0 ? ", \(summary.unreadableFiles) files unreadable." : "."))</p>

            """
        if !totals.byKind.isEmpty {
            html +=
                "<table><thead><tr><th>Finding</th><th>Files</th><th>Findings</th><th>Series</th></tr></thead><tbody>\n"
            for kind in totals.byKind.keys.sorted() {
                let entry = totals.byKind[kind]!
                let links = entry.series.prefix(Self.listedFiles).map { "<a href=\"#series-\($0)-findings\">\($0)</a>" }
                    .joined(separator: " ")
                html +=
                    "<tr data-kind=\"\(escape(kind))\"><td>\(escape(kind))</td><td>\(entry.files)</td><td>\(entry.findings)</td>"
                    + "<td>\(links)\(entry.series.count > Self.listedFiles ? " …" : "")</td></tr>\n"
            }
            html += "</tbody></table>\n"
        }
        return html + "</section>\n"
    }

    private func failures(_ digest: ManifestDigest) -> String {
        let failed = digest.reasons.values.filter { $0.status == "failed" }.reduce(0) { $0 + $1.count }
        let skipped = digest.reasons.values.filter { $0.status != "failed" }.reduce(0) { $0 + $1.count }
        var html = """
            <section id="failures" data-failed="\(failed)" data-skipped="\(skipped)">
            <h2>Inputs not written</h2>
            <p>\(failed) failed (nothing was written for them; with <code>--quarantine</code> a copy of each is kept \
            there under its id) and \(skipped) skipped on purpose, by reason code \
            (docs/manifest.md). Inputs are named by their keyed id, as in the manifest.</p>

            """
        // Failed first ("failed/…" sorts before "skipped/…"), then by code.
        let order = digest.reasons.keys.sorted()
        for key in order {
            let reason = digest.reasons[key]!
            let code = reason.code
            let shown = reason.inputs.prefix(Self.listedFiles * 4)
            html += """
                <details class="reason \(reason.status)" data-status="\(reason.status)" data-reason="\(escape(code))" data-count="\(reason.count)">
                <summary><code>\(escape(code))</code> \(escape(reason.status)): \(reason.count)</summary>
                <ul class="ids">\(shown.map { "<li><code>\(escape($0))</code></li>" }.joined())</ul>\
                \(reason.count > shown.count ? "<p>and \(reason.count - shown.count) more (see the manifest)</p>" : "")
                </details>

                """
        }
        if order.isEmpty { html += "<p class=\"ok\">Every input was written.</p>\n" }
        return html + "</section>\n"
    }

    private func dataset(totals: Totals, table: DatasetTable) -> (String, Int) {
        var html = "<section id=\"dataset\">\n<h2>Dataset</h2>\n<div class=\"charts\">\n"
        html += bars("Files by modality", totals.byModality, id: "modality")
        html += bars("Files by body part", totals.byBodyPart, id: "body-part")
        html += "</div>\n"
        // Combinations of the quasi-identifiers kept, with the patients who share each.
        var groups: [[String]: (patients: Set<String>, series: Int)] = [:]
        for row in table.rows {
            let key = [row.ageBin, row.sex, row.year, row.modality, row.institution]
            groups[key, default: ([], 0)].patients.insert(row.patientPseudonym)
            groups[key, default: ([], 0)].series += 1
        }
        let ordered = groups.keys.sorted { a, b in
            (groups[a]!.patients.count, a.joined(separator: "\u{1}")) < (
                groups[b]!.patients.count, b.joined(separator: "\u{1}")
            )
        }
        let below = ordered.filter { groups[$0]!.patients.count < k }.count
        html += """
            <h3 id="k-anonymity">k-anonymity (k = \(k))</h3>
            <p class="\(below == 0 ? "ok" : "warn")" data-below-k="\(below)" data-combinations="\(ordered.count)">\
            \(counted(ordered.count, "combination")) of the quasi-identifiers kept (age bin, sex, shifted year, modality, \
            institution); \(below) shared by fewer than \(k) patients (highlighted): anyone who knows those facts of \
            a patient could single out their series.</p>
            <table class="kanon"><thead><tr><th>Age bin</th><th>Sex</th><th>Year</th><th>Modality</th>\
            <th>Institution</th><th>Patients</th><th>Series</th></tr></thead><tbody>

            """
        for key in ordered.prefix(Self.listedFiles * 10) {
            let group = groups[key]!
            let low = group.patients.count < k
            html += "<tr\(low ? " class=\"below\"" : "")>"
            html += key.map { "<td>\($0.isEmpty ? "—" : escape($0))</td>" }.joined()
            html +=
                "<td>\(group.patients.count)\(low ? " <span class=\"flag\">below k</span>" : "")</td><td>\(group.series)</td></tr>\n"
        }
        html += "</tbody></table>\n"
        if ordered.count > Self.listedFiles * 10 {
            html +=
                "<p>and \(ordered.count - Self.listedFiles * 10) more combinations, each shared by more patients.</p>\n"
        }
        return (html + "</section>\n", below)
    }

    private func bars(_ title: String, _ counts: [String: (series: Int, files: Int)], id: String) -> String {
        let most = max(1, counts.values.map(\.files).max() ?? 1)
        var html = "<figure class=\"bars\" id=\"\(id)\"><figcaption>\(escape(title))</figcaption><table>\n"
        for name in counts.keys.sorted(by: { (counts[$1]!.files, $0) < (counts[$0]!.files, $1) }) {
            let entry = counts[name]!
            let width = Double(entry.files) / Double(most) * 100
            html +=
                "<tr data-name=\"\(escape(name))\" data-files=\"\(entry.files)\"><th>\(escape(name))</th>"
                + "<td class=\"barcell\"><span class=\"bar\" style=\"width:\(String(format: "%.1f", width))%\"></span></td>"
                + "<td>\(counted(entry.files, "file")), \(entry.series) series</td></tr>\n"
        }
        return html + "</table></figure>\n"
    }

    // MARK: Studies and series

    func studyStart(_ study: String, series: Int, files: Int) -> String {
        """
        <details class="study"\(openStudies ? " open" : "") data-study="\(escape(study))">
        <summary>Study <code>\(escape(study))</code> · \(series) series · \(counted(files, "file"))</summary>

        """
    }

    func studyEnd() -> String { "</details>\n" }

    func series(_ review: SeriesReview, number: Int) -> String {
        var facts: [(String, String)] = [
            ("Series", review.series.isEmpty ? "—" : review.series),
            ("Patient pseudonym", review.patient.isEmpty ? "—" : review.patient),
            ("Modality", review.modality.isEmpty ? "—" : review.modality),
            ("Body part", review.bodyPart.isEmpty ? "—" : review.bodyPart),
            ("Files", "\(review.files)"),
        ]
        if !review.dimensions.isEmpty { facts.append(("Dimensions", review.dimensions)) }
        if !review.spacing.isEmpty { facts.append(("Spacing", review.spacing)) }
        if review.maskedBoxes > 0 {
            facts.append(
                (
                    "Burned-in text",
                    "\(counted(review.maskedBoxes, "box", "boxes")) masked in \(counted(review.maskedFiles, "file"))"
                ))
        }
        let findings = review.findings.reduce(0) { $0 + $1.findings.count }
        var html = """
            <article class="series" id="series-\(number)" data-series="\(escape(review.series))" \
            data-modality="\(escape(review.modality))" data-files="\(review.files)" data-masked-boxes="\(review.maskedBoxes)" \
            data-defaced="\(review.defacing != nil ? "yes" : "no")" data-findings="\(findings)">
            <h3><span class="num">\(number)</span> \(escape(review.modality.isEmpty ? "Series" : review.modality)) \
            \(escape(review.bodyPart)) <span class="status \(findings + review.unreadableFiles == 0 ? "ok" : "warn")">\
            \(findings + review.unreadableFiles == 0 ? "no findings" : "<a href=\"#series-\(number)-findings\">\(counted(findings, "finding"))</a>")</span></h3>
            <div class="layout"><dl class="facts">\(facts.map { "<dt>\(escape($0.0))</dt><dd>\(escape($0.1))</dd>" }.joined())</dl>

            """
        if !review.strip.isEmpty {
            html += "<div class=\"strip\">" + review.strip.map { figure($0, kind: "frame") }.joined() + "</div>"
        } else if let reason = review.noPictures {
            html += "<p class=\"note\">No pictures: \(escape(reason)).</p>"
        }
        html += "</div>\n"
        if let defacing = review.defacing {
            let limits = Defacer()
            let share = defacing.faceRays > 0 ? Double(defacing.raysStillOnSkin) / Double(defacing.faceRays) : 0
            let passed = share <= limits.maximumVisibleFraction
            html += """
                <div class="deface">
                <h4>Defacing self-check</h4>
                <div class="strip">\(review.surfaces.map { figure($0, kind: "surface") }.joined())</div>
                <dl class="facts" data-face-rays="\(defacing.faceRays)" data-still-on-skin="\(defacing.raysStillOnSkin)">\
                <dt>Frontal rays on facial skin before</dt><dd>\(defacing.faceRays)</dd>\
                <dt>Still on skin after</dt><dd class="\(passed ? "ok" : "warn")">\(defacing.raysStillOnSkin) \
                (\(percent(share)); at most \(percent(limits.maximumVisibleFraction)) allowed)</dd>\
                <dt>Atlas fit (RMS)</dt><dd>\(String(format: "%.1f", defacing.registrationRMS)) mm \
                (at most \(String(format: "%.0f", limits.maximumRMS)) mm allowed)</dd>\
                <dt>Atlas skin points that fit</dt><dd>\(percent(defacing.inlierFraction)) \
                (at least \(percent(limits.minimumInlierFraction)) required)</dd>\
                <dt>Subject's brain estimate</dt><dd>\(defacing.brainVolume) ml \
                \(defacing.protection > 0 ? "(nothing within \(defacing.protection) mm of it removed)" : "")</dd>\
                <dt>Renderings with a face (dlib)</dt><dd>\(defacing.viewsWithFaceBefore) of 3 before, \
                \(defacing.viewsWithFaceAfter) of 3 after</dd>\
                <dt>Voxels set to background</dt><dd>\(defacing.changedVoxels) in \(defacing.files) files</dd>\
                \(defacing.volumeWarnings.isEmpty ? "" : "<dt>Geometry</dt><dd>\(escape(defacing.volumeWarnings.joined(separator: ", ")))</dd>")</dl>
                </div>

                """
        }
        if !review.findings.isEmpty || review.unreadableFiles > 0 {
            html += "<div class=\"findings\" id=\"series-\(number)-findings\"><h4>Residual-risk findings</h4>\n"
            if review.unreadableFiles > 0 {
                html += "<p class=\"warn\">\(review.unreadableFiles) files could not be read.</p>\n"
            }
            html += "<ul>"
            for (file, list) in review.findings.prefix(Self.listedFiles) {
                html += "<li><code>\(escape(file))</code><ul>"
                html += list.map {
                    "<li><code>\(escape($0.kind.rawValue))</code> \($0.path.isEmpty ? "" : "<code>\(escape($0.path))</code> ")\(escape($0.message))</li>"
                }.joined()
                html += "</ul></li>"
            }
            html += "</ul>"
            if review.findings.count > Self.listedFiles {
                html += "<p>and \(review.findings.count - Self.listedFiles) more files with findings.</p>"
            }
            html += "</div>\n"
        }
        return html + "</article>\n"
    }

    private func figure(_ thumbnail: Thumbnail, kind: String) -> String {
        let boxes = thumbnail.boxes.map { box in
            "<rect x=\"\(box.x0)\" y=\"\(box.y0)\" width=\"\(max(1, box.x1 - box.x0))\" height=\"\(max(1, box.y1 - box.y0))\"/>"
        }.joined()
        let overlay =
            boxes.isEmpty
            ? ""
            : "<svg class=\"boxes\" viewBox=\"0 0 \(thumbnail.width) \(thumbnail.height)\" aria-hidden=\"true\">\(boxes)</svg>"
        // Small images are drawn larger, by a whole factor, so that a 64-pixel slice can be seen.
        let zoom = max(1, Thumbnail.side / max(thumbnail.width, thumbnail.height))
        let (width, height) = (thumbnail.width * zoom, thumbnail.height * zoom)
        return """
            <figure class="\(kind)" data-boxes="\(thumbnail.boxes.count)"><div class="pic" style="width:\(width)px">\
            <img src="data:image/png;base64,\(Data(thumbnail.png).base64EncodedString())" width="\(width)" \
            height="\(height)" alt="\(escape(thumbnail.caption))" loading="lazy">\(overlay)</div>\
            <figcaption>\(escape(thumbnail.caption))\(thumbnail.boxes.isEmpty ? "" : ", \(counted(thumbnail.boxes.count, "masked box", "masked boxes"))")</figcaption></figure>
            """
    }

    // MARK: Style

    static let css = """
        :root{color-scheme:light;--ink:#1d2330;--muted:#5b6475;--line:#d8dde6;--bg:#f6f7f9;--ok:#1f7a3a;
        --warn:#b3261e;--box:#ff2d55}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
        color:var(--ink);background:var(--bg)}
        header,main,footer{max-width:1180px;margin:0 auto;padding:0 20px}
        header{padding-top:18px}
        h1{font-size:26px;margin:8px 0 4px}
        h2{font-size:20px;margin:0 0 10px;border-bottom:2px solid var(--line);padding-bottom:4px}
        h3{font-size:16px;margin:0 0 6px}
        h4{font-size:14px;margin:10px 0 6px}
        .lede{color:var(--muted);margin:0 0 8px}
        nav a{margin-right:14px}
        a{color:#1456b8}
        a:focus-visible,summary:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
        .skip{position:absolute;left:-9999px}
        .skip:focus{left:12px;top:8px;background:#fff;padding:6px 10px;z-index:2}
        section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:14px 0}
        .counts{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:10px}
        .count{border:1px solid var(--line);border-radius:6px;padding:6px 14px;min-width:110px;color:var(--muted)}
        .count .n{display:block;font-size:24px;font-weight:600;color:var(--ink)}
        .count.alert .n{color:var(--warn)}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}
        dt{color:var(--muted)}
        dd{margin:0;overflow-wrap:anywhere}
        code{font:13px ui-monospace,"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
        table{border-collapse:collapse;margin:6px 0}
        th,td{border-bottom:1px solid var(--line);padding:3px 10px 3px 0;text-align:left;vertical-align:top}
        .ok{color:var(--ok)}
        .warn{color:var(--warn);font-weight:600}
        .note{color:var(--muted)}
        details.reason{border-top:1px solid var(--line);padding:4px 0}
        details.reason.failed summary code{color:var(--warn)}
        summary{cursor:pointer;padding:2px 0}
        ul.ids{columns:3 22em;margin:6px 0;padding-left:18px}
        .charts{display:flex;flex-wrap:wrap;gap:30px}
        figure{margin:0}
        figure.bars figcaption{font-weight:600;margin-bottom:4px}
        .barcell{width:220px}
        .bar{display:inline-block;height:12px;background:#4a78c2;border-radius:2px;min-width:2px}
        tr.below td{background:#fde8e6}
        .flag{color:var(--warn);font-size:12px;font-weight:600}
        details.study{border:1px solid var(--line);border-radius:6px;margin:10px 0;padding:6px 12px}
        details.study>summary{font-weight:600}
        article.series{border-top:1px solid var(--line);padding:10px 0}
        .num{display:inline-block;min-width:28px;color:var(--muted)}
        .status{font-size:13px;font-weight:400;margin-left:8px}
        .layout{display:grid;grid-template-columns:minmax(280px,400px) 1fr;gap:6px 18px;align-items:start}
        .layout dl.facts{margin:0}
        .strip{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}
        .pic{position:relative;line-height:0;background:#000}
        .pic img{display:block;image-rendering:pixelated}
        .pic svg.boxes{position:absolute;inset:0;width:100%;height:100%}
        .pic svg.boxes rect{fill:none;stroke:var(--box);stroke-width:2;vector-effect:non-scaling-stroke}
        .boxkey{outline:2px solid var(--box);padding:0 3px}
        figure.frame,figure.surface{max-width:192px}
        figure.frame figcaption,figure.surface figcaption{font-size:12px;color:var(--muted)}
        .deface{background:var(--bg);border-radius:6px;padding:4px 12px 8px;margin-top:8px}
        footer{color:var(--muted);font-size:13px;padding-bottom:30px}
        @media print{body{background:#fff;font-size:11px}.layout{grid-template-columns:1fr}section{border:none;
        padding:0;break-inside:auto}
        nav,.skip{display:none}article.series{break-inside:avoid}a{color:inherit;text-decoration:none}}
        """
}

/// "1 file", "2 files".
func counted(_ count: Int, _ one: String, _ many: String? = nil) -> String {
    "\(count) " + (count == 1 ? one : many ?? one + "s")
}

func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

/// Text for HTML content and attribute values.
func escape(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
        switch character {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "'": result += "&#39;"
        default:
            if character.value < 0x20 && character != "\n" {
                result += "\u{FFFD}"
            } else {
                result.unicodeScalars.append(character)
            }
        }
    }
    return result
}
