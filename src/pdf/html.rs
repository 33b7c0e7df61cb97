//! The same [`super::Document`] as HTML: a fragment for the web page of the annual quality report,
//! and a whole page with print CSS (page numbers, repeated table headers) for comparison with the
//! HTML-to-PDF tools peers use (benches).
//!
//! Everything a document holds is text from the database, so every piece is escaped here. The
//! markup carries classes only, never a `style` attribute: the pages' Content-Security-Policy
//! forbids inline styles (SVG presentation attributes, as in `templates/quality/chart.html`, are
//! not styles and are allowed).

use std::collections::HashMap;
use std::fmt::Write;

use super::model::{Badge, Block, Chart, ChartKind, Document, Span, Table, Tone};

/// The body of `document` as HTML to put inside a page that already has its own `<h1>`: the cover
/// as a header, the contents as a list of links, headings one level below the page's (a level 1
/// heading is an `<h2>`) with ids from their anchors, paragraphs, facts as `<dl>`, tables with
/// `<thead>`, badges as words with a class per tone, charts as inline SVG, and a page reference as
/// a link to what it names.
pub fn fragment(document: &Document) -> String {
    let ids = heading_ids(document);
    let titles = anchor_titles(document);
    let mut out = String::with_capacity(4096 + (document.blocks.len() + document.closing.len()) * 256);
    if let Some(cover) = &document.cover {
        out.push_str("<header class=\"doc-cover\">\n<p class=\"doc-cover__title\">");
        out.push_str(&escape(&cover.title));
        out.push_str("</p>\n");
        if !cover.subtitle.is_empty() {
            let _ = writeln!(out, "<p class=\"doc-cover__subtitle\">{}</p>", escape(&cover.subtitle));
        }
        facts(&mut out, &cover.facts, &titles);
        out.push_str("</header>\n");
    }
    if document.contents {
        contents(&mut out, document, &ids);
    }
    // In the PDF's order: the body, the merged documents (here a list, so page references have a
    // target), then the closing blocks. The body names the appendices' section itself.
    let mut heading = 0;
    for block in &document.blocks {
        write_block(&mut out, block, &ids, &mut heading, &titles);
    }
    if !document.appendices.is_empty() {
        out.push_str("<ul class=\"doc-appendices\" aria-label=\"Documents merged into the PDF\">\n");
        for appendix in &document.appendices {
            let _ = writeln!(
                out,
                "<li id=\"{}\">{} <span class=\"doc-muted\">({}, merged into the PDF)</span></li>",
                escape(&appendix.anchor),
                escape(&appendix.title),
                crate::words::counted(appendix.pdf.pages as usize, "page", "pages")
            );
        }
        out.push_str("</ul>\n");
    }
    for block in &document.closing {
        write_block(&mut out, block, &ids, &mut heading, &titles);
    }
    out
}

/// One block of the body or the closing, its heading numbered on from `heading`.
fn write_block(out: &mut String, block: &Block, ids: &[String], heading: &mut usize, titles: &HashMap<&str, &str>) {
    match block {
        Block::Heading { level, text, .. } => {
            let level = (*level).clamp(1, 3) + 1;
            let id = ids.get(*heading).map(String::as_str).unwrap_or_default();
            *heading += 1;
            let _ = writeln!(
                out,
                "<h{level} id=\"{}\" class=\"doc-heading doc-heading--{}\">{}</h{level}>",
                escape(id),
                level - 1,
                escape(text)
            );
        }
        Block::Paragraph(paragraph) => {
            out.push_str(if paragraph.muted { "<p class=\"doc-muted\">" } else { "<p>" });
            spans(out, &paragraph.spans, titles);
            out.push_str("</p>\n");
        }
        Block::Facts(pairs) => facts(out, pairs, titles),
        Block::Table(table) => self::table(out, table, titles),
        Block::Chart(chart) => self::chart(out, chart),
        Block::PageBreak => out.push_str("<div class=\"doc-page-break\"></div>\n"),
    }
}

/// `document` as a whole standalone HTML page for printing to PDF by an HTML renderer (WeasyPrint,
/// Chromium): the [`fragment`] with print CSS in a `<style>` element: A4 pages with the running
/// header and "Page n of N" in the margin boxes, table headers repeated on each page, the contents'
/// page numbers from `target-counter`, and each level 1 heading on a new page. The benchmarks time
/// it against ohgov's own renderer; it is never served to a browser (the CSP would refuse the
/// `<style>` element).
pub fn print_page(document: &Document) -> String {
    let body = fragment(document);
    let mut out = String::with_capacity(body.len() + 4096);
    out.push_str("<!DOCTYPE html>\n<html lang=\"");
    out.push_str(&escape(&document.language));
    out.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    out.push_str(&escape(&document.title));
    out.push_str("</title>\n");
    let _ = writeln!(out, "<meta name=\"author\" content=\"{}\">", escape(&document.author));
    let _ = writeln!(out, "<meta name=\"description\" content=\"{}\">", escape(&document.subject));
    let _ =
        writeln!(out, "<meta name=\"dcterms.created\" content=\"{}\">", document.created.format("%Y-%m-%dT%H:%M:%SZ"));
    out.push_str("<style>\n");
    out.push_str(&print_css(document));
    out.push_str("</style>\n</head>\n<body>\n");
    out.push_str(&body);
    out.push_str("</body>\n</html>\n");
    out
}

/// The print CSS. The running header and footer texts are CSS strings, escaped as such.
fn print_css(document: &Document) -> String {
    let header = css_string(&document.header);
    let title = css_string(&document.title);
    let footer = css_string(&document.footer);
    format!(
        r#"@page {{
  size: A4;
  margin: 22mm 18mm 20mm 18mm;
  @top-left {{ content: {header}; font-size: 8pt; color: #4c6272; }}
  @top-right {{ content: {title}; font-size: 8pt; color: #4c6272; }}
  @bottom-left {{ content: {footer}; font-size: 8pt; color: #4c6272; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #4c6272; }}
}}
@page :first {{
  @top-left {{ content: none; }}
  @top-right {{ content: none; }}
  @bottom-left {{ content: none; }}
  @bottom-right {{ content: none; }}
}}
html {{ font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #212b32; }}
body {{ margin: 0; }}
.doc-cover {{ page-break-after: always; break-after: page; padding-top: 60mm; }}
.doc-cover__title {{ font-size: 24pt; font-weight: bold; margin: 0 0 4mm; }}
.doc-cover__subtitle {{ font-size: 14pt; color: #4c6272; margin: 0 0 10mm; }}
.doc-contents {{ break-after: page; page-break-after: always; }}
.doc-contents ol {{ list-style: none; padding: 0; }}
.doc-contents ol ol {{ padding-left: 6mm; }}
.doc-contents a {{ color: inherit; text-decoration: none; }}
.doc-contents a::after {{ content: leader('.') target-counter(attr(href), page); }}
h2.doc-heading--1 {{ break-before: page; page-break-before: always; font-size: 16pt; }}
.doc-heading {{ break-after: avoid; page-break-after: avoid; }}
h3 {{ font-size: 13pt; }}
h4 {{ font-size: 11pt; }}
p {{ orphans: 2; widows: 2; }}
.doc-muted {{ color: #4c6272; font-size: 9pt; }}
.doc-mono {{ font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }}
.doc-facts {{ display: grid; grid-template-columns: 45mm 1fr; gap: 1mm 4mm; margin: 0 0 4mm; }}
.doc-facts dt {{ font-weight: bold; }}
.doc-facts dd {{ margin: 0; }}
table.table {{ width: 100%; border-collapse: collapse; margin: 0 0 4mm; }}
table.table thead {{ display: table-header-group; }}
table.table tr {{ break-inside: avoid; page-break-inside: avoid; }}
table.table th, table.table td {{ border-bottom: 0.5pt solid #d8dde0; padding: 1.5mm; text-align: left; vertical-align: top; }}
table.table th {{ background: #f0f4f5; }}
.tag {{ display: inline-block; padding: 0 1.5mm; border-radius: 1mm; font-weight: bold; font-size: 8.5pt; }}
.tag--good {{ background: #e6f4ea; color: #005a30; }}
.tag--warning {{ background: #fff9c4; color: #594d00; }}
.tag--bad {{ background: #fde8e6; color: #8a1538; }}
.tag--neutral {{ background: #f0f4f5; color: #212b32; }}
.doc-chart {{ break-inside: avoid; page-break-inside: avoid; margin: 0 0 4mm; }}
.doc-chart svg {{ width: 100%; height: auto; }}
.doc-page-of .doc-page-of__title {{ display: none; }}
.doc-page-of::after {{ content: target-counter(attr(href), page); }}
.doc-page-break {{ break-after: page; page-break-after: always; }}
"#
    )
}

/// One id per heading, in order: the anchor where it has one, otherwise `section-N`, made unique.
fn heading_ids(document: &Document) -> Vec<String> {
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut ids = Vec::new();
    for block in document.all_blocks() {
        if let Block::Heading { anchor, .. } = block {
            let wanted = anchor.clone().unwrap_or_else(|| format!("section-{}", ids.len() + 1));
            let seen = taken.entry(wanted.clone()).or_insert(0);
            *seen += 1;
            ids.push(if *seen == 1 { wanted } else { format!("{wanted}-{seen}") });
        }
    }
    ids
}

/// What each anchor names (a heading's or an appendix's title), for the words of a page reference's
/// link.
fn anchor_titles(document: &Document) -> HashMap<&str, &str> {
    let mut titles = HashMap::new();
    for block in document.all_blocks() {
        if let Block::Heading { text, anchor: Some(anchor), .. } = block {
            titles.entry(anchor.as_str()).or_insert(text.as_str());
        }
    }
    for appendix in &document.appendices {
        titles.entry(appendix.anchor.as_str()).or_insert(appendix.title.as_str());
    }
    titles
}

fn contents(out: &mut String, document: &Document, ids: &[String]) {
    out.push_str("<nav class=\"doc-contents\" aria-labelledby=\"doc-contents-title\">\n<h2 id=\"doc-contents-title\">Contents</h2>\n<ol>\n");
    // A level 2 heading is listed inside its level 1 heading's item, so the main list numbers
    // only the sections (1, 2, 3), as a reader counts them.
    let mut item_open = false;
    let mut sub_open = false;
    let mut heading = 0;
    for block in document.all_blocks() {
        let Block::Heading { level, text, .. } = block else { continue };
        let id = ids.get(heading).map(String::as_str).unwrap_or_default();
        heading += 1;
        let link = format!("<a href=\"#{}\">{}</a>", escape(id), escape(text));
        match level {
            1 => {
                if sub_open {
                    out.push_str("</ol>");
                    sub_open = false;
                }
                if item_open {
                    out.push_str("</li>\n");
                }
                let _ = write!(out, "<li class=\"doc-contents__main\">{link}");
                item_open = true;
            }
            2 => {
                if !sub_open {
                    out.push_str(if item_open { "\n<ol>\n" } else { "<li>\n<ol>\n" });
                    item_open = true;
                    sub_open = true;
                }
                let _ = writeln!(out, "<li class=\"doc-contents__sub\">{link}</li>");
            }
            _ => {}
        }
    }
    if sub_open {
        out.push_str("</ol>");
    }
    if item_open {
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n</nav>\n");
}

fn facts(out: &mut String, pairs: &[(String, Vec<Span>)], titles: &HashMap<&str, &str>) {
    out.push_str("<dl class=\"doc-facts\">\n");
    for (label, value) in pairs {
        out.push_str("<dt>");
        out.push_str(&escape(label));
        out.push_str("</dt><dd>");
        spans(out, value, titles);
        out.push_str("</dd>\n");
    }
    out.push_str("</dl>\n");
}

fn table(out: &mut String, table: &Table, titles: &HashMap<&str, &str>) {
    out.push_str("<table class=\"table\">\n<thead><tr>");
    for column in &table.columns {
        out.push_str("<th scope=\"col\">");
        out.push_str(&escape(&column.title));
        out.push_str("</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str("<td>");
            spans(out, cell, titles);
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn spans(out: &mut String, spans: &[Span], titles: &HashMap<&str, &str>) {
    for span in spans {
        match span {
            Span::Text(text) => out.push_str(&escape(text)),
            Span::Bold(text) => {
                out.push_str("<strong>");
                out.push_str(&escape(text));
                out.push_str("</strong>");
            }
            Span::Mono(text) => {
                out.push_str("<code class=\"doc-mono\">");
                out.push_str(&escape(text));
                out.push_str("</code>");
            }
            Span::Badge(badge) => self::badge(out, badge),
            Span::PageOf(anchor) => {
                let title = titles.get(anchor.as_str()).copied().unwrap_or("the section");
                let _ = write!(
                    out,
                    "<a class=\"doc-page-of\" href=\"#{}\"><span class=\"doc-page-of__title\">{}</span></a>",
                    escape(anchor),
                    escape(title)
                );
            }
            Span::Break => out.push_str("<br>"),
        }
    }
}

fn badge(out: &mut String, badge: &Badge) {
    let tone = match badge.tone {
        Tone::Good => "good",
        Tone::Warning => "warning",
        Tone::Bad => "bad",
        Tone::Neutral => "neutral",
    };
    let _ = write!(out, "<strong class=\"tag tag--{tone}\">{}</strong>", escape(&badge.text));
}

/// The chart as inline SVG, from the same geometry as the KPI page's (`templates/quality/chart.html`):
/// gridlines with their labels, the period labels, the target line, and the points joined by a line
/// or drawn as bars. Its summary is its title, and the role and label say it is a picture.
fn chart(out: &mut String, chart: &Chart) {
    let c = &chart.drawing;
    let summary = escape(&c.summary);
    let _ = writeln!(
        out,
        "<figure class=\"kpi-chart doc-chart\">\n<svg class=\"kpi-chart__svg\" viewBox=\"0 0 {} {}\" width=\"100%\" role=\"img\" aria-label=\"{summary}\" preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\">\n<title>{summary}</title>",
        c.width, c.height
    );
    out.push_str("<g class=\"kpi-chart__grid\">\n");
    for tick in &c.ticks {
        let _ = writeln!(
            out,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#d8dde0\" stroke-width=\"1\"/><text class=\"kpi-chart__label doc-chart__label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            c.left,
            c.right,
            c.left - 8.0,
            tick.y + 4.0,
            escape(&tick.label),
            y = tick.y,
        );
    }
    out.push_str("</g>\n<g class=\"kpi-chart__axis\">\n");
    let _ = writeln!(
        out,
        "<line x1=\"{}\" x2=\"{}\" y1=\"{b}\" y2=\"{b}\" stroke=\"#4c6272\" stroke-width=\"1\"/>",
        c.left,
        c.right,
        b = c.bottom
    );
    for (x, label) in &c.x_labels {
        let _ = writeln!(
            out,
            "<text class=\"kpi-chart__label doc-chart__label\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            c.bottom + 22.0,
            escape(label)
        );
    }
    out.push_str("</g>\n");
    match chart.kind {
        ChartKind::Line => {
            if c.points.len() > 1 {
                let _ = writeln!(
                    out,
                    "<polyline class=\"kpi-chart__line\" points=\"{}\" fill=\"none\" stroke=\"#005eb8\" stroke-width=\"2\"/>",
                    escape(&c.line)
                );
            }
            for p in &c.points {
                let _ = writeln!(
                    out,
                    "<circle class=\"kpi-chart__point{}\" cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\" stroke=\"#005eb8\" stroke-width=\"2\"><title>{}: {}{}</title></circle>",
                    if p.met { "" } else { " kpi-chart__point--missed" },
                    p.x,
                    p.y,
                    if p.met { "#005eb8" } else { "#ffffff" },
                    escape(&p.label),
                    escape(&p.value),
                    if p.met { "" } else { ", missed" }
                );
            }
        }
        ChartKind::Bar => {
            let width = bar_width(c);
            for p in &c.points {
                let _ = writeln!(
                    out,
                    "<rect class=\"doc-chart__bar\" x=\"{:.2}\" y=\"{}\" width=\"{width:.2}\" height=\"{:.2}\" fill=\"{}\" stroke=\"#005eb8\" stroke-width=\"1\"><title>{}: {}</title></rect>",
                    p.x - width / 2.0,
                    p.y,
                    (c.bottom - p.y).max(0.0),
                    if p.met { "#005eb8" } else { "#ffffff" },
                    escape(&p.label),
                    escape(&p.value)
                );
            }
        }
    }
    if c.target_y.is_finite() && !c.target_label.is_empty() {
        let _ = writeln!(
            out,
            "<line class=\"kpi-chart__target\" x1=\"{}\" x2=\"{}\" y1=\"{t}\" y2=\"{t}\" stroke=\"#d5281b\" stroke-width=\"2\" stroke-dasharray=\"8 4\"/><text class=\"kpi-chart__label doc-chart__label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">Target {}</text>",
            c.left,
            c.right,
            c.right,
            c.target_y - 6.0,
            escape(&c.target_label),
            t = c.target_y
        );
    }
    let _ = writeln!(out, "</svg>\n<figcaption class=\"meta\">{summary}</figcaption>\n</figure>");
}

/// Bars share the plot's width, with a gap between them.
fn bar_width(c: &crate::quality::chart::Chart) -> f64 {
    let n = c.points.len().max(1) as f64;
    ((c.right - c.left) / n * 0.6).clamp(4.0, 80.0)
}

/// Text escaped for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Text as a CSS string literal: quoted, with quotes, backslashes, line breaks and anything that
/// could close the `<style>` element escaped.
fn css_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' | '\\' | '<' | '>' | '&' => {
                let _ = write!(out, "\\{:x} ", c as u32);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::pdf::model::{Appendix, Column, Cover, Paragraph};

    fn document(title: &str, blocks: Vec<Block>) -> Document {
        Document {
            title: title.to_string(),
            author: "Northshire OH Service".into(),
            subject: "A test".into(),
            language: "en-GB".into(),
            created: NaiveDate::from_ymd_opt(2026, 12, 1).and_then(|d| d.and_hms_opt(9, 30, 0)).unwrap(),
            header: "Northshire OH Service".into(),
            footer: "Trail head 12:abcdef".into(),
            cover: None,
            contents: false,
            blocks,
            appendices: vec![],
            closing: Vec::new(),
        }
    }

    #[test]
    fn a_title_or_words_holding_markup_are_shown_as_text_never_run() {
        let evil = "Report <script>alert('x')</script> & \"more\"";
        let mut doc = document(
            evil,
            vec![
                Block::Heading { level: 1, text: evil.into(), anchor: Some("a\"><script>".into()) },
                Paragraph::text(evil),
                Block::Facts(vec![(evil.into(), vec![Span::Bold(evil.into())])]),
                Block::Table(Table {
                    columns: vec![Column { title: evil.into(), width: 1.0 }],
                    rows: vec![vec![vec![Span::Badge(Badge { text: evil.into(), tone: Tone::Bad })]]],
                }),
            ],
        );
        doc.header = "</style><script>x</script>".into();
        doc.cover = Some(Cover { title: evil.into(), subtitle: evil.into(), facts: vec![] });
        for html in [fragment(&doc), print_page(&doc)] {
            assert!(!html.contains("<script>"), "{html}");
            assert!(!html.contains("</style><"), "the header cannot close the style element");
            assert!(html.contains("Report &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;"));
            assert!(!html.contains(" style=\""), "no inline style attribute: the CSP forbids them");
        }
    }

    #[test]
    fn merged_documents_are_listed_between_the_body_and_the_closing_with_no_second_heading() {
        let attached = crate::pdf::render(&document("Terms", vec![Paragraph::text("Terms of reference")])).unwrap();
        let mut doc = document(
            "Pack",
            vec![
                Block::Heading { level: 1, text: "Appendices".into(), anchor: Some("appendices".into()) },
                Paragraph::text("The attached documents follow."),
            ],
        );
        doc.appendices = vec![Appendix {
            title: "Terms of reference".into(),
            under: vec![],
            anchor: "appendix-7".into(),
            pdf: crate::pdf::merge::read(&attached).unwrap(),
        }];
        doc.closing = vec![Block::Heading { level: 1, text: "Manifest".into(), anchor: Some("manifest".into()) }];
        let html = fragment(&doc);
        assert_eq!(html.matches("id=\"appendices\"").count(), 1, "one section of that name: {html}");
        let (list, manifest) = (html.find("id=\"appendix-7\"").unwrap(), html.find("id=\"manifest\"").unwrap());
        assert!(html.find("The attached documents follow").unwrap() < list && list < manifest, "{html}");
    }

    #[test]
    fn headings_take_their_anchors_as_ids_and_a_page_reference_links_to_them() {
        let mut doc = document(
            "Pack",
            vec![
                Block::Heading { level: 1, text: "Summary".into(), anchor: None },
                Block::Heading { level: 2, text: "GF4 Governance".into(), anchor: Some("gf4".into()) },
                Block::Heading { level: 3, text: "Evidence".into(), anchor: None },
                Block::Paragraph(Paragraph {
                    spans: vec![Span::Text("see p. ".into()), Span::PageOf("gf4".into())],
                    muted: true,
                }),
            ],
        );
        doc.contents = true;
        let html = fragment(&doc);
        assert!(html.contains("<h2 id=\"section-1\" class=\"doc-heading doc-heading--1\">Summary</h2>"), "{html}");
        assert!(html.contains("<h3 id=\"gf4\""), "{html}");
        assert!(html.contains("<h4 id=\"section-3\""), "{html}");
        assert!(html.contains(
            "<a class=\"doc-page-of\" href=\"#gf4\"><span class=\"doc-page-of__title\">GF4 Governance</span></a>"
        ));
        assert!(html.contains("<p class=\"doc-muted\">"));
        let contents = &html[html.find("<nav").unwrap()..html.find("</nav>").unwrap()];
        assert!(contents.contains("href=\"#gf4\""));
        assert!(!contents.contains("Evidence"), "level 3 headings are not in the contents");
        // The level 2 entries sit in a list inside their section's item, so sections number 1, 2, 3.
        assert_eq!(contents.matches("<ol>").count(), contents.matches("</ol>").count());
        assert_eq!(contents.matches("<li").count(), contents.matches("</li>").count());
    }

    #[test]
    fn the_print_page_numbers_its_pages_and_repeats_table_headers() {
        let doc = document("Quality report 2025-26", vec![Paragraph::text("Chloé and Siân’s £5 – fine")]);
        let page = print_page(&doc);
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
        assert!(page.contains("size: A4"));
        assert!(page.contains("\"Page \" counter(page) \" of \" counter(pages)"));
        assert!(page.contains("thead { display: table-header-group; }"));
        assert!(page.contains("target-counter(attr(href), page)"));
        assert!(page.contains("break-before: page"));
        assert!(page.contains("Chloé and Siân’s £5 – fine"));
        assert!(page.contains("content: \"Trail head 12:abcdef\""));
    }

    #[test]
    fn a_line_chart_has_its_axis_labels_and_target_and_a_bar_chart_has_bars() {
        let month = |m| crate::quality::rules::Period::month(NaiveDate::from_ymd_opt(2026, m, 1).unwrap()).unwrap();
        let series = vec![(month(4), 80.0, false), (month(5), 95.0, true)];
        let drawing =
            crate::quality::chart::draw("Seen in 10 days", crate::catalogue::model::KpiUnit::Percent, &series, 90.0);
        let line =
            fragment(&document("c", vec![Block::Chart(Chart { kind: ChartKind::Line, drawing: drawing.clone() })]));
        assert!(line.contains("<polyline"));
        assert!(line.contains("Target 90%"), "{line}");
        assert!(line.contains(">Apr 26<") || line.contains(&drawing.x_labels[0].1), "{line}");
        assert_eq!(line.matches("<circle").count(), 2);
        let bars = fragment(&document("c", vec![Block::Chart(Chart { kind: ChartKind::Bar, drawing })]));
        assert_eq!(bars.matches("<rect").count(), 2);
        assert!(!bars.contains("<polyline"));
    }
}
