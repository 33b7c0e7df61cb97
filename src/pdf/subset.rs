//! Font subsetting by stripping outlines. printpdf embeds whole fonts when built without its layout
//! engine (about 1.8 MB for the three DejaVu faces, in every document). Here the embedded font
//! keeps only the outlines of the glyphs the document draws (and those they are built from), with
//! every glyph id unchanged, so printpdf's content streams, widths and ToUnicode map stay right.
//! The tables a PDF viewer does not use (glyph substitution and positioning, kerning, glyph
//! names) are dropped.

use std::collections::BTreeSet;

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([*data.get(at)?, *data.get(at + 1)?, *data.get(at + 2)?, *data.get(at + 3)?]))
}

/// Tables kept: what a PDF viewer needs to draw a TrueType font's glyphs.
const KEPT: [&[u8; 4]; 13] = [
    b"OS/2", b"cmap", b"cvt ", b"fpgm", b"gasp", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"name", b"prep",
];

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// The font `font` with only the outlines of `glyphs` (plus .notdef and the components of
/// composite glyphs). `None` when the font is not a TrueType font this can read; the caller then
/// keeps the whole font.
pub(super) fn strip(font: &[u8], glyphs: &BTreeSet<u16>) -> Option<Vec<u8>> {
    let tables = usize::from(u16_at(font, 4)?);
    let mut directory: Vec<([u8; 4], &[u8])> = Vec::with_capacity(tables);
    for i in 0..tables {
        let record = 12 + 16 * i;
        let tag: [u8; 4] = font.get(record..record + 4)?.try_into().ok()?;
        let offset = u32_at(font, record + 8)? as usize;
        let length = u32_at(font, record + 12)? as usize;
        directory.push((tag, font.get(offset..offset.checked_add(length)?)?));
    }
    let table = |tag: &[u8; 4]| directory.iter().find(|(t, _)| t == tag).map(|(_, d)| *d);
    let head = table(b"head")?;
    let glyf = table(b"glyf")?;
    let loca = table(b"loca")?;
    let glyph_count = usize::from(u16_at(table(b"maxp")?, 4)?);
    let long = u16_at(head, 50)? == 1;
    let offset = |g: usize| -> Option<usize> {
        if long {
            u32_at(loca, g * 4).map(|v| v as usize)
        } else {
            u16_at(loca, g * 2).map(|v| usize::from(v) * 2)
        }
    };
    let outline = |g: usize| -> Option<&[u8]> { glyf.get(offset(g)?..offset(g + 1)?) };

    // The glyphs to keep, with the components of composite glyphs.
    let mut keep = vec![false; glyph_count];
    let mut queue: Vec<u16> = glyphs.iter().copied().chain([0]).collect();
    while let Some(g) = queue.pop() {
        let g = usize::from(g);
        if g >= glyph_count || keep[g] {
            continue;
        }
        keep[g] = true;
        let data = outline(g)?;
        if data.len() >= 10 && (u16_at(data, 0)? as i16) < 0 {
            let mut at = 10;
            loop {
                let flags = u16_at(data, at)?;
                queue.push(u16_at(data, at + 2)?);
                at += 4 + if flags & 0x0001 != 0 { 4 } else { 2 };
                at += if flags & 0x0008 != 0 {
                    2
                } else if flags & 0x0040 != 0 {
                    4
                } else if flags & 0x0080 != 0 {
                    8
                } else {
                    0
                };
                if flags & 0x0020 == 0 {
                    break;
                }
            }
        }
    }

    let mut new_glyf = Vec::new();
    let mut new_loca = Vec::with_capacity((glyph_count + 1) * 4);
    for (g, kept) in keep.iter().enumerate() {
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
        if *kept {
            new_glyf.extend_from_slice(outline(g)?);
            while new_glyf.len() % 4 != 0 {
                new_glyf.push(0);
            }
        }
    }
    new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
    let mut new_head = head.to_vec();
    new_head.get_mut(8..12)?.copy_from_slice(&[0; 4]);
    new_head.get_mut(50..52)?.copy_from_slice(&1u16.to_be_bytes());

    let mut out_tables: Vec<([u8; 4], Vec<u8>)> = directory
        .iter()
        .filter(|(tag, _)| KEPT.contains(&tag))
        .map(|(tag, data)| {
            let data = match tag {
                b"glyf" => std::mem::take(&mut new_glyf),
                b"loca" => std::mem::take(&mut new_loca),
                b"head" => new_head.clone(),
                _ => data.to_vec(),
            };
            (*tag, data)
        })
        .collect();
    out_tables.sort_by_key(|t| t.0);

    let n = out_tables.len() as u16;
    let entry_selector = 15 - n.max(1).leading_zeros() as u16;
    let search_range = (1u16 << entry_selector) * 16;
    let mut out = Vec::with_capacity(font.len() / 4);
    out.extend_from_slice(&font[0..4]);
    for v in [n, search_range, entry_selector, n * 16 - search_range] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * out_tables.len();
    let mut head_at = None;
    for (tag, data) in &out_tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += data.len().div_ceil(4) * 4;
    }
    for (_, data) in &out_tables {
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    let at = head_at? + 8;
    out.get_mut(at..at + 4)?.copy_from_slice(&adjustment.to_be_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use printpdf::ParsedFont;

    #[test]
    fn a_stripped_font_keeps_its_glyph_ids_metrics_and_the_outlines_used() {
        let original: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
        let font = ParsedFont::from_bytes(original, 0, &mut Vec::new()).unwrap();
        let used: BTreeSet<u16> = "Chloé £12.50 –’".chars().filter_map(|c| font.lookup_glyph_index(c as u32)).collect();
        let stripped = strip(original, &used).unwrap();
        assert!(stripped.len() < original.len() / 5, "{} of {}", stripped.len(), original.len());
        let again = ParsedFont::from_bytes(&stripped, 0, &mut Vec::new()).unwrap();
        for c in "Chloé £12.50 –’xyz".chars() {
            let gid = font.lookup_glyph_index(c as u32);
            assert_eq!(again.lookup_glyph_index(c as u32), gid, "{c} keeps its glyph id");
            assert_eq!(gid.and_then(|g| again.get_glyph_width(g)), gid.and_then(|g| font.get_glyph_width(g)));
        }
        assert_eq!(checksum(&stripped), 0xB1B0_AFBA, "the head's checksum adjustment is right");
    }

    #[test]
    fn what_is_not_a_font_is_left_to_the_caller() {
        assert!(strip(b"not a font at all", &BTreeSet::new()).is_none());
    }
}
