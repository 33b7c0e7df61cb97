//! The messages' two bodies, plain text and HTML, drawn from `templates/mail/` with the same
//! filters as the pages (`uk_date` for "23 Nov 2026"). Every template gets `base_url` (links are
//! `{{ base_url }}/providers/3/workforce`), `recipient_name` and `subject`.

use std::sync::OnceLock;

use super::Letter;

/// A message's bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bodies {
    pub text: String,
    pub html: String,
}

/// The mail templates, parsed once.
fn templates() -> Result<&'static tera::Tera, String> {
    static TEMPLATES: OnceLock<Result<tera::Tera, String>> = OnceLock::new();
    TEMPLATES
        .get_or_init(|| crate::web::templates::load_mail().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// Draws `letter`'s bodies from `mail/{template}.txt` and `mail/{template}.html`.
pub fn render(letter: &Letter) -> Result<Bodies, String> {
    let tera = templates()?;
    let mut context = letter.context.clone();
    context.insert("base_url", &super::base_url());
    context.insert("recipient_name", &letter.to.name);
    context.insert("subject", &letter.subject);
    let draw = |extension: &str| {
        let name = format!("mail/{}.{extension}", letter.template);
        tera.render(&name, &context).map_err(|error| {
            let mut text = format!("{name}: {error}");
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            text
        })
    };
    Ok(Bodies { text: draw("txt")?, html: draw("html")? })
}
