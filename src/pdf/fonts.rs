//! The three DejaVu faces, parsed once per process, with their advance widths in a flat table so
//! measuring a line is a lookup per character, not a search.

use std::sync::OnceLock;

use printpdf::ParsedFont;

use super::RenderError;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
const MONO: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");

/// Code points below this are measured from a flat table; the rest (rare in these documents)
/// through the font's own maps. It covers Latin, Welsh and Irish letters, punctuation such as
/// – and ’, the currency signs and arrows.
const TABLE: usize = 0x2200;

/// A typeface of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
    Mono,
}

/// One face: the parsed font (handed to printpdf, which embeds a subset of it) and its widths.
pub(crate) struct Font {
    pub parsed: ParsedFont,
    /// The font file, which printpdf embeds and [`super::subset`] strips.
    pub bytes: &'static [u8],
    /// Advance widths in font units for code points below [`TABLE`].
    widths: Vec<u16>,
    /// The advance of the glyph drawn for a character the font lacks (.notdef).
    missing: u16,
    units_per_em: f32,
}

impl Font {
    fn parse(bytes: &'static [u8], name: &str) -> Result<Font, String> {
        let parsed =
            ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).ok_or_else(|| format!("{name} could not be parsed"))?;
        let missing = parsed.get_glyph_width(0).unwrap_or(0);
        let widths = (0..TABLE as u32).map(|cp| advance_of(&parsed, cp, missing)).collect();
        let units_per_em = f32::from(parsed.units_per_em.max(1));
        Ok(Font { parsed, bytes, widths, missing, units_per_em })
    }

    /// The width of `text` at `size` points, as printpdf will draw it (glyph advances, no kerning).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .map(|c| {
                let cp = c as usize;
                u32::from(if cp < TABLE { self.widths[cp] } else { advance_of(&self.parsed, c as u32, self.missing) })
            })
            .sum();
        units as f32 * size / self.units_per_em
    }

    /// The width of one character at `size` points.
    pub fn char_width(&self, c: char, size: f32) -> f32 {
        let cp = c as usize;
        let units = if cp < TABLE { self.widths[cp] } else { advance_of(&self.parsed, c as u32, self.missing) };
        f32::from(units) * size / self.units_per_em
    }
}

fn advance_of(font: &ParsedFont, cp: u32, missing: u16) -> u16 {
    match font.lookup_glyph_index(cp) {
        Some(gid) => font.get_glyph_width(gid).unwrap_or(missing),
        None => missing,
    }
}

/// The document's faces.
pub(crate) struct Fonts {
    pub regular: Font,
    pub bold: Font,
    pub mono: Font,
}

impl Fonts {
    pub fn face(&self, face: Face) -> &Font {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
            Face::Mono => &self.mono,
        }
    }
}

/// The faces, parsed on first use and kept for the life of the process.
pub(crate) fn fonts() -> Result<&'static Fonts, RenderError> {
    static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            Ok(Fonts {
                regular: Font::parse(REGULAR, "DejaVu Sans")?,
                bold: Font::parse(BOLD, "DejaVu Sans Bold")?,
                mono: Font::parse(MONO, "DejaVu Sans Mono")?,
            })
        })
        .as_ref()
        .map_err(|e| RenderError::Font(e.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_come_from_the_font_and_grow_with_the_text() {
        let fonts = fonts().unwrap();
        let a = fonts.regular.width("Chloé", 10.0);
        assert!(a > 20.0 && a < 40.0, "{a}");
        assert!((fonts.regular.width("Chloé Siân", 10.0) - (a + fonts.regular.width(" Siân", 10.0))).abs() < 0.01);
        assert!(fonts.bold.width("Chloé", 10.0) > a);
        let mono = fonts.mono.width("abcd", 10.0);
        assert!((mono - 4.0 * fonts.mono.char_width('i', 10.0)).abs() < 0.01, "mono is fixed-width");
    }
}
