//! What an evidence item must be before it is saved: its fields, and for a file, a type judged
//! from its content. Pure.

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::form::optional_date;
use crate::form::FieldErrors;

/// The longest title: it has to fit a line of the evidence pack's index.
pub const TITLE_LIMIT: usize = 200;
/// The longest description, the same as a standard's narrative.
pub const DESCRIPTION_LIMIT: usize = 20_000;

crate::vocabulary! {
    /// An item is a file, a link to where the evidence lives, or a note saying what shows it.
    pub enum EvidenceKind {
        File => ("file", "File"),
        Link => ("link", "Link"),
        Note => ("note", "Note"),
    }
    name = "evidence kind", stored_in = [evidence_items.kind];
}

crate::vocabulary! {
    /// The file types evidence may be.
    pub enum FileType {
        Pdf => ("pdf", "PDF"),
        Word => ("word", "Word document"),
        Excel => ("excel", "Excel workbook"),
        Png => ("png", "PNG image"),
        Jpeg => ("jpeg", "JPEG image"),
        Text => ("text", "Plain text"),
        Csv => ("csv", "CSV"),
    }
    name = "file type", stored_in = [];
}

impl FileType {
    /// The file name endings that claim each type.
    fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Pdf => &["pdf"],
            FileType::Word => &["doc", "docx"],
            FileType::Excel => &["xls", "xlsx"],
            FileType::Png => &["png"],
            FileType::Jpeg => &["jpg", "jpeg"],
            FileType::Text => &["txt", "text"],
            FileType::Csv => &["csv"],
        }
    }
}

/// What the content of a file is, and the media type it is served with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identified {
    pub file_type: FileType,
    pub media_type: String,
}

/// Plain text: valid UTF-8 (a byte-order mark allowed) with no control characters but tab, line
/// ends and form feed.
fn is_plain_text(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c')),
        Err(_) => false,
    }
}

fn extension(file_name: &str) -> Option<String> {
    file_name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase())
}

/// What a refused file is, in words a person knows ("a Windows program", "a ZIP archive"), not
/// its media type.
fn described(found: infer::Type) -> String {
    use infer::MatcherType;
    let ext = found.extension().to_ascii_uppercase();
    match (found.mime_type(), found.matcher_type()) {
        ("application/vnd.microsoft.portable-executable", _) => "a Windows program".into(),
        ("application/zip", _) => "a ZIP archive".into(),
        ("text/html", _) => "a web page".into(),
        (_, MatcherType::App) => "a program or system file".into(),
        (_, MatcherType::Archive) => format!("a compressed archive ({ext})"),
        (_, MatcherType::Audio) => format!("a sound recording ({ext})"),
        (_, MatcherType::Video) => format!("a video ({ext})"),
        (_, MatcherType::Image) => format!("an image of a kind we do not take ({ext})"),
        (_, MatcherType::Font) => "a font".into(),
        (_, MatcherType::Book) => "an e-book".into(),
        (_, MatcherType::Doc) if matches!(found.extension(), "ppt" | "pptx") => "a PowerPoint presentation".into(),
        (_, MatcherType::Doc) => format!("a document of a kind we do not take ({ext})"),
        _ => format!("a file of a kind we do not take ({ext})"),
    }
}

/// Judges a file's type from its content. The name only separates CSV from plain text (the same
/// bytes) and is refused when it claims a type the content is not, so a renamed file cannot pass
/// as another.
pub fn identify(bytes: &[u8], file_name: &str) -> Result<Identified, String> {
    let allowed = "Evidence files may be PDF, Word, Excel, PNG, JPEG, plain text or CSV";
    let claimed = extension(file_name)
        .and_then(|ext| FileType::ALL.iter().copied().find(|t| t.extensions().contains(&ext.as_str())));
    let detected = infer::get(bytes);
    let file_type = match detected.map(|t| t.mime_type()) {
        Some("application/pdf") => FileType::Pdf,
        Some("application/msword")
        | Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document") => FileType::Word,
        Some("application/vnd.ms-excel")
        | Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") => FileType::Excel,
        Some("image/png") => FileType::Png,
        Some("image/jpeg") => FileType::Jpeg,
        Some(_) => {
            let words = detected.map(described).unwrap_or_default();
            return Err(format!("The file is {words}, which is not accepted. {allowed}"));
        }
        None if is_plain_text(bytes) => {
            if claimed == Some(FileType::Csv) {
                FileType::Csv
            } else {
                FileType::Text
            }
        }
        None => return Err(format!("The file's content is not a type we accept. {allowed}")),
    };
    if let Some(claimed) = claimed {
        if claimed != file_type {
            return Err(format!(
                "The file is named as {} but its content is {}. Check you chose the right file",
                claimed.label(),
                file_type.label()
            ));
        }
    }
    let media_type = match file_type {
        FileType::Text => "text/plain; charset=utf-8".to_string(),
        FileType::Csv => "text/csv; charset=utf-8".to_string(),
        _ => detected.map(|t| t.mime_type().to_string()).unwrap_or_default(),
    };
    Ok(Identified { file_type, media_type })
}

/// Unicode's bidirectional marks, embeddings, overrides and isolates (U+200E/F, U+202A–U+202E,
/// U+2066–U+2069): they can make `txt.exe` display as `exe.txt`, so names lose them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The name a file is stored and downloaded under: the last part of what the browser sent
/// (some send a whole path), with control characters, bidirectional controls and quotes taken
/// out (cleaned, not refused: the name is only a label; the content was judged on its own).
pub fn clean_file_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String =
        last.chars().filter(|c| !c.is_control() && !is_bidi_control(*c) && *c != '"').take(200).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "evidence".into()
    } else {
        cleaned
    }
}

/// The name with an extension of the type the content is, so a file is never kept or served
/// under a name that runs when opened (`page.html` holding text is kept as `page.txt`). A name
/// ending in the type's own extension is kept as it is; any other ending (`.html`, `.js`, `.hta`,
/// none at all) gives way to the type's extension. A name claiming another accepted type never
/// gets here: [`identify`] refuses it.
pub fn with_own_extension(file_name: &str, file_type: FileType, content: &[u8]) -> String {
    if extension(file_name).is_some_and(|ext| file_type.extensions().contains(&ext.as_str())) {
        return file_name.to_string();
    }
    let own = match file_type {
        FileType::Text => "txt",
        FileType::Csv => "csv",
        FileType::Pdf => "pdf",
        FileType::Png => "png",
        FileType::Jpeg => "jpg",
        // Old and new Office formats each have their own ending; the content says which.
        FileType::Word | FileType::Excel => match infer::get(content).map(|t| t.extension()) {
            Some(ext) if file_type.extensions().contains(&ext) => ext,
            _ => file_type.extensions()[1],
        },
    };
    let stem = match file_name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => file_name,
    };
    format!("{}.{own}", stem.trim_end_matches('.'))
}

/// An uploaded file that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub content: Vec<u8>,
}

/// Checks a file: not empty, within the limit, of an accepted type.
pub fn check_upload(content: Vec<u8>, sent_name: &str, limit_bytes: usize) -> Result<Upload, String> {
    if content.is_empty() {
        return Err("The selected file is empty".into());
    }
    if content.len() > limit_bytes {
        return Err(format!("The selected file must be smaller than {} MB", limit_bytes / (1024 * 1024)));
    }
    let file_name = clean_file_name(sent_name);
    let identified = identify(&content, &file_name)?;
    let file_name = with_own_extension(&file_name, identified.file_type, &content);
    let sha256 = hex::encode(Sha256::digest(&content));
    Ok(Upload { file_name, media_type: identified.media_type, sha256, content })
}

/// An item's details as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct EvidenceInput {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub owner_user_id: String,
    pub effective_on: String,
    pub review_due: String,
    pub contains_patient_data: bool,
    pub link_url: String,
    /// Standard references, as typed or ticked.
    pub standards: Vec<String>,
    /// The reference of a kind in the catalogue's list of document kinds, or empty.
    pub document_kind: String,
}

/// The evidence form as the page sends it: a tick box for patient data, and standards ticked one
/// by one (or typed, several to a box).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct EvidenceForm {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub owner_user_id: String,
    pub effective_on: String,
    pub review_due: String,
    pub contains_patient_data: String,
    pub link_url: String,
    pub standards: Vec<String>,
    pub document_kind: String,
}

/// Values of a repeated field, each split where it lists several (commas or spaces).
pub fn listed(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(|c: char| c == ',' || c.is_whitespace()).map(str::to_string))
        .filter(|v| !v.is_empty())
        .collect()
}

impl From<EvidenceForm> for EvidenceInput {
    fn from(form: EvidenceForm) -> Self {
        EvidenceInput {
            kind: form.kind,
            title: form.title,
            description: form.description,
            owner_user_id: form.owner_user_id,
            effective_on: form.effective_on,
            review_due: form.review_due,
            contains_patient_data: matches!(form.contains_patient_data.as_str(), "yes" | "on" | "true"),
            link_url: form.link_url,
            standards: listed(&form.standards),
            document_kind: form.document_kind,
        }
    }
}

/// Checks a whole upload form: the details and the file, every problem at once.
pub fn check_submission(
    input: &EvidenceInput,
    file: Option<(String, Vec<u8>)>,
    too_large: bool,
    limit_bytes: usize,
) -> Result<(EvidenceDetails, Option<Upload>), FieldErrors> {
    let mut errors = FieldErrors::default();
    let details = input.parse().map_err(|e| e.0.into_iter().for_each(|(f, m)| errors.add(f, m))).ok();
    let wants_file = details.as_ref().is_none_or(|d| d.kind == EvidenceKind::File);
    let upload = if too_large {
        errors.add("file", format!("The selected file must be smaller than {} MB", limit_bytes / (1024 * 1024)));
        None
    } else {
        match file {
            Some((name, content)) if wants_file => match check_upload(content, &name, limit_bytes) {
                Ok(upload) => Some(upload),
                Err(message) => {
                    errors.add("file", message);
                    None
                }
            },
            _ => None,
        }
    };
    if wants_file && upload.is_none() && !errors.0.contains_key("file") && details.is_some() {
        errors.add("file", "Choose a file to upload");
    }
    match details {
        Some(details) if errors.is_empty() => Ok((details, upload)),
        _ => Err(errors),
    }
}

/// Checked details of an item (the file, if any, is checked apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceDetails {
    pub kind: EvidenceKind,
    pub title: String,
    pub description: String,
    pub owner_user_id: Option<i32>,
    pub effective_on: Option<NaiveDate>,
    pub review_due: Option<NaiveDate>,
    pub contains_patient_data: bool,
    pub link_url: Option<String>,
    pub standards: Vec<String>,
    /// What kind of document commissioners ask for this is (`staff_development_plan`), if any:
    /// a reference the store checks against the catalogue's current list.
    pub document_kind: Option<String>,
}

impl EvidenceInput {
    /// Every bad field at once.
    pub fn parse(&self) -> Result<EvidenceDetails, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = EvidenceKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "Choose whether this is a file, a link or a note");
        }
        let title = self.title.trim().to_string();
        if title.is_empty() {
            errors.add("title", "Enter a title");
        } else if title.chars().count() > TITLE_LIMIT {
            errors.add("title", format!("The title must be {TITLE_LIMIT} characters or fewer"));
        }
        let description = self.description.trim().to_string();
        if description.chars().count() > DESCRIPTION_LIMIT {
            errors.add("description", format!("The description must be {DESCRIPTION_LIMIT} characters or fewer"));
        } else if description.is_empty() && kind == Some(EvidenceKind::Note) {
            errors.add("description", "Write the note: what shows the standard is met, and where");
        }
        let link_url = self.link_url.trim().to_string();
        let link_url = if kind == Some(EvidenceKind::Link) {
            let valid = validator::ValidateUrl::validate_url(&link_url)
                && (link_url.starts_with("https://") || link_url.starts_with("http://"));
            if !valid {
                errors.add("link_url", "Enter the address of the evidence, starting https://");
            }
            Some(link_url)
        } else {
            None
        };
        let owner_user_id = match self.owner_user_id.trim() {
            "" => None,
            id => id.parse::<i32>().map_err(|_| errors.add("owner_user_id", "Choose someone from the list")).ok(),
        };
        let effective_on = optional_date(&mut errors, "effective_on", &self.effective_on);
        let review_due = optional_date(&mut errors, "review_due", &self.review_due);
        if let (Some(effective), Some(review)) = (effective_on, review_due) {
            if review < effective {
                errors.add("review_due", "The review date cannot be before the document's effective date");
            }
        }
        let mut standards: Vec<String> =
            self.standards.iter().map(|s| s.trim().to_uppercase()).filter(|s| !s.is_empty()).collect();
        standards.sort();
        standards.dedup();
        let document_kind = Some(self.document_kind.trim().to_string()).filter(|k| !k.is_empty());
        match kind {
            Some(kind) if errors.is_empty() => Ok(EvidenceDetails {
                kind,
                title,
                description,
                owner_user_id,
                effective_on,
                review_due,
                contains_patient_data: self.contains_patient_data,
                link_url,
                standards,
                document_kind,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: usize = 1024 * 1024;

    #[test]
    fn types_are_judged_from_content() {
        let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec();
        assert_eq!(identify(&pdf, "policy.pdf").unwrap().file_type, FileType::Pdf);
        assert_eq!(identify(&pdf, "no-extension").unwrap().media_type, "application/pdf");
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        assert_eq!(identify(&png, "chart.png").unwrap().file_type, FileType::Png);
        let jpeg = b"\xFF\xD8\xFF\xE0\0\x10JFIF".to_vec();
        assert_eq!(identify(&jpeg, "photo.JPG").unwrap().file_type, FileType::Jpeg);
        assert_eq!(identify(b"date,count\n2026-11-23,4\n", "kpis.csv").unwrap().file_type, FileType::Csv);
        assert_eq!(identify("\u{feff}Minutes\r\n".as_bytes(), "minutes.txt").unwrap().file_type, FileType::Text);
    }

    #[test]
    fn a_renamed_or_unlisted_file_is_refused() {
        let text_as_pdf = identify(b"just words", "policy.pdf").unwrap_err();
        assert_eq!(
            text_as_pdf,
            "The file is named as PDF but its content is Plain text. Check you chose the right file"
        );
        let exe = identify(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF", "report.pdf").unwrap_err();
        assert!(exe.starts_with("The file is a Windows program, which is not accepted."), "{exe}");
        let zip = identify(b"PK\x03\x04\x14\0\0\0\0\0", "archive.zip").unwrap_err();
        assert!(zip.starts_with("The file is a ZIP archive,"), "{zip}");
        assert!(!zip.contains("application/"), "no media types: {zip}");
        let binary = identify(&[0u8, 1, 2, 3, 200, 201], "data.txt").unwrap_err();
        assert!(binary.contains("not a type we accept"));
    }

    #[test]
    fn uploads_must_have_content_within_the_limit() {
        assert_eq!(check_upload(vec![], "a.txt", MB).unwrap_err(), "The selected file is empty");
        assert_eq!(
            check_upload(vec![b'a'; MB + 1], "a.txt", MB).unwrap_err(),
            "The selected file must be smaller than 1 MB"
        );
        let at_limit = check_upload(vec![b'a'; MB], "C:\\fakepath\\notes.txt", MB).unwrap();
        assert_eq!(at_limit.file_name, "notes.txt");
        assert_eq!(at_limit.sha256.len(), 64);
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\"b\r\n.pdf"), "ab.pdf");
        assert_eq!(clean_file_name("..."), "evidence");
    }

    #[test]
    fn file_names_lose_bidirectional_controls() {
        assert_eq!(clean_file_name("report\u{202E}fdp.exe"), "reportfdp.exe");
        assert_eq!(clean_file_name("a\u{200E}\u{200F}\u{202A}\u{202B}\u{202C}\u{202D}b.txt"), "ab.txt");
        assert_eq!(clean_file_name("\u{2066}\u{2067}c\u{2068}\u{2069}.txt"), "c.txt");
        assert_eq!(clean_file_name("tab\there\u{7f}.txt"), "tabhere.txt");
    }

    #[test]
    fn files_are_kept_only_under_their_own_types_extension() {
        for name in ["page.html", "page.htm", "page.js", "page.hta", "page.HTML", "page"] {
            let kept = check_upload(b"alert(document.cookie)\n".to_vec(), name, MB).unwrap();
            assert_eq!(kept.file_name, "page.txt", "{name}");
            assert_eq!(kept.media_type, "text/plain; charset=utf-8");
        }
        assert_eq!(check_upload(b"a,b\n".to_vec(), "kpis.csv", MB).unwrap().file_name, "kpis.csv");
        assert_eq!(check_upload(b"words".to_vec(), "notes.text", MB).unwrap().file_name, "notes.text");
        assert_eq!(check_upload(b"words".to_vec(), "v1.2 notes.svg", MB).unwrap().file_name, "v1.2 notes.txt");
        let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec();
        assert_eq!(check_upload(pdf.clone(), "policy.PDF", MB).unwrap().file_name, "policy.PDF");
        assert_eq!(check_upload(pdf.clone(), "policy.html", MB).unwrap().file_name, "policy.pdf");
        assert_eq!(check_upload(pdf, "policy", MB).unwrap().file_name, "policy.pdf");
        let jpeg = b"\xFF\xD8\xFF\xE0\0\x10JFIF".to_vec();
        assert_eq!(check_upload(jpeg.clone(), "photo.jpeg", MB).unwrap().file_name, "photo.jpeg");
        assert_eq!(check_upload(jpeg, "photo.hta", MB).unwrap().file_name, "photo.jpg");
        assert_eq!(check_upload(b"words".to_vec(), ".html", MB).unwrap().file_name, "html.txt");
    }

    fn input(kind: &str) -> EvidenceInput {
        EvidenceInput { kind: kind.into(), title: "Hand hygiene audit 2026".into(), ..Default::default() }
    }

    #[test]
    fn a_review_date_before_the_effective_date_is_refused() {
        let bad = EvidenceInput { effective_on: "2026-04-01".into(), review_due: "31/03/2026".into(), ..input("file") };
        assert_eq!(
            bad.parse().unwrap_err().0["review_due"],
            "The review date cannot be before the document's effective date"
        );
        let same_day = EvidenceInput { review_due: "2026-04-01".into(), ..bad };
        assert!(same_day.parse().is_ok());
    }

    #[test]
    fn links_need_an_address_and_notes_need_words() {
        assert!(input("link").parse().unwrap_err().0.contains_key("link_url"));
        let javascript = EvidenceInput { link_url: "javascript:alert(1)".into(), ..input("link") };
        assert!(javascript.parse().unwrap_err().0.contains_key("link_url"));
        let link = EvidenceInput { link_url: "https://intranet.example.nhs.uk/oh/policy".into(), ..input("link") };
        assert!(link.parse().is_ok());
        assert!(input("note").parse().unwrap_err().0.contains_key("description"));
        let standards = EvidenceInput { standards: vec![" gf1 ".into(), "GF1".into(), "".into()], ..input("file") };
        assert_eq!(standards.parse().unwrap().standards, ["GF1"]);
    }
}
