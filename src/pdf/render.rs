//! Layout and drawing: the body is laid out once, top to bottom, onto A4 pages of printpdf
//! operations; page numbers that are only known at the end ("Page n of N", [`Span::PageOf`], the
//! contents page) are filled in afterwards into space measured for the widest number, so nothing
//! moves. [`super::assemble`] then merges the attached PDFs and writes the outline and metadata.

use std::collections::{BTreeSet, HashMap};

use printpdf::{
    Color, FontId, Line as PdfLine, LineDashPattern, LinePoint, Mm, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Polygon, PolygonRing, Pt, Rect, Rgb, TextItem, TextMatrix, WindingOrder,
};

use super::fonts::{fonts, Face, Fonts};
use super::{assemble, Block, Chart, ChartKind, Document, Paragraph, RenderError, Span, Table, Tone};

/// A4 in points.
pub(super) const PAGE_W: f32 = 595.28;
pub(super) const PAGE_H: f32 = 841.89;
/// 18 mm each side.
const MARGIN_X: f32 = 51.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
/// The body runs from 25 mm below the top to 22 mm above the bottom, leaving room for the running
/// header and footer.
const BODY_TOP: f32 = PAGE_H - 71.0;
const BODY_BOTTOM: f32 = 62.0;
const BODY_H: f32 = BODY_TOP - BODY_BOTTOM;

const BODY_SIZE: f32 = 10.0;
const CELL_SIZE: f32 = 9.0;
const MUTED_SIZE: f32 = 8.5;
const BADGE_SIZE: f32 = 7.5;
const SMALL_SIZE: f32 = 8.0;
/// A chart's box: the text width, about 70 mm high, with its caption below.
const CHART_H: f32 = 198.0;
/// The width kept for a page number filled in later: four digits.
const NUMBER_SLOT: &str = "8888";

type Rgb3 = [f32; 3];
const INK: Rgb3 = [0.11, 0.12, 0.14];
const HEADING_INK: Rgb3 = [0.07, 0.18, 0.33];
const GREY: Rgb3 = [0.36, 0.38, 0.42];
const RULE: Rgb3 = [0.72, 0.74, 0.78];
const SHADE: Rgb3 = [0.91, 0.92, 0.94];
const GRID: Rgb3 = [0.86, 0.87, 0.89];
const SERIES: Rgb3 = [0.13, 0.38, 0.66];
const MISSED: Rgb3 = [0.75, 0.22, 0.17];
const TARGET: Rgb3 = [0.62, 0.33, 0.0];

/// A badge's fill and its text: light fills under dark text, so the words read at a glance
/// (contrast above 7:1) and the colour only repeats them.
fn tone_colours(tone: Tone) -> (Rgb3, Rgb3) {
    match tone {
        Tone::Good => ([0.84, 0.94, 0.86], [0.06, 0.33, 0.16]),
        Tone::Warning => ([0.99, 0.92, 0.76], [0.45, 0.27, 0.0]),
        Tone::Bad => ([0.98, 0.85, 0.84], [0.55, 0.08, 0.08]),
        Tone::Neutral => ([0.89, 0.9, 0.92], [0.2, 0.23, 0.28]),
    }
}

/// How a run of text is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Style {
    face: Face,
    size: f32,
    color: Rgb3,
}

impl Style {
    const fn new(face: Face, size: f32, color: Rgb3) -> Style {
        Style { face, size, color }
    }

    fn leading(self) -> f32 {
        self.size * 1.4
    }
}

/// The printpdf handles of the three faces in this document.
struct Handles {
    regular: PdfFontHandle,
    bold: PdfFontHandle,
    mono: PdfFontHandle,
}

impl Handles {
    fn of(&self, face: Face) -> &PdfFontHandle {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
            Face::Mono => &self.mono,
        }
    }
}

/// One page's drawing operations, remembering the font and colours last set so they are not
/// repeated.
#[derive(Default)]
struct Canvas {
    ops: Vec<Op>,
    font: Option<(Face, f32)>,
    fill: Option<Rgb3>,
    stroke: Option<(Rgb3, f32)>,
}

fn colour(c: Rgb3) -> Color {
    Color::Rgb(Rgb { r: c[0], g: c[1], b: c[2], icc_profile: None })
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false }
}

impl Canvas {
    fn set_fill(&mut self, c: Rgb3) {
        if self.fill != Some(c) {
            self.ops.push(Op::SetFillColor { col: colour(c) });
            self.fill = Some(c);
        }
    }

    fn set_stroke(&mut self, c: Rgb3, width: f32) {
        if self.stroke != Some((c, width)) {
            self.ops.push(Op::SetOutlineColor { col: colour(c) });
            self.ops.push(Op::SetOutlineThickness { pt: Pt(width) });
            self.stroke = Some((c, width));
        }
    }

    /// Shows `text` at (x, baseline y); call between `begin_text` and `end_text`. Returns the
    /// index of the operation that shows it, so a number can be filled in later.
    fn show(&mut self, handles: &Handles, style: Style, x: f32, y: f32, text: String) -> usize {
        if self.font != Some((style.face, style.size)) {
            self.ops.push(Op::SetFont { font: handles.of(style.face).clone(), size: Pt(style.size) });
            self.font = Some((style.face, style.size));
        }
        self.set_fill(style.color);
        self.ops.push(Op::SetTextMatrix { matrix: TextMatrix::Translate(Pt(x), Pt(y)) });
        self.ops.push(Op::ShowText { items: vec![TextItem::Text(text)] });
        self.ops.len() - 1
    }

    fn begin_text(&mut self) {
        self.ops.push(Op::StartTextSection);
    }

    fn end_text(&mut self) {
        self.ops.push(Op::EndTextSection);
    }

    /// One run of text on a line of its own (text extraction ends it with a line break).
    fn text(&mut self, handles: &Handles, style: Style, x: f32, y: f32, text: impl Into<String>) -> usize {
        self.begin_text();
        let at = self.show(handles, style, x, y, text.into());
        self.end_text();
        at
    }

    fn fill_rect(&mut self, c: Rgb3, x: f32, y: f32, w: f32, h: f32) {
        self.set_fill(c);
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Pt(x),
                y: Pt(y),
                width: Pt(w),
                height: Pt(h),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        });
    }

    /// A filled rectangle with rounded corners of radius `r` (cubic Bézier quarter circles).
    fn fill_rounded(&mut self, c: Rgb3, x: f32, y: f32, w: f32, h: f32, r: f32) {
        let r = r.min(w / 2.0).min(h / 2.0);
        let k = 0.5523 * r;
        let curve = |points: &mut Vec<LinePoint>, c1: (f32, f32), c2: (f32, f32), end: (f32, f32)| {
            points.push(LinePoint { bezier: true, ..point(c1.0, c1.1) });
            points.push(LinePoint { bezier: true, ..point(c2.0, c2.1) });
            points.push(point(end.0, end.1));
        };
        let mut points = vec![point(x + r, y), point(x + w - r, y)];
        curve(&mut points, (x + w - r + k, y), (x + w, y + r - k), (x + w, y + r));
        points.push(point(x + w, y + h - r));
        curve(&mut points, (x + w, y + h - r + k), (x + w - r + k, y + h), (x + w - r, y + h));
        points.push(point(x + r, y + h));
        curve(&mut points, (x + r - k, y + h), (x, y + h - r + k), (x, y + h - r));
        points.push(point(x, y + r));
        curve(&mut points, (x, y + r - k), (x + r - k, y), (x + r, y));
        self.set_fill(c);
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![PolygonRing { points }],
                mode: PaintMode::Fill,
                winding_order: WindingOrder::NonZero,
            },
        });
    }

    fn fill_polygon(&mut self, c: Rgb3, points: &[(f32, f32)]) {
        self.set_fill(c);
        self.ops.push(Op::DrawPolygon {
            polygon: Polygon {
                rings: vec![PolygonRing { points: points.iter().map(|&(x, y)| point(x, y)).collect() }],
                mode: PaintMode::Fill,
                winding_order: WindingOrder::NonZero,
            },
        });
    }

    fn line(&mut self, c: Rgb3, width: f32, points: &[(f32, f32)]) {
        self.set_stroke(c, width);
        self.ops.push(Op::DrawLine {
            line: PdfLine { points: points.iter().map(|&(x, y)| point(x, y)).collect(), is_closed: false },
        });
    }

    fn dashed_line(&mut self, c: Rgb3, width: f32, points: &[(f32, f32)], dash: &[f32]) {
        self.ops.push(Op::SetLineDashPattern { dash: LineDashPattern::new(0.0, dash) });
        self.line(c, width, points);
        self.ops.push(Op::SetLineDashPattern { dash: LineDashPattern::solid() });
    }
}

// ---------------------------------------------------------------------------------------------
// Inline layout: spans to lines.

/// What a line holds, at its offset from the line's start.
#[derive(Debug, Clone)]
enum Piece {
    Text { style: Style, text: String },
    Badge { text: String, tone: Tone },
    PageOf { style: Style, anchor: String },
}

#[derive(Debug, Clone)]
struct Placed {
    x: f32,
    w: f32,
    piece: Piece,
}

/// A laid-out line: its pieces, its height, and its baseline's distance below its top.
#[derive(Debug, Clone, Default)]
struct Line {
    placed: Vec<Placed>,
    height: f32,
    baseline: f32,
}

enum Tok<'s> {
    Word { style: Style, text: String },
    Badge { text: String, tone: Tone },
    PageOf { style: Style, anchor: &'s str },
    Break,
}

struct Token<'s> {
    tok: Tok<'s>,
    width: f32,
    /// A space follows it: the line may break here.
    space_after: bool,
}

fn badge_width(fonts: &Fonts, text: &str) -> f32 {
    fonts.bold.width(text, BADGE_SIZE) + 8.0
}

fn tokens<'s>(fonts: &Fonts, spans: &'s [Span], base: Style) -> Vec<Token<'s>> {
    let mut out: Vec<Token<'s>> = Vec::new();
    for span in spans {
        let (text, style) = match span {
            Span::Text(t) => (t, base),
            Span::Bold(t) => (t, Style { face: Face::Bold, ..base }),
            Span::Mono(t) => (t, Style { face: Face::Mono, size: base.size * 0.92, ..base }),
            Span::Badge(badge) => {
                let width = badge_width(fonts, &badge.text);
                out.push(Token {
                    tok: Tok::Badge { text: badge.text.clone(), tone: badge.tone },
                    width,
                    space_after: false,
                });
                continue;
            }
            Span::PageOf(anchor) => {
                // Kept on the line of the word before it ("p. 12"), the space going with the word.
                if let Some(Token { tok: Tok::Word { style, text }, width, space_after }) = out.last_mut() {
                    if *space_after {
                        text.push(' ');
                        *width += fonts.face(style.face).char_width(' ', style.size);
                        *space_after = false;
                    }
                }
                let width = fonts.face(base.face).width(NUMBER_SLOT, base.size);
                out.push(Token { tok: Tok::PageOf { style: base, anchor }, width, space_after: false });
                continue;
            }
            Span::Break => {
                out.push(Token { tok: Tok::Break, width: 0.0, space_after: false });
                continue;
            }
        };
        let font = fonts.face(style.face);
        let mut word = String::new();
        let mut width = 0.0;
        for c in text.chars() {
            if c.is_whitespace() {
                if !word.is_empty() {
                    out.push(Token {
                        tok: Tok::Word { style, text: std::mem::take(&mut word) },
                        width,
                        space_after: true,
                    });
                    width = 0.0;
                } else if let Some(last) = out.last_mut() {
                    if !matches!(last.tok, Tok::Break) {
                        last.space_after = true;
                    }
                }
                if c == '\n' {
                    out.push(Token { tok: Tok::Break, width: 0.0, space_after: false });
                }
            } else {
                width += font.char_width(c, style.size);
                word.push(c);
            }
        }
        if !word.is_empty() {
            out.push(Token { tok: Tok::Word { style, text: word }, width, space_after: false });
        }
    }
    out
}

struct LineBuilder {
    line: Line,
    x: f32,
    /// The style of the space owed before the next piece, when the last token had one after it.
    space: Option<Style>,
}

impl LineBuilder {
    fn new() -> LineBuilder {
        LineBuilder { line: Line::default(), x: 0.0, space: None }
    }

    fn is_empty(&self) -> bool {
        self.line.placed.is_empty()
    }

    fn space_width(&self, fonts: &Fonts) -> f32 {
        match self.space {
            Some(style) if !self.is_empty() => fonts.face(style.face).char_width(' ', style.size),
            _ => 0.0,
        }
    }

    fn grow(&mut self, style_size: f32, leading: f32) {
        self.line.height = self.line.height.max(leading);
        self.line.baseline = self.line.baseline.max(leading * 0.5 + style_size * 0.36);
    }

    fn push(&mut self, fonts: &Fonts, tok: &Tok<'_>, width: f32) {
        let mut lead_space = false;
        if let Some(style) = self.space.take() {
            if !self.is_empty() {
                let sw = fonts.face(style.face).char_width(' ', style.size);
                let x = self.x;
                match self.line.placed.last_mut() {
                    Some(Placed { piece: Piece::Text { text, .. }, x: px, w }) if (*px + *w - x).abs() < 0.01 => {
                        text.push(' ');
                        *w += sw;
                        self.x += sw;
                    }
                    _ if matches!(tok, Tok::Word { .. }) => lead_space = true,
                    _ => self.x += sw,
                }
            }
        }
        match tok {
            Tok::Word { style, text } => {
                self.grow(style.size, style.leading());
                let x = self.x;
                if let Some(Placed { piece: Piece::Text { style: last, text: run }, x: px, w }) =
                    self.line.placed.last_mut()
                {
                    if last == style && (*px + *w - x).abs() < 0.01 && !lead_space {
                        run.push_str(text);
                        *w += width;
                        self.x += width;
                        return;
                    }
                }
                let (run, w) = if lead_space {
                    (format!(" {text}"), width + fonts.face(style.face).char_width(' ', style.size))
                } else {
                    (text.clone(), width)
                };
                self.line.placed.push(Placed { x, w, piece: Piece::Text { style: *style, text: run } });
                self.x += w;
            }
            Tok::Badge { text, tone } => {
                self.grow(BADGE_SIZE, BADGE_SIZE * 1.4 + 3.0);
                self.line.placed.push(Placed {
                    x: self.x,
                    w: width,
                    piece: Piece::Badge { text: text.clone(), tone: *tone },
                });
                self.x += width;
            }
            Tok::PageOf { style, anchor } => {
                self.grow(style.size, style.leading());
                self.line.placed.push(Placed {
                    x: self.x,
                    w: width,
                    piece: Piece::PageOf { style: *style, anchor: anchor.to_string() },
                });
                self.x += width;
            }
            Tok::Break => {}
        }
    }

    fn finish(&mut self, lines: &mut Vec<Line>, base: Style) {
        let mut line = std::mem::take(&mut self.line);
        if line.placed.is_empty() {
            line.height = base.leading();
            line.baseline = base.leading() * 0.5 + base.size * 0.36;
        }
        lines.push(line);
        self.x = 0.0;
        self.space = None;
    }
}

/// Breaks `spans` into lines no wider than `width`: at spaces, at `Span::Break` and new lines, and
/// within a word only when the word alone is wider than the line.
fn lay_out(fonts: &Fonts, spans: &[Span], base: Style, width: f32) -> Vec<Line> {
    let tokens = narrow_badges(fonts, tokens(fonts, spans, base), width);
    let mut lines = Vec::new();
    let mut b = LineBuilder::new();
    let mut i = 0;
    while i < tokens.len() {
        if matches!(tokens[i].tok, Tok::Break) {
            b.finish(&mut lines, base);
            i += 1;
            continue;
        }
        // A unit: tokens glued together up to the next space or break.
        let mut j = i;
        let mut unit_w = tokens[i].width;
        while !tokens[j].space_after && j + 1 < tokens.len() && !matches!(tokens[j + 1].tok, Tok::Break) {
            j += 1;
            unit_w += tokens[j].width;
        }
        let unit = &tokens[i..=j];
        if b.x + b.space_width(fonts) + unit_w <= width + 0.01 || (b.is_empty() && unit_w <= width + 0.01) {
            for t in unit {
                b.push(fonts, &t.tok, t.width);
            }
        } else if unit_w <= width {
            b.finish(&mut lines, base);
            for t in unit {
                b.push(fonts, &t.tok, t.width);
            }
        } else {
            if !b.is_empty() && width - b.x - b.space_width(fonts) < width * 0.25 {
                b.finish(&mut lines, base);
            }
            for t in unit {
                place_breaking(fonts, &mut b, &mut lines, t, width, base);
            }
        }
        if unit.last().is_some_and(|t| t.space_after) {
            b.space = Some(match &unit[unit.len() - 1].tok {
                Tok::Word { style, .. } | Tok::PageOf { style, .. } => *style,
                _ => base,
            });
        }
        i = j + 1;
    }
    if !b.is_empty() {
        b.finish(&mut lines, base);
    }
    lines
}

/// A badge wider than the line ("Arrangement ends within 90 days" in a narrow column) becomes one
/// badge a line, split at spaces, so it stays inside its cell and its words are all still read.
fn narrow_badges<'s>(fonts: &Fonts, tokens: Vec<Token<'s>>, width: f32) -> Vec<Token<'s>> {
    let mut out = Vec::with_capacity(tokens.len());
    for token in tokens {
        let Token { tok: Tok::Badge { text, tone }, width: badge_w, space_after } = token else {
            out.push(token);
            continue;
        };
        if badge_w <= width + 0.01 {
            out.push(Token { tok: Tok::Badge { text, tone }, width: badge_w, space_after });
            continue;
        }
        let mut part = String::new();
        for word in text.split_whitespace() {
            let longer = if part.is_empty() { word.to_string() } else { format!("{part} {word}") };
            if !part.is_empty() && badge_width(fonts, &longer) > width {
                let w = badge_width(fonts, &part);
                out.push(Token {
                    tok: Tok::Badge { text: std::mem::take(&mut part), tone },
                    width: w,
                    space_after: true,
                });
                part = word.to_string();
            } else {
                part = longer;
            }
        }
        let w = badge_width(fonts, &part);
        out.push(Token { tok: Tok::Badge { text: part, tone }, width: w, space_after });
    }
    out
}

/// Places a token that may be wider than the line, breaking a word where it must.
fn place_breaking(fonts: &Fonts, b: &mut LineBuilder, lines: &mut Vec<Line>, t: &Token<'_>, width: f32, base: Style) {
    if b.x + b.space_width(fonts) + t.width <= width + 0.01 {
        b.push(fonts, &t.tok, t.width);
        return;
    }
    let Tok::Word { style, text } = &t.tok else {
        if !b.is_empty() {
            b.finish(lines, base);
        }
        b.push(fonts, &t.tok, t.width);
        return;
    };
    let font = fonts.face(style.face);
    let mut rest: &str = text;
    while !rest.is_empty() {
        let room = width - b.x - b.space_width(fonts);
        let mut used = 0.0;
        let mut cut = 0;
        for (at, c) in rest.char_indices() {
            let w = font.char_width(c, style.size);
            if used + w > room && (cut > 0 || !b.is_empty()) {
                break;
            }
            used += w;
            cut = at + c.len_utf8();
        }
        if cut == 0 {
            b.finish(lines, base);
            continue;
        }
        let piece = Tok::Word { style: *style, text: rest[..cut].to_string() };
        b.push(fonts, &piece, used);
        rest = &rest[cut..];
        if !rest.is_empty() {
            b.finish(lines, base);
        }
    }
}

fn lines_height(lines: &[Line]) -> f32 {
    lines.iter().map(|l| l.height).sum()
}

/// Cuts `text` to fit `width`, ending with an ellipsis when it had to be cut.
fn fit(fonts: &Fonts, style: Style, text: &str, width: f32) -> String {
    let font = fonts.face(style.face);
    if font.width(text, style.size) <= width {
        return text.to_string();
    }
    let room = width - font.char_width('…', style.size);
    let mut used = 0.0;
    let mut out = String::new();
    for c in text.chars() {
        used += font.char_width(c, style.size);
        if used > room {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

// ---------------------------------------------------------------------------------------------
// The body.

/// A heading as it was placed: for the contents page, the outline and `PageOf`.
#[derive(Debug, Clone)]
pub(super) struct Mark {
    pub level: u8,
    pub text: String,
    pub anchor: Option<String>,
    /// The page's number in the final file, from 1.
    pub page: usize,
    /// The top of the heading on its page, in PDF points from the bottom.
    pub y: f32,
}

/// A number to fill in once every page is known: the page, the operation showing it, the anchor.
struct Fixup {
    page: usize,
    op: usize,
    anchor: String,
    /// Where the number is drawn, to make it a link: x0, y0, x1, y1.
    rect: [f32; 4],
}

/// A link drawn on a page (a contents entry, a page reference) to a place in the file.
#[derive(Debug, Clone)]
pub(super) struct Link {
    /// The page it is on, from 1.
    pub on: usize,
    pub rect: [f32; 4],
    /// The page it leads to, from 1.
    pub to: usize,
    /// The top of what it leads to on that page; `None` shows the whole page.
    pub y: Option<f32>,
}

/// A table's header row, kept to repeat at the top of each page the table runs onto.
struct Head {
    cells: Vec<(f32, Vec<Line>)>,
    height: f32,
}

struct Engine<'a> {
    fonts: &'static Fonts,
    handles: &'a Handles,
    pages: Vec<Canvas>,
    y: f32,
    /// The number, in the final file, of the first body page.
    first_number: usize,
    marks: Vec<Mark>,
    fixups: Vec<Fixup>,
}

const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;

/// A heading's level as drawn: 1 to 3 (0 is read as 1, deeper levels as 3).
fn level_of(level: u8) -> u8 {
    level.clamp(1, 3)
}

fn heading_style(level: u8) -> Style {
    match level {
        1 => Style::new(Face::Bold, 16.0, HEADING_INK),
        2 => Style::new(Face::Bold, 12.5, HEADING_INK),
        _ => Style::new(Face::Bold, 10.5, INK),
    }
}

fn heading_gaps(level: u8) -> (f32, f32) {
    match level {
        1 => (0.0, 8.0),
        2 => (12.0, 4.0),
        _ => (9.0, 3.0),
    }
}

fn paragraph_style(p: &Paragraph) -> Style {
    if p.muted {
        Style::new(Face::Regular, MUTED_SIZE, GREY)
    } else {
        Style::new(Face::Regular, BODY_SIZE, INK)
    }
}

const CELL: Style = Style::new(Face::Regular, CELL_SIZE, INK);
const CELL_HEAD: Style = Style::new(Face::Bold, CELL_SIZE, INK);
const LABEL: Style = Style::new(Face::Bold, BODY_SIZE, GREY);
const VALUE: Style = Style::new(Face::Regular, BODY_SIZE, INK);

impl<'a> Engine<'a> {
    fn page(&mut self) -> &mut Canvas {
        if self.pages.is_empty() {
            self.pages.push(Canvas::default());
            self.y = BODY_TOP;
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Canvas::default());
        self.y = BODY_TOP;
    }

    fn at_top(&self) -> bool {
        self.y >= BODY_TOP - 0.01
    }

    fn page_number(&self) -> usize {
        self.first_number + self.pages.len().saturating_sub(1)
    }

    /// Draws a line with its top at `top`, its start at `x`.
    fn draw_line(&mut self, line: &Line, x: f32, top: f32) {
        let handles = self.handles;
        self.page();
        let page = self.pages.len() - 1;
        let base = top - line.baseline;
        let canvas = &mut self.pages[page];
        for p in &line.placed {
            if let Piece::Badge { tone, .. } = &p.piece {
                let (fill, _) = tone_colours(*tone);
                canvas.fill_rounded(fill, x + p.x, base - 2.6, p.w, BADGE_SIZE + 5.0, 3.0);
            }
        }
        canvas.begin_text();
        let mut fixups = Vec::new();
        for p in &line.placed {
            match &p.piece {
                Piece::Text { style, text } => {
                    canvas.show(handles, *style, x + p.x, base, text.clone());
                }
                Piece::Badge { text, tone } => {
                    let (_, ink) = tone_colours(*tone);
                    canvas.show(handles, Style::new(Face::Bold, BADGE_SIZE, ink), x + p.x + 4.0, base, text.clone());
                }
                Piece::PageOf { style, anchor } => {
                    let op = canvas.show(handles, *style, x + p.x, base, String::new());
                    let rect = [x + p.x - 1.0, base - style.size * 0.3, x + p.x + p.w + 1.0, base + style.size];
                    fixups.push(Fixup { page, op, anchor: anchor.clone(), rect });
                }
            }
        }
        canvas.end_text();
        self.fixups.extend(fixups);
    }

    /// Lines from the cursor down, breaking to a new page when one does not fit.
    fn flow(&mut self, lines: &[Line], x: f32) {
        for line in lines {
            if self.y - line.height < BODY_BOTTOM && !self.at_top() {
                self.new_page();
            }
            let top = self.y;
            self.draw_line(line, x, top);
            self.y -= line.height;
        }
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for (i, block) in blocks.iter().enumerate() {
            match block {
                Block::Heading { level, text, anchor } => {
                    self.heading(*level, text, anchor.as_deref(), &blocks[i + 1..])
                }
                Block::Paragraph(p) => {
                    let lines = lay_out(self.fonts, &p.spans, paragraph_style(p), TEXT_W);
                    self.flow(&lines, MARGIN_X);
                    self.y -= if p.muted { 5.0 } else { 6.0 };
                }
                Block::Facts(facts) => {
                    self.facts(facts);
                    self.y -= 6.0;
                }
                Block::Table(table) => {
                    self.table(table);
                    self.y -= 8.0;
                }
                Block::Chart(chart) => self.chart(chart),
                Block::PageBreak => {
                    if !self.at_top() {
                        self.new_page();
                    }
                }
            }
        }
    }

    /// The height a block needs at the foot of a page so a heading above it is not left alone:
    /// its first two lines or facts, its header and first row, or the whole chart.
    fn start_height(&self, rest: &[Block], depth: u8) -> f32 {
        let Some(block) = rest.first() else { return 0.0 };
        match block {
            Block::Heading { level, text, .. } if depth < 4 => {
                let level = &level_of(*level);
                let (before, after) = heading_gaps(*level);
                if *level == 1 {
                    return 0.0;
                }
                let lines = lay_out(self.fonts, &[Span::Text(text.clone())], heading_style(*level), TEXT_W);
                before + lines_height(&lines) + after + self.start_height(&rest[1..], depth + 1)
            }
            Block::Heading { .. } => 0.0,
            Block::Paragraph(p) => {
                let lines = lay_out(self.fonts, &p.spans, paragraph_style(p), TEXT_W);
                lines_height(&lines[..lines.len().min(2)])
            }
            Block::Facts(facts) => {
                let label_w = self.label_width(facts);
                facts.iter().take(2).map(|f| self.fact_row(f, label_w).0).sum()
            }
            Block::Table(table) => {
                let widths = column_widths(table);
                let head = self.table_head(table, &widths);
                head.height + table.rows.first().map(|r| row_height(&self.row_cells(r, &widths, CELL))).unwrap_or(0.0)
            }
            Block::Chart(_) => CHART_H + 24.0,
            Block::PageBreak => 0.0,
        }
    }

    fn heading(&mut self, level: u8, text: &str, anchor: Option<&str>, rest: &[Block]) {
        let level = level_of(level);
        let style = heading_style(level);
        let lines = lay_out(self.fonts, &[Span::Text(text.to_string())], style, TEXT_W);
        let (before, after) = heading_gaps(level);
        let height = lines_height(&lines);
        if level == 1 {
            if !self.at_top() {
                self.new_page();
            }
        } else if !self.at_top() {
            let need = before + height + after + self.start_height(rest, 0).min(BODY_H);
            if self.y - need < BODY_BOTTOM {
                self.new_page();
            } else {
                self.y -= before;
            }
        }
        self.marks.push(Mark {
            level,
            text: text.to_string(),
            anchor: anchor.map(str::to_string),
            page: self.page_number(),
            y: self.y,
        });
        self.flow(&lines, MARGIN_X);
        if level == 1 {
            let y = self.y - 2.0;
            self.page().line(RULE, 0.6, &[(MARGIN_X, y), (MARGIN_X + TEXT_W, y)]);
            self.y -= 2.0;
        }
        self.y -= after;
    }

    fn label_width(&self, facts: &[(String, Vec<Span>)]) -> f32 {
        let widest = facts.iter().map(|(label, _)| self.fonts.bold.width(label, LABEL.size)).fold(0.0, f32::max);
        (widest + 14.0).clamp(70.0, TEXT_W * 0.38)
    }

    /// A fact's height and its cells (label, value).
    fn fact_row(&self, fact: &(String, Vec<Span>), label_w: f32) -> (f32, Vec<(f32, Vec<Line>)>) {
        let label = lay_out(self.fonts, &[Span::Text(fact.0.clone())], LABEL, label_w - 10.0);
        let value = lay_out(self.fonts, &fact.1, VALUE, TEXT_W - label_w);
        let h = lines_height(&label).max(lines_height(&value)) + 3.0;
        (h, vec![(MARGIN_X, label), (MARGIN_X + label_w, value)])
    }

    fn facts(&mut self, facts: &[(String, Vec<Span>)]) {
        let label_w = self.label_width(facts);
        for fact in facts {
            let (_, cells) = self.fact_row(fact, label_w);
            self.row(&cells, 1.5, None, false);
        }
    }

    fn table_head(&self, table: &Table, widths: &[(f32, f32)]) -> Head {
        let cells: Vec<(f32, Vec<Line>)> = table
            .columns
            .iter()
            .zip(widths)
            .map(|(c, (x, w))| {
                (*x, lay_out(self.fonts, &[Span::Text(c.title.clone())], CELL_HEAD, w - 2.0 * CELL_PAD_X))
            })
            .collect();
        let height = row_height(&cells);
        Head { cells, height }
    }

    fn row_cells(&self, row: &[Vec<Span>], widths: &[(f32, f32)], style: Style) -> Vec<(f32, Vec<Line>)> {
        widths
            .iter()
            .enumerate()
            .map(|(i, (x, w))| {
                let spans = row.get(i).map(Vec::as_slice).unwrap_or(&[]);
                (*x, lay_out(self.fonts, spans, style, w - 2.0 * CELL_PAD_X))
            })
            .collect()
    }

    fn draw_head(&mut self, head: &Head) {
        let top = self.y;
        self.page().fill_rect(SHADE, MARGIN_X, top - head.height, TEXT_W, head.height);
        for (x, lines) in &head.cells {
            let mut y = top - CELL_PAD_Y;
            for line in lines {
                self.draw_line(line, x + CELL_PAD_X, y);
                y -= line.height;
            }
        }
        self.y -= head.height;
        let y = self.y;
        self.page().line(RULE, 0.6, &[(MARGIN_X, y), (MARGIN_X + TEXT_W, y)]);
    }

    fn table(&mut self, table: &Table) {
        if table.columns.is_empty() {
            return;
        }
        let widths = column_widths(table);
        let head = self.table_head(table, &widths);
        let first = table.rows.first().map(|r| row_height(&self.row_cells(r, &widths, CELL))).unwrap_or(0.0);
        if self.y - head.height - first.min(BODY_H - head.height) < BODY_BOTTOM && !self.at_top() {
            self.new_page();
        }
        self.draw_head(&head);
        for row in &table.rows {
            let cells = self.row_cells(row, &widths, CELL);
            self.row(&cells, CELL_PAD_Y, Some(&head), true);
        }
    }

    /// One row of cells (x of the cell, its lines): moved whole to the next page when it does not
    /// fit (with the table's header row repeated there), split line by line only when it is taller
    /// than a page.
    fn row(&mut self, cells: &[(f32, Vec<Line>)], pad: f32, head: Option<&Head>, rule: bool) {
        let height = cells.iter().map(|(_, l)| lines_height(l)).fold(0.0, f32::max) + 2.0 * pad;
        let room_on_fresh = BODY_H - head.map(|h| h.height).unwrap_or(0.0);
        let at_top = |e: &Engine| e.at_top() || head.is_some_and(|h| (BODY_TOP - h.height - e.y).abs() < 0.01);
        if self.y - height < BODY_BOTTOM && !at_top(self) {
            self.new_page();
            if let Some(h) = head {
                self.draw_head(h);
            }
        }
        let x_pad = if head.is_some() { CELL_PAD_X } else { 0.0 };
        if height <= room_on_fresh || self.y - height >= BODY_BOTTOM {
            let top = self.y;
            for (x, lines) in cells {
                let mut y = top - pad;
                for line in lines {
                    self.draw_line(line, x + x_pad, y);
                    y -= line.height;
                }
            }
            self.y -= height;
        } else {
            // Taller than a page: each cell's lines run on from page to page.
            let mut next = vec![0usize; cells.len()];
            loop {
                let top = self.y;
                let mut lowest = top;
                let before: usize = next.iter().sum();
                for (c, (x, lines)) in cells.iter().enumerate() {
                    let mut y = top - pad;
                    while next[c] < lines.len() && y - lines[next[c]].height >= BODY_BOTTOM {
                        self.draw_line(&lines[next[c]], x + x_pad, y);
                        y -= lines[next[c]].height;
                        next[c] += 1;
                    }
                    lowest = lowest.min(y - pad);
                }
                if next.iter().sum::<usize>() == before {
                    // Not even one line fits under the header: draw one anyway, so the table ends.
                    for (c, (x, lines)) in cells.iter().enumerate() {
                        if let Some(line) = lines.get(next[c]) {
                            self.draw_line(line, x + x_pad, top - pad);
                            lowest = lowest.min(top - pad - line.height - pad);
                            next[c] += 1;
                        }
                    }
                }
                self.y = lowest;
                if next.iter().zip(cells).all(|(n, (_, l))| *n >= l.len()) {
                    break;
                }
                self.new_page();
                if let Some(h) = head {
                    self.draw_head(h);
                }
            }
        }
        if rule {
            let y = self.y;
            self.page().line(GRID, 0.5, &[(MARGIN_X, y), (MARGIN_X + TEXT_W, y)]);
        }
    }

    fn chart(&mut self, chart: &Chart) {
        let caption = lay_out(
            self.fonts,
            &[Span::Text(chart.drawing.summary.clone())],
            Style::new(Face::Regular, MUTED_SIZE, GREY),
            TEXT_W,
        );
        let need = CHART_H + 8.0 + lines_height(&caption);
        if self.y - need < BODY_BOTTOM && !self.at_top() {
            self.new_page();
        }
        let top = self.y - 4.0;
        let handles = self.handles;
        let fonts = self.fonts;
        draw_chart(self.page(), handles, fonts, chart, MARGIN_X, top, TEXT_W, CHART_H);
        // The caption sits under the x labels, below the plot's bottom.
        let d = &chart.drawing;
        let used = if d.height > 0.0 { (d.bottom / d.height) as f32 * CHART_H + 20.0 } else { CHART_H };
        self.y = top - used.min(CHART_H);
        self.flow(&caption, MARGIN_X);
        self.y -= 8.0;
    }
}

fn column_widths(table: &Table) -> Vec<(f32, f32)> {
    let total: f32 = table.columns.iter().map(|c| c.width.max(0.0)).sum();
    let n = table.columns.len() as f32;
    let mut x = MARGIN_X;
    table
        .columns
        .iter()
        .map(|c| {
            let w = if total > 0.0 { c.width.max(0.0) / total * TEXT_W } else { TEXT_W / n };
            let at = x;
            x += w;
            (at, w)
        })
        .collect()
}

fn row_height(cells: &[(f32, Vec<Line>)]) -> f32 {
    cells.iter().map(|(_, l)| lines_height(l)).fold(0.0, f32::max) + 2.0 * CELL_PAD_Y
}

// ---------------------------------------------------------------------------------------------
// Charts.

/// Draws the chart's geometry (SVG units, y down) scaled into the box whose top left is (x, top).
#[allow(clippy::too_many_arguments)]
fn draw_chart(
    canvas: &mut Canvas,
    handles: &Handles,
    fonts: &Fonts,
    chart: &Chart,
    x: f32,
    top: f32,
    width: f32,
    height: f32,
) {
    let d = &chart.drawing;
    let sx = width / d.width.max(1.0) as f32;
    let sy = height / d.height.max(1.0) as f32;
    let at = |px: f64, py: f64| (x + px as f32 * sx, top - py as f32 * sy);
    let small = Style::new(Face::Regular, 7.5, GREY);
    let (left, bottom) = at(d.left, d.bottom);
    let (right, plot_top) = at(d.right, d.top);

    for tick in &d.ticks {
        let (_, y) = at(d.left, tick.y);
        canvas.line(GRID, 0.5, &[(left, y), (right, y)]);
        let w = fonts.regular.width(&tick.label, small.size);
        canvas.text(handles, small, left - 4.0 - w, y - 2.6, tick.label.clone());
    }
    canvas.line(GREY, 0.8, &[(left, plot_top), (left, bottom), (right, bottom)]);

    let slot = if d.points.is_empty() { right - left } else { (right - left) / d.points.len() as f32 };
    match chart.kind {
        ChartKind::Line => {
            let points: Vec<(f32, f32)> = d.points.iter().map(|p| at(p.x, p.y)).collect();
            if points.len() > 1 {
                canvas.line(SERIES, 1.5, &points);
            }
            for (p, &(px, py)) in d.points.iter().zip(&points) {
                let c = if p.met { SERIES } else { MISSED };
                if p.met {
                    canvas.fill_polygon(
                        c,
                        &[(px - 2.6, py - 2.6), (px + 2.6, py - 2.6), (px + 2.6, py + 2.6), (px - 2.6, py + 2.6)],
                    );
                } else {
                    canvas.fill_polygon(c, &[(px, py - 3.4), (px + 3.4, py), (px, py + 3.4), (px - 3.4, py)]);
                }
            }
        }
        ChartKind::Bar => {
            let bar = (slot * 0.6).min(36.0);
            let value = Style::new(Face::Regular, 7.0, INK);
            for p in &d.points {
                let (px, py) = at(p.x, p.y);
                let x0 = (px - bar / 2.0).clamp(left + 1.0, right - bar);
                canvas.fill_rect(if p.met { SERIES } else { MISSED }, x0, bottom, bar, (py - bottom).max(0.0));
                let w = fonts.regular.width(&p.value, value.size);
                canvas.text(handles, value, x0 + bar / 2.0 - w / 2.0, py + 3.0, p.value.clone());
            }
        }
    }

    if !d.target_label.is_empty() {
        let (_, ty) = at(d.left, d.target_y);
        canvas.dashed_line(TARGET, 1.0, &[(left, ty), (right, ty)], &[4.0, 3.0]);
        let label = format!("Target {}", d.target_label);
        let style = Style::new(Face::Bold, 7.5, TARGET);
        let w = fonts.bold.width(&label, style.size);
        // On white, so the series under it does not run through the words.
        canvas.fill_rect([1.0, 1.0, 1.0], right - w - 3.0, ty + 1.5, w + 3.0, style.size + 1.5);
        canvas.text(handles, style, right - w, ty + 3.0, label);
    }

    let label_w = match chart.kind {
        ChartKind::Bar => slot - 2.0,
        ChartKind::Line => (right - left) / d.x_labels.len().max(1) as f32,
    };
    for (lx, label) in &d.x_labels {
        let (px, _) = at(*lx, d.bottom);
        let text = fit(fonts, small, label, label_w);
        let w = fonts.regular.width(&text, small.size);
        let x0 = (px - w / 2.0).clamp(x, x + width - w);
        canvas.text(handles, small, x0, bottom - 11.0, text);
    }
}

// ---------------------------------------------------------------------------------------------
// Cover, contents, running header and footer.

fn draw_cover(canvas: &mut Canvas, handles: &Handles, fonts: &Fonts, cover: &super::Cover) {
    canvas.fill_rect(HEADING_INK, 0.0, PAGE_H - 14.0, PAGE_W, 14.0);
    let mut y = PAGE_H - 230.0;
    let title = lay_out(fonts, &[Span::Text(cover.title.clone())], Style::new(Face::Bold, 26.0, HEADING_INK), TEXT_W);
    let subtitle = lay_out(fonts, &[Span::Text(cover.subtitle.clone())], Style::new(Face::Regular, 14.0, GREY), TEXT_W);
    let mut sink = Vec::new();
    for line in title.iter().chain(&subtitle) {
        draw_plain_line(canvas, handles, line, MARGIN_X, y, &mut sink);
        y -= line.height;
    }
    y -= 14.0;
    canvas.line(RULE, 0.8, &[(MARGIN_X, y), (MARGIN_X + TEXT_W, y)]);
    y -= 16.0;
    let label_style = Style::new(Face::Bold, 11.0, GREY);
    let value_style = Style::new(Face::Regular, 11.0, INK);
    let widest = cover.facts.iter().map(|(l, _)| fonts.bold.width(l, 11.0)).fold(0.0, f32::max);
    let label_w = (widest + 16.0).clamp(80.0, TEXT_W * 0.4);
    for (label, value) in &cover.facts {
        let l = lay_out(fonts, &[Span::Text(label.clone())], label_style, label_w - 10.0);
        let v = lay_out(fonts, value, value_style, TEXT_W - label_w);
        let mut ly = y;
        for line in &l {
            draw_plain_line(canvas, handles, line, MARGIN_X, ly, &mut sink);
            ly -= line.height;
        }
        let mut vy = y;
        for line in &v {
            draw_plain_line(canvas, handles, line, MARGIN_X + label_w, vy, &mut sink);
            vy -= line.height;
        }
        y = ly.min(vy) - 4.0;
    }
}

/// Draws a line outside the body (cover, contents); `PageOf` numbers it holds are listed in
/// `fixups` as (operation, anchor).
fn draw_plain_line(
    canvas: &mut Canvas,
    handles: &Handles,
    line: &Line,
    x: f32,
    top: f32,
    fixups: &mut Vec<(usize, String)>,
) {
    let base = top - line.baseline;
    for p in &line.placed {
        if let Piece::Badge { tone, .. } = &p.piece {
            canvas.fill_rounded(tone_colours(*tone).0, x + p.x, base - 2.6, p.w, BADGE_SIZE + 5.0, 3.0);
        }
    }
    canvas.begin_text();
    for p in &line.placed {
        match &p.piece {
            Piece::Text { style, text } => {
                canvas.show(handles, *style, x + p.x, base, text.clone());
            }
            Piece::Badge { text, tone } => {
                canvas.show(
                    handles,
                    Style::new(Face::Bold, BADGE_SIZE, tone_colours(*tone).1),
                    x + p.x + 4.0,
                    base,
                    text.clone(),
                );
            }
            Piece::PageOf { style, anchor } => {
                let op = canvas.show(handles, *style, x + p.x, base, String::new());
                fixups.push((op, anchor.clone()));
            }
        }
    }
    canvas.end_text();
}

/// The contents pages: one line per heading of level 1 or 2, its page number right-aligned.
/// Without `targets` (the first pass) it only counts the pages; with them (each entry's page and
/// top) it also returns each entry's link, its `on` counted from the first contents page as 0.
fn contents_pages(
    handles: &Handles,
    fonts: &Fonts,
    entries: &[(u8, &str)],
    targets: Option<&[(usize, f32)]>,
) -> (Vec<Canvas>, Vec<Link>) {
    let mut pages = vec![Canvas::default()];
    let mut links = Vec::new();
    let title = Style::new(Face::Bold, 16.0, HEADING_INK);
    let mut y = BODY_TOP;
    let mut sink = Vec::new();
    for line in lay_out(fonts, &[Span::Text("Contents".into())], title, TEXT_W) {
        draw_plain_line(&mut pages[0], handles, &line, MARGIN_X, y, &mut sink);
        y -= line.height;
    }
    y -= 10.0;
    let number_w = 40.0;
    for (i, (level, text)) in entries.iter().enumerate() {
        let (style, indent, before) = if *level == 1 {
            (Style::new(Face::Bold, BODY_SIZE, INK), 0.0, 5.0)
        } else {
            (Style::new(Face::Regular, BODY_SIZE, INK), 14.0, 0.0)
        };
        let lines = lay_out(fonts, &[Span::Text(text.to_string())], style, TEXT_W - indent - number_w - 8.0);
        let h = lines_height(&lines) + before;
        if y - h < BODY_BOTTOM {
            pages.push(Canvas::default());
            y = BODY_TOP;
        } else {
            y -= before;
        }
        let on = pages.len() - 1;
        let Some(canvas) = pages.last_mut() else { break };
        let entry_top = y;
        for line in &lines {
            draw_plain_line(canvas, handles, line, MARGIN_X + indent, y, &mut sink);
            y -= line.height;
        }
        if let (Some(&(n, target_y)), Some(last)) = (targets.and_then(|t| t.get(i)), lines.last()) {
            links.push(Link {
                on,
                rect: [MARGIN_X + indent, y, MARGIN_X + TEXT_W, entry_top],
                to: n,
                y: Some(target_y),
            });
            // The number on the entry's last line, dotted leaders leading to it.
            let label = n.to_string();
            let w = fonts.face(style.face).width(&label, style.size);
            let base = y + last.height - last.baseline;
            let text_end = MARGIN_X + indent + last.placed.last().map(|p| p.x + p.w).unwrap_or(0.0);
            let (from, to) = (text_end + 6.0, MARGIN_X + TEXT_W - w - 6.0);
            if to > from {
                canvas.dashed_line(RULE, 0.7, &[(from, base), (to, base)], &[0.7, 2.6]);
            }
            canvas.text(handles, style, MARGIN_X + TEXT_W - w, base, label);
        }
    }
    (pages, links)
}

fn running_header_and_footer(
    canvas: &mut Canvas,
    handles: &Handles,
    fonts: &Fonts,
    document: &Document,
    n: usize,
    total: usize,
) {
    let small = Style::new(Face::Regular, SMALL_SIZE, GREY);
    let half = TEXT_W / 2.0 - 8.0;
    let left = fit(fonts, small, &document.header, half);
    let right = fit(fonts, small, &document.title, half);
    let right_w = fonts.regular.width(&right, small.size);
    canvas.text(handles, small, MARGIN_X, PAGE_H - 40.0, left);
    canvas.text(handles, small, MARGIN_X + TEXT_W - right_w, PAGE_H - 40.0, right);
    canvas.line(RULE, 0.5, &[(MARGIN_X, PAGE_H - 45.0), (MARGIN_X + TEXT_W, PAGE_H - 45.0)]);

    canvas.line(RULE, 0.5, &[(MARGIN_X, 46.0), (MARGIN_X + TEXT_W, 46.0)]);
    let number = format!("Page {n} of {total}");
    let number_w = fonts.regular.width(&number, small.size);
    let footer = fit(fonts, small, &document.footer, TEXT_W - number_w - 16.0);
    canvas.text(handles, small, MARGIN_X, 34.0, footer);
    canvas.text(handles, small, MARGIN_X + TEXT_W - number_w, 34.0, number);
}

// ---------------------------------------------------------------------------------------------

/// What [`draw`] hands to the assembly: the drawn pages, and where things are.
pub(super) struct Drawn {
    pub bytes: Vec<u8>,
    pub marks: Vec<Mark>,
    /// Each appendix's first page in the final file.
    pub appendix_pages: Vec<usize>,
    /// How many of the drawn pages come before the appendices (cover, contents and body); the
    /// rest are the closing pages, which the assembly puts after the merged documents.
    pub front_pages: usize,
    pub links: Vec<Link>,
    /// The glyphs drawn in each face (regular, bold, mono), to subset the embedded fonts.
    pub glyphs: [BTreeSet<u16>; 3],
}

pub(super) fn draw(document: &Document) -> Result<Vec<u8>, RenderError> {
    let drawn = draw_pages(document)?;
    assemble::assemble(document, drawn)
}

/// The glyph ids each face draws on these pages.
fn glyphs_used(pages: &[Canvas], handles: &Handles, fonts: &Fonts) -> [BTreeSet<u16>; 3] {
    let faces = [Face::Regular, Face::Bold, Face::Mono];
    let mut seen = [vec![false; 0x1_0000], vec![false; 0x1_0000], vec![false; 0x1_0000]];
    let mut out: [BTreeSet<u16>; 3] = Default::default();
    for page in pages {
        let mut face = None;
        for op in &page.ops {
            match op {
                Op::SetFont { font, .. } => face = faces.iter().position(|f| handles.of(*f) == font),
                Op::ShowText { items } => {
                    let Some(i) = face else { continue };
                    for item in items {
                        let TextItem::Text(text) = item else { continue };
                        for c in text.chars() {
                            let cp = c as usize;
                            if cp < 0x1_0000 && seen[i][cp] {
                                continue;
                            }
                            if cp < 0x1_0000 {
                                seen[i][cp] = true;
                            }
                            if let Some(gid) = fonts.face(faces[i]).parsed.lookup_glyph_index(c as u32) {
                                out[i].insert(gid);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn handle(id: &FontId) -> PdfFontHandle {
    PdfFontHandle::External(id.clone())
}

pub(super) fn draw_pages(document: &Document) -> Result<Drawn, RenderError> {
    let fonts = fonts()?;
    let mut pdf = PdfDocument::new(&document.title);
    let handles = Handles {
        regular: handle(&pdf.add_font(&fonts.regular.parsed)),
        bold: handle(&pdf.add_font(&fonts.bold.parsed)),
        mono: handle(&pdf.add_font(&fonts.mono.parsed)),
    };

    let cover_pages = usize::from(document.cover.is_some());
    let entries: Vec<(u8, &str)> = document
        .all_blocks()
        .filter_map(|b| match b {
            Block::Heading { level, text, .. } if level_of(*level) <= 2 => Some((level_of(*level), text.as_str())),
            _ => None,
        })
        .collect();
    let contents_count = if document.contents { contents_pages(&handles, fonts, &entries, None).0.len() } else { 0 };

    let mut engine = Engine {
        fonts,
        handles: &handles,
        pages: Vec::new(),
        y: BODY_TOP,
        first_number: cover_pages + contents_count + 1,
        marks: Vec::new(),
        fixups: Vec::new(),
    };
    engine.blocks(&document.blocks);
    // Drop a last page left empty (a page break at the end); a file has at least one page.
    while engine.pages.last().is_some_and(|p| p.ops.is_empty()) {
        engine.pages.pop();
    }
    if engine.pages.is_empty() && cover_pages + contents_count == 0 {
        engine.pages.push(Canvas::default());
    }
    let Engine { mut pages, mut marks, fixups, .. } = engine;

    let drawn = cover_pages + contents_count + pages.len();
    let mut appendix_pages = Vec::with_capacity(document.appendices.len());
    let mut next = drawn + 1;
    for appendix in &document.appendices {
        appendix_pages.push(next);
        next += appendix.pdf.pages as usize;
    }

    // The closing blocks, numbered on from the merged documents' pages.
    let closing_first = next;
    let mut closing = Engine {
        fonts,
        handles: &handles,
        pages: Vec::new(),
        y: BODY_TOP,
        first_number: closing_first,
        marks: Vec::new(),
        fixups: Vec::new(),
    };
    closing.blocks(&document.closing);
    while closing.pages.last().is_some_and(|p| p.ops.is_empty()) {
        closing.pages.pop();
    }
    let Engine { pages: mut closing_pages, marks: closing_marks, fixups: closing_fixups, .. } = closing;
    marks.extend(closing_marks);
    let total = next - 1 + closing_pages.len();

    let mut anchors: HashMap<&str, (usize, Option<f32>)> = HashMap::new();
    for mark in &marks {
        if let Some(anchor) = &mark.anchor {
            anchors.entry(anchor.as_str()).or_insert((mark.page, Some(mark.y)));
        }
    }
    for (appendix, page) in document.appendices.iter().zip(&appendix_pages) {
        anchors.entry(appendix.anchor.as_str()).or_insert((*page, None));
    }

    let first_body = cover_pages + contents_count + 1;
    let mut links = Vec::new();
    for (fixups, pages, first) in
        [(fixups, &mut pages, first_body), (closing_fixups, &mut closing_pages, closing_first)]
    {
        for fixup in fixups {
            let target = anchors.get(fixup.anchor.as_str()).copied();
            let number = target.map(|(page, _)| page.to_string()).unwrap_or_else(|| "–".to_string());
            if let Some(op) = pages.get_mut(fixup.page).and_then(|p| p.ops.get_mut(fixup.op)) {
                *op = Op::ShowText { items: vec![TextItem::Text(number)] };
            }
            if let Some((to, y)) = target {
                links.push(Link { on: first + fixup.page, rect: fixup.rect, to, y });
            }
        }
    }

    let mut all: Vec<Canvas> = Vec::with_capacity(drawn);
    if let Some(cover) = &document.cover {
        let mut canvas = Canvas::default();
        draw_cover(&mut canvas, &handles, fonts, cover);
        all.push(canvas);
    }
    if document.contents {
        let targets: Vec<(usize, f32)> = marks.iter().filter(|m| m.level <= 2).map(|m| (m.page, m.y)).collect();
        let (contents, contents_links) = contents_pages(&handles, fonts, &entries, Some(&targets));
        all.extend(contents);
        links.extend(contents_links.into_iter().map(|l| Link { on: l.on + cover_pages + 1, ..l }));
    }
    all.append(&mut pages);
    for (i, canvas) in all.iter_mut().enumerate().skip(cover_pages) {
        running_header_and_footer(canvas, &handles, fonts, document, i + 1, total);
    }
    let front_pages = all.len();
    for (i, canvas) in closing_pages.iter_mut().enumerate() {
        running_header_and_footer(canvas, &handles, fonts, document, closing_first + i, total);
    }
    all.append(&mut closing_pages);

    let glyphs = glyphs_used(&all, &handles, fonts);
    let pdf_pages: Vec<PdfPage> = all.into_iter().map(|c| PdfPage::new(Mm(210.0), Mm(297.0), c.ops)).collect();
    // Not compressed here: the assembly compresses the streams at a faster level than printpdf's.
    let options = PdfSaveOptions { optimize: false, subset_fonts: true, secure: true, image_optimization: None };
    let bytes = pdf.with_pages(pdf_pages).save(&options, &mut Vec::new());
    Ok(Drawn { bytes, marks, appendix_pages, front_pages, links, glyphs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::Badge;

    fn words(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                l.placed
                    .iter()
                    .map(|p| match &p.piece {
                        Piece::Text { text, .. } => text.clone(),
                        Piece::Badge { text, .. } => format!("[{text}]"),
                        Piece::PageOf { anchor, .. } => format!("<{anchor}>"),
                    })
                    .collect::<String>()
            })
            .collect()
    }

    #[test]
    fn text_wraps_at_spaces_and_keeps_them_within_a_line() {
        let fonts = fonts().unwrap();
        let lines = lay_out(fonts, &[Span::Text("£12.50 – Chloé’s and Siân’s notes".into())], CELL, 2000.0);
        assert_eq!(words(&lines), vec!["£12.50 – Chloé’s and Siân’s notes"]);
        let narrow = lay_out(fonts, &[Span::Text("one two three four five six".into())], CELL, 60.0);
        assert!(narrow.len() > 1);
        assert_eq!(words(&narrow).join(" "), "one two three four five six");
        for line in &narrow {
            assert!(line.placed.iter().map(|p| p.x + p.w).fold(0.0, f32::max) <= 60.01);
        }
    }

    #[test]
    fn a_word_longer_than_the_line_is_broken_where_it_must_be() {
        let fonts = fonts().unwrap();
        let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let lines = lay_out(fonts, &[Span::Text("hash ".into()), Span::Mono(hash.into())], CELL, 120.0);
        assert!(lines.len() >= 3);
        assert_eq!(words(&lines).concat().replace(' ', ""), format!("hash{hash}"));
        for line in &lines {
            assert!(line.placed.iter().map(|p| p.x + p.w).fold(0.0, f32::max) <= 120.01);
        }
    }

    #[test]
    fn a_badge_wider_than_its_cell_runs_onto_lines_of_its_own_and_keeps_its_words() {
        let fonts = fonts().unwrap();
        let badge = Span::Badge(Badge { text: "Arrangement ends within 90 days".into(), tone: Tone::Warning });
        let lines = lay_out(fonts, &[badge], CELL, 70.0);
        assert!(lines.len() >= 2, "one badge a line: {:?}", words(&lines));
        assert_eq!(words(&lines).join(" ").replace("] [", " "), "[Arrangement ends within 90 days]");
        for line in &lines {
            assert!(line.placed.iter().map(|p| p.x + p.w).fold(0.0, f32::max) <= 70.01);
        }
    }

    #[test]
    fn breaks_badges_and_page_numbers_take_their_place() {
        let fonts = fonts().unwrap();
        let spans = vec![
            Span::Text("Result ".into()),
            Span::Badge(Badge { text: "Met".into(), tone: Tone::Good }),
            Span::Break,
            Span::Text("appendix p. ".into()),
            Span::PageOf("doc-1".into()),
            Span::Text(", then".into()),
        ];
        let lines = lay_out(fonts, &spans, CELL, 400.0);
        assert_eq!(words(&lines), vec!["Result [Met]", "appendix p. <doc-1>, then"]);
        let width = fonts.regular.width("appendix p", CELL.size);
        let narrow = lay_out(fonts, &spans[3..5], CELL, width);
        assert_eq!(words(&narrow), vec!["appendix", "p. <doc-1>"], "the number stays with the word before it");
    }
}
