//! After printpdf has drawn the pages: the attached PDFs are appended, then the outline (nested
//! by heading level, each appendix under the headings it names), the language, the page mode and
//! the document information are written, all with lopdf.

use std::collections::{BTreeSet, HashMap};

use lopdf::{Dictionary, Object, ObjectId};

use super::render::{Drawn, Mark, PAGE_H};
use super::{merge, subset, Document, RenderError};

/// One outline entry and its children.
struct Node {
    title: String,
    /// The page, in the final file, from 1.
    page: usize,
    /// Where on the page to show; `None` shows the whole page.
    y: Option<f32>,
    children: Vec<usize>,
}

/// The outline as a tree (indices into `nodes`): headings nested by level, appendices under the
/// headings whose anchors they name (or at the top when they name none that exists).
fn outline(marks: &[Mark], document: &Document, appendix_pages: &[usize]) -> (Vec<Node>, Vec<usize>) {
    let mut nodes: Vec<Node> = Vec::with_capacity(marks.len() + document.appendices.len());
    let mut roots = Vec::new();
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut by_anchor: HashMap<&str, usize> = HashMap::new();
    for mark in marks {
        let id = nodes.len();
        nodes.push(Node { title: mark.text.clone(), page: mark.page, y: Some(mark.y), children: Vec::new() });
        while stack.last().is_some_and(|(level, _)| *level >= mark.level) {
            stack.pop();
        }
        match stack.last() {
            Some((_, parent)) => nodes[*parent].children.push(id),
            None => roots.push(id),
        }
        stack.push((mark.level, id));
        if let Some(anchor) = &mark.anchor {
            by_anchor.entry(anchor.as_str()).or_insert(id);
        }
    }
    for (appendix, page) in document.appendices.iter().zip(appendix_pages) {
        let parents: Vec<usize> = appendix.under.iter().filter_map(|a| by_anchor.get(a.as_str()).copied()).collect();
        if parents.is_empty() {
            let id = nodes.len();
            nodes.push(Node { title: appendix.title.clone(), page: *page, y: None, children: Vec::new() });
            roots.push(id);
        }
        for parent in parents {
            let id = nodes.len();
            nodes.push(Node { title: appendix.title.clone(), page: *page, y: None, children: Vec::new() });
            nodes[parent].children.push(id);
        }
    }
    (nodes, roots)
}

fn assembly(e: impl std::fmt::Display) -> RenderError {
    RenderError::Assembly(e.to_string())
}

/// Replaces each embedded DejaVu face with the outlines of the glyphs it draws.
fn subset_fonts(doc: &mut lopdf::Document, glyphs: &[BTreeSet<u16>; 3]) -> Result<(), RenderError> {
    let fonts = super::fonts::fonts()?;
    let faces = [&fonts.regular, &fonts.bold, &fonts.mono];
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else { continue };
        if stream.dict.has(b"Filter") {
            continue;
        }
        let Some(i) = faces.iter().position(|f| f.bytes.len() == stream.content.len() && f.bytes == stream.content)
        else {
            continue;
        };
        if let Some(stripped) = subset::strip(faces[i].bytes, &glyphs[i]) {
            stream.dict.set("Length1", Object::Integer(stripped.len() as i64));
            stream.set_content(stripped);
        }
    }
    Ok(())
}

/// Compresses the drawn pages' streams (contents, fonts) that are not yet compressed, at zlib's
/// fast level: an eighth of the time of the best level, for a file a little larger.
fn compress(doc: &mut lopdf::Document) {
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else { continue };
        if !stream.allows_compression || stream.dict.has(b"Filter") {
            continue;
        }
        let mut encoder = ZlibEncoder::new(Vec::with_capacity(stream.content.len() / 3), Compression::fast());
        if encoder.write_all(&stream.content).is_err() {
            continue;
        }
        if let Ok(compressed) = encoder.finish() {
            if compressed.len() < stream.content.len() {
                stream.dict.set("Filter", Object::from("FlateDecode"));
                stream.set_content(compressed);
            }
        }
    }
}

/// A PDF date: `D:20261201093000Z`.
fn pdf_date(at: chrono::NaiveDateTime) -> Object {
    Object::string_literal(at.format("D:%Y%m%d%H%M%SZ").to_string())
}

/// A destination: the page, at `y` from its bottom when given (a heading's top), or the whole
/// page.
fn destination(page: ObjectId, y: Option<f32>) -> Object {
    Object::Array(match y {
        Some(y) => {
            vec![Object::Reference(page), "XYZ".into(), Object::Null, Object::Real((y + 6.0).min(PAGE_H)), Object::Null]
        }
        None => vec![Object::Reference(page), "Fit".into()],
    })
}

/// Writes the outline items of `ids` (siblings under `parent`) and returns (first, last) ids.
fn write_items(
    doc: &mut lopdf::Document,
    nodes: &[Node],
    ids: &[usize],
    parent: ObjectId,
    page_ids: &[ObjectId],
) -> Option<(ObjectId, ObjectId)> {
    let object_ids: Vec<ObjectId> = ids.iter().map(|_| doc.new_object_id()).collect();
    for (i, (&node_id, &object_id)) in ids.iter().zip(&object_ids).enumerate() {
        let node = &nodes[node_id];
        let Some(&page) = page_ids.get(node.page.saturating_sub(1)) else { continue };
        let dest = destination(page, node.y);
        let mut item = Dictionary::from_iter(vec![
            ("Title", lopdf::text_string(&node.title)),
            ("Parent", Object::Reference(parent)),
            ("Dest", dest),
        ]);
        if i > 0 {
            item.set("Prev", Object::Reference(object_ids[i - 1]));
        }
        if let Some(next) = object_ids.get(i + 1) {
            item.set("Next", Object::Reference(*next));
        }
        if let Some((first, last)) = write_items(doc, nodes, &node.children, object_id, page_ids) {
            item.set("First", Object::Reference(first));
            item.set("Last", Object::Reference(last));
            // Closed: opening it shows its children.
            item.set("Count", Object::Integer(-(node.children.len() as i64)));
        }
        doc.objects.insert(object_id, Object::Dictionary(item));
    }
    Some((*object_ids.first()?, *object_ids.last()?))
}

pub(super) fn assemble(document: &Document, drawn: Drawn) -> Result<Vec<u8>, RenderError> {
    let mut doc = lopdf::Document::load_mem(&drawn.bytes).map_err(assembly)?;
    doc.version = "1.7".to_string();
    let catalog_id = doc.trailer.get(b"Root").and_then(Object::as_reference).map_err(assembly)?;
    let pages_id = doc.catalog().and_then(|c| c.get(b"Pages")).and_then(Object::as_reference).map_err(assembly)?;
    let mut page_ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
    subset_fonts(&mut doc, &drawn.glyphs)?;
    compress(&mut doc);

    // The drawn closing pages go after the merged documents.
    let closing_ids = page_ids.split_off(drawn.front_pages.min(page_ids.len()));
    for appendix in &document.appendices {
        page_ids.extend(merge::append(&mut doc, pages_id, &appendix.pdf)?);
    }
    page_ids.extend(closing_ids);
    {
        let pages = doc.get_dictionary_mut(pages_id).map_err(assembly)?;
        pages.set("Kids", Object::Array(page_ids.iter().map(|id| Object::Reference(*id)).collect()));
        pages.set("Count", Object::Integer(page_ids.len() as i64));
    }

    for link in &drawn.links {
        let (Some(&on), Some(&to)) = (page_ids.get(link.on.saturating_sub(1)), page_ids.get(link.to.saturating_sub(1)))
        else {
            continue;
        };
        let annotation = Dictionary::from_iter(vec![
            ("Type", Object::from("Annot")),
            ("Subtype", Object::from("Link")),
            ("Rect", Object::Array(link.rect.iter().map(|v| Object::Real(*v)).collect())),
            ("Border", Object::Array(vec![0.into(), 0.into(), 0.into()])),
            ("Dest", destination(to, link.y)),
        ]);
        let id = doc.add_object(Object::Dictionary(annotation));
        let page = doc.get_dictionary_mut(on).map_err(assembly)?;
        match page.get_mut(b"Annots") {
            Ok(Object::Array(annots)) => annots.push(Object::Reference(id)),
            _ => page.set("Annots", Object::Array(vec![Object::Reference(id)])),
        }
    }

    let (nodes, roots) = outline(&drawn.marks, document, &drawn.appendix_pages);
    let outlines_id = doc.new_object_id();
    let items = write_items(&mut doc, &nodes, &roots, outlines_id, &page_ids);
    let mut outlines = Dictionary::from_iter(vec![("Type", Object::from("Outlines"))]);
    if let Some((first, last)) = items {
        outlines.set("First", Object::Reference(first));
        outlines.set("Last", Object::Reference(last));
        outlines.set("Count", Object::Integer(roots.len() as i64));
    }
    doc.objects.insert(outlines_id, Object::Dictionary(outlines));

    let old_info = doc.trailer.get(b"Info").and_then(Object::as_reference).ok();
    if let Some(id) = old_info {
        doc.objects.remove(&id);
    }
    let info = Dictionary::from_iter(vec![
        ("Title", lopdf::text_string(&document.title)),
        ("Author", lopdf::text_string(&document.author)),
        ("Subject", lopdf::text_string(&document.subject)),
        ("Creator", lopdf::text_string("ohgov")),
        ("Producer", lopdf::text_string("ohgov")),
        ("CreationDate", pdf_date(document.created)),
        ("ModDate", pdf_date(document.created)),
    ]);
    let info_id = doc.add_object(Object::Dictionary(info));
    doc.trailer.set("Info", Object::Reference(info_id));

    let catalog = doc.get_dictionary_mut(catalog_id).map_err(assembly)?;
    catalog.set("Outlines", Object::Reference(outlines_id));
    catalog.set("PageMode", Object::from(if items.is_some() { "UseOutlines" } else { "UseNone" }));
    catalog.set("Lang", lopdf::text_string(&document.language));
    catalog.set(
        "ViewerPreferences",
        Object::Dictionary(Dictionary::from_iter(vec![("DisplayDocTitle", Object::Boolean(true))])),
    );

    let mut out = Vec::with_capacity(drawn.bytes.len() + document.appendices.iter().map(|a| a.pdf.size).sum::<usize>());
    doc.save_to(&mut out).map_err(assembly)?;
    Ok(out)
}
