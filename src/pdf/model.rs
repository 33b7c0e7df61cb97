//! A document as content, before it is laid out. `documents` builds the evidence pack, the annual
//! quality report and the signed audit plan as a [`Document`]; [`super::render`] draws it as a PDF
//! and [`super::html`] as an HTML page, so the two say the same thing.

use chrono::NaiveDateTime;

use super::merge::AttachedPdf;

/// One document: metadata, an optional cover and contents page, the body, and PDF documents merged
/// in after the body.
#[derive(Debug, Clone)]
pub struct Document {
    /// The metadata title, and the running header's right-hand text.
    pub title: String,
    /// The metadata author: the provider.
    pub author: String,
    /// The metadata subject: one sentence on what the document is for.
    pub subject: String,
    /// The document's language, as a BCP 47 tag: `en-GB`.
    pub language: String,
    /// When it was made (UTC): the metadata's creation date.
    pub created: NaiveDateTime,
    /// The running header's left-hand text, on every page after the cover: the provider's name.
    pub header: String,
    /// The running footer's left-hand text, on every page after the cover; "Page n of N" is set on
    /// its right, N counting every page of the file, merged documents included.
    pub footer: String,
    pub cover: Option<Cover>,
    /// Whether a contents page (headings of levels 1 and 2, with their page numbers) follows the
    /// cover.
    pub contents: bool,
    pub blocks: Vec<Block>,
    /// Documents merged after the body, in order, each bookmarked under the headings it names.
    pub appendices: Vec<Appendix>,
    /// Blocks after the merged documents, numbered on from their pages: the pack's manifest, so it
    /// closes the file as an assessor expects. Its headings are in the contents and the outline.
    pub closing: Vec<Block>,
}

impl Document {
    /// The body's blocks, then the closing ones: every heading the contents and outline list.
    pub fn all_blocks(&self) -> impl Iterator<Item = &Block> {
        self.blocks.iter().chain(self.closing.iter())
    }
}

/// The first page: no running header or footer.
#[derive(Debug, Clone, Default)]
pub struct Cover {
    pub title: String,
    pub subtitle: String,
    /// Label and value, one line each: "Provider", "Framework", "Date".
    pub facts: Vec<(String, Vec<Span>)>,
}

/// A piece of the body, laid out top to bottom.
#[derive(Debug, Clone)]
pub enum Block {
    /// A heading of level 1 to 3. Every heading is an outline entry (nested by level); levels 1 and
    /// 2 are also lines on the contents page. `anchor`, when set, is what a [`Span::PageOf`] or an
    /// [`Appendix::under`] names. A level 1 heading starts a new page. A heading is never left
    /// alone at a page's foot: it moves to the next page with the start of what follows it.
    Heading {
        level: u8,
        text: String,
        anchor: Option<String>,
    },
    Paragraph(Paragraph),
    /// Label and value pairs, one pair a line, the labels in a column of their own.
    Facts(Vec<(String, Vec<Span>)>),
    Table(Table),
    Chart(Chart),
    /// The next block starts a new page.
    PageBreak,
}

/// Wrapped text. `muted` is smaller and grey, for notes such as "No evidence attached".
#[derive(Debug, Clone, Default)]
pub struct Paragraph {
    pub spans: Vec<Span>,
    pub muted: bool,
}

impl Paragraph {
    /// Text a person wrote in a form (a narrative, a plan): a blank line starts a new paragraph,
    /// a single line end is kept as a break. Empty when there are no words.
    pub fn free_text(words: &str) -> Vec<Block> {
        let normalised = words.replace("\r\n", "\n");
        normalised
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|paragraph| {
                let mut spans = Vec::new();
                for (i, line) in paragraph.lines().enumerate() {
                    if i > 0 {
                        spans.push(Span::Break);
                    }
                    spans.push(Span::Text(line.trim_end().to_string()));
                }
                Block::Paragraph(Paragraph { spans, muted: false })
            })
            .collect()
    }

    pub fn text(text: impl Into<String>) -> Block {
        Block::Paragraph(Paragraph { spans: vec![Span::Text(text.into())], muted: false })
    }

    pub fn muted(text: impl Into<String>) -> Block {
        Block::Paragraph(Paragraph { spans: vec![Span::Text(text.into())], muted: true })
    }
}

/// A run of text within a paragraph, a fact or a table cell. Text wraps at spaces; a word longer
/// than the line (a hash, a long address) is broken where it must be.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    Text(String),
    Bold(String),
    /// A fixed-width run, for hashes and file names.
    Mono(String),
    Badge(Badge),
    /// The page number on which the heading or appendix with this anchor starts, as a bare number.
    PageOf(String),
    /// A line break within the paragraph or cell.
    Break,
}

impl Span {
    /// Plain text as a table cell or a fact's value.
    pub fn cell(text: impl Into<String>) -> Vec<Span> {
        vec![Span::Text(text.into())]
    }
}

/// A status in words, drawn as a coloured label: the words carry the meaning, the colour repeats it.
#[derive(Debug, Clone, PartialEq)]
pub struct Badge {
    pub text: String,
    pub tone: Tone,
}

/// A badge's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warning,
    Bad,
    Neutral,
}

/// Rows under a header row that is repeated at the top of each page the table runs onto. A row is
/// never split across pages unless it is taller than a page.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    /// Each row has one cell per column.
    pub rows: Vec<Vec<Vec<Span>>>,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    /// The column's share of the width, against the other columns' shares.
    pub width: f32,
}

impl Column {
    /// A table's columns from (title, share of the width) pairs.
    pub fn list(spec: &[(&str, f32)]) -> Vec<Column> {
        spec.iter().map(|(title, width)| Column { title: (*title).to_string(), width: *width }).collect()
    }
}

/// A vector chart, drawn from the same geometry as the web page's SVG
/// ([`crate::quality::chart::Chart`]): axes, gridlines with labels, the target line, and the
/// points as a line or as bars.
#[derive(Debug, Clone)]
pub struct Chart {
    pub kind: ChartKind,
    pub drawing: crate::quality::chart::Chart,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Line,
    Bar,
}

/// An attached PDF document merged after the body.
#[derive(Debug, Clone)]
pub struct Appendix {
    /// Its outline entry: the evidence item's title.
    pub title: String,
    /// The anchors of the headings its outline entries are nested under: the standards it
    /// evidences. A document attached to several standards is merged once and bookmarked under each.
    pub under: Vec<String>,
    /// Its own anchor, for "appendix p. N" ([`Span::PageOf`]).
    pub anchor: String,
    pub pdf: AttachedPdf,
}
