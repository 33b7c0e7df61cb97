//! Reading a made PDF back as a person (or an assessor's tool) would: its pages' text, its outline,
//! its metadata and language. Every document's tests use these, so they check what the reader gets
//! rather than what the builder meant. All of them panic on a file lopdf cannot read: in a test,
//! that is the failure.

use std::collections::BTreeMap;

use lopdf::{Document, Object, ObjectId};

fn load(bytes: &[u8]) -> Document {
    Document::load_mem(bytes).expect("the PDF loads")
}

/// The number of pages in the file.
pub fn page_count(bytes: &[u8]) -> usize {
    load(bytes).get_pages().len()
}

/// Each page's extracted text, in page order (lopdf's `extract_text`: a line of the page is a line
/// of the text).
pub fn pages_text(bytes: &[u8]) -> Vec<String> {
    let doc = load(bytes);
    doc.get_pages().keys().map(|n| doc.extract_text(&[*n]).unwrap_or_default()).collect()
}

/// The whole file's extracted text, pages joined by a blank line.
pub fn text(bytes: &[u8]) -> String {
    pages_text(bytes).join("\n")
}

/// The numbers (from 1) of the pages whose text contains `needle`.
pub fn pages_with(bytes: &[u8], needle: &str) -> Vec<usize> {
    pages_text(bytes).iter().enumerate().filter(|(_, t)| t.contains(needle)).map(|(i, _)| i + 1).collect()
}

fn text_of(object: &Object) -> String {
    lopdf::decode_text_string(object).unwrap_or_else(|_| String::from_utf8_lossy(object.as_str().unwrap_or(b"")).into())
}

fn resolve<'d>(doc: &'d Document, object: &'d Object) -> &'d Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).expect("a referenced object exists"),
        other => other,
    }
}

/// The outline (bookmarks) in reading order: (depth from 0, title, page number from 1).
pub fn outline(bytes: &[u8]) -> Vec<(usize, String, u32)> {
    let doc = load(bytes);
    let pages: BTreeMap<ObjectId, u32> = doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
    let mut out = Vec::new();
    let Ok(catalog) = doc.catalog() else { return out };
    let Ok(outlines) = catalog.get(b"Outlines") else { return out };
    let outlines = resolve(&doc, outlines).as_dict().expect("/Outlines is a dictionary");
    let mut first = outlines.get(b"First").and_then(Object::as_reference).ok();
    walk(&doc, &pages, &mut first, 0, &mut out);
    out
}

fn walk(
    doc: &Document,
    pages: &BTreeMap<ObjectId, u32>,
    item: &mut Option<ObjectId>,
    depth: usize,
    out: &mut Vec<(usize, String, u32)>,
) {
    while let Some(id) = *item {
        let dict = doc.get_dictionary(id).expect("an outline item is a dictionary");
        let title = dict.get(b"Title").map(text_of).unwrap_or_default();
        let dest = dict
            .get(b"Dest")
            .map(|d| resolve(doc, d))
            .ok()
            .or_else(|| {
                let action = resolve(doc, dict.get(b"A").ok()?).as_dict().ok()?;
                Some(resolve(doc, action.get(b"D").ok()?))
            })
            .and_then(|d| d.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|p| p.as_reference().ok());
        let page = dest.and_then(|p| pages.get(&p).copied()).unwrap_or(0);
        out.push((depth, title, page));
        let mut child = dict.get(b"First").and_then(Object::as_reference).ok();
        walk(doc, pages, &mut child, depth + 1, out);
        *item = dict.get(b"Next").and_then(Object::as_reference).ok();
    }
}

/// The document information dictionary: Title, Author, Subject, CreationDate, Producer…
pub fn info(bytes: &[u8]) -> BTreeMap<String, String> {
    let doc = load(bytes);
    let mut out = BTreeMap::new();
    let Ok(info) = doc.trailer.get(b"Info") else { return out };
    let Ok(info) = resolve(&doc, info).as_dict() else { return out };
    for (key, value) in info.iter() {
        out.insert(String::from_utf8_lossy(key).into_owned(), text_of(resolve(&doc, value)));
    }
    out
}

/// The catalogue's /Lang: the document's language.
pub fn language(bytes: &[u8]) -> Option<String> {
    let doc = load(bytes);
    let lang = doc.catalog().ok()?.get(b"Lang").ok()?;
    Some(text_of(resolve(&doc, lang)))
}

/// The catalogue's /PageMode: `UseOutlines` when the bookmarks open with the file.
pub fn page_mode(bytes: &[u8]) -> Option<String> {
    let doc = load(bytes);
    let mode = doc.catalog().ok()?.get(b"PageMode").ok()?.as_name().ok()?;
    Some(String::from_utf8_lossy(mode).into_owned())
}

/// A small PDF of `pages` pages, page n saying `"{label} page n"`, made with printpdf's built-in
/// Helvetica: an attachment to merge in tests.
pub fn small_pdf(label: &str, pages: usize) -> Vec<u8> {
    use printpdf::{BuiltinFont, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem};
    let pages = (1..=pages)
        .map(|n| {
            PdfPage::new(
                Mm(210.0),
                Mm(297.0),
                vec![
                    Op::StartTextSection,
                    Op::SetFont { font: PdfFontHandle::Builtin(BuiltinFont::Helvetica), size: Pt(14.0) },
                    Op::SetTextCursor { pos: Point { x: Pt(72.0), y: Pt(720.0) } },
                    Op::ShowText { items: vec![TextItem::Text(format!("{label} page {n}"))] },
                    Op::EndTextSection,
                ],
            )
        })
        .collect();
    PdfDocument::new(label).with_pages(pages).save(&PdfSaveOptions::default(), &mut Vec::new())
}

/// The links on each page: (page it is on, page it leads to), pages from 1, in page order.
pub fn links(bytes: &[u8]) -> Vec<(u32, u32)> {
    let doc = load(bytes);
    let pages = doc.get_pages();
    let numbers: BTreeMap<ObjectId, u32> = pages.iter().map(|(n, id)| (*id, *n)).collect();
    let mut out = Vec::new();
    for (n, id) in &pages {
        let page = doc.get_dictionary(*id).expect("a page is a dictionary");
        let Ok(annots) = page.get(b"Annots") else { continue };
        for annot in resolve(&doc, annots).as_array().expect("/Annots is an array") {
            let Ok(annot) = resolve(&doc, annot).as_dict() else { continue };
            let to = annot
                .get(b"Dest")
                .ok()
                .and_then(|d| resolve(&doc, d).as_array().ok())
                .and_then(|a| a.first())
                .and_then(|p| p.as_reference().ok())
                .and_then(|p| numbers.get(&p).copied());
            if let Some(to) = to {
                out.push((*n, to));
            }
        }
    }
    out
}
