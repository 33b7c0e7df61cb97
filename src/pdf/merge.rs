//! Attached PDF documents, read once with lopdf: an encrypted or damaged file is refused here with
//! the reason in words, so the pack lists it as unreadable (with its hash) and is still made.
//! [`append`] copies a read document's pages after a document's body.

use std::collections::{HashMap, HashSet};

use lopdf::{Dictionary, Object, ObjectId};

use super::RenderError;

/// An attached PDF that lopdf read, ready to be merged after a document's body.
#[derive(Debug, Clone)]
pub struct AttachedPdf {
    pub(crate) document: lopdf::Document,
    /// Its number of pages.
    pub pages: u32,
    /// The size of the file it was read from, in bytes (to size the merged file's buffer).
    pub size: usize,
}

/// Why an attached "PDF" cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    #[error("it is encrypted")]
    Encrypted,
    #[error("it could not be read as a PDF ({0})")]
    Damaged(String),
    #[error("it has no pages")]
    NoPages,
}

/// Page attributes a page may inherit from the page tree above it (ISO 32000-1, 7.7.3.4): copied
/// onto the page itself when it moves into another document's tree.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

/// Reads an attached file as a PDF to merge. A file that lopdf loads but whose pages cannot be
/// found (a broken page tree, a page that is not a dictionary) is `Damaged`.
pub fn read(bytes: &[u8]) -> Result<AttachedPdf, Unreadable> {
    if !bytes.starts_with(b"%PDF-") && !bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
        return Err(Unreadable::Damaged("it does not start as a PDF file does".into()));
    }
    let document = match lopdf::Document::load_mem(bytes) {
        Ok(document) => document,
        Err(lopdf::Error::Decryption(_)) | Err(lopdf::Error::InvalidPassword) => return Err(Unreadable::Encrypted),
        Err(e) if e.to_string().to_lowercase().contains("encrypt") => return Err(Unreadable::Encrypted),
        Err(e) => return Err(Unreadable::Damaged(e.to_string())),
    };
    // Refused even when it opens without a password: what an assessor is sent must not depend on
    // a copy the author protected.
    if document.is_encrypted() || document.was_encrypted() || document.trailer.has(b"Encrypt") {
        return Err(Unreadable::Encrypted);
    }
    let broken = || Unreadable::Damaged("its page tree is broken".into());
    let root = document
        .catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
        .and_then(|id| document.get_dictionary(id))
        .map_err(|_| broken())?;
    let declared = root.get(b"Count").and_then(Object::as_i64).unwrap_or(0);
    let pages = document.get_pages();
    if pages.len() as i64 != declared {
        return Err(broken());
    }
    if pages.is_empty() {
        return Err(Unreadable::NoPages);
    }
    for id in pages.values() {
        let page =
            document.get_dictionary(*id).map_err(|_| Unreadable::Damaged("one of its pages is missing".into()))?;
        if inherited(&document, page, b"MediaBox").is_none() {
            return Err(Unreadable::Damaged("one of its pages has no size".into()));
        }
    }
    Ok(AttachedPdf { document, pages: pages.len() as u32, size: bytes.len() })
}

/// A page's own value for `key`, or the nearest one up its page tree.
fn inherited<'d>(document: &'d lopdf::Document, page: &'d Dictionary, key: &[u8]) -> Option<&'d Object> {
    let mut node = page;
    for _ in 0..64 {
        if let Ok(value) = node.get(key) {
            return Some(value);
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = document.get_dictionary(parent).ok()?;
    }
    None
}

/// Copies `attached`'s pages into `doc` (their objects renumbered after `doc`'s, each page under
/// the page tree node `pages_id`), and returns the new pages' ids in order. The caller puts them
/// in the tree's /Kids.
pub(crate) fn append(
    doc: &mut lopdf::Document,
    pages_id: ObjectId,
    attached: &AttachedPdf,
) -> Result<Vec<ObjectId>, RenderError> {
    let source = &attached.document;
    let page_ids: Vec<ObjectId> = source.get_pages().into_values().collect();

    // Everything the pages use, found by following references from them (not up through
    // /Parent, which would reach the source's own page tree and catalogue).
    let mut keep: HashSet<ObjectId> = page_ids.iter().copied().collect();
    let mut queue: Vec<ObjectId> = Vec::new();
    for id in &page_ids {
        let page = source.get_dictionary(*id).map_err(|e| RenderError::Assembly(e.to_string()))?;
        for (key, value) in page.iter() {
            if key.as_slice() != b"Parent" {
                references(value, &mut queue);
            }
        }
        for key in INHERITED {
            if !page.has(key) {
                if let Some(value) = inherited(source, page, key) {
                    references(value, &mut queue);
                }
            }
        }
    }
    while let Some(id) = queue.pop() {
        if !keep.insert(id) {
            continue;
        }
        if let Ok(object) = source.get_object(id) {
            match object {
                Object::Dictionary(d) => {
                    for (key, value) in d.iter() {
                        if key.as_slice() != b"Parent" {
                            references(value, &mut queue);
                        }
                    }
                }
                other => references(other, &mut queue),
            }
        }
    }

    let offset = doc.max_id;
    let mut renumbered: HashMap<ObjectId, ObjectId> = HashMap::with_capacity(keep.len());
    let mut next = offset;
    let mut kept: Vec<ObjectId> = keep.into_iter().filter(|id| source.objects.contains_key(id)).collect();
    kept.sort_unstable();
    for id in &kept {
        next += 1;
        renumbered.insert(*id, (next, 0));
    }
    doc.max_id = next;

    for id in &kept {
        let Some(object) = source.objects.get(id) else { continue };
        let mut object = object.clone();
        renumber(&mut object, &renumbered);
        if let (Object::Dictionary(page), true) = (&mut object, page_ids.contains(id)) {
            if let Ok(original) = source.get_dictionary(*id) {
                for key in INHERITED {
                    if !page.has(key) {
                        if let Some(value) = inherited(source, original, key) {
                            let mut value = value.clone();
                            renumber(&mut value, &renumbered);
                            page.set(key, value);
                        }
                    }
                }
            }
            page.set("Parent", Object::Reference(pages_id));
        }
        doc.objects.insert(renumbered[id], object);
    }
    Ok(page_ids.iter().filter_map(|id| renumbered.get(id).copied()).collect())
}

fn references(object: &Object, out: &mut Vec<ObjectId>) {
    match object {
        Object::Reference(id) => out.push(*id),
        Object::Array(items) => items.iter().for_each(|o| references(o, out)),
        Object::Dictionary(d) => d.iter().for_each(|(_, o)| references(o, out)),
        Object::Stream(s) => s.dict.iter().for_each(|(_, o)| references(o, out)),
        _ => {}
    }
}

/// Points references at their new numbers; one to an object not copied becomes null.
fn renumber(object: &mut Object, map: &HashMap<ObjectId, ObjectId>) {
    match object {
        Object::Reference(id) => match map.get(id) {
            Some(new) => *id = *new,
            None => *object = Object::Null,
        },
        Object::Array(items) => items.iter_mut().for_each(|o| renumber(o, map)),
        Object::Dictionary(d) => d.iter_mut().for_each(|(_, o)| renumber(o, map)),
        Object::Stream(s) => s.dict.iter_mut().for_each(|(_, o)| renumber(o, map)),
        _ => {}
    }
}
