//! The page templates, compiled into the binary so a deployed `ohgov` needs no files beside it.

use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct TemplateFiles;

/// Parses every template once at start-up; a broken template stops the program there, not on the
/// first request that needs it.
pub fn load() -> Result<tera::Tera, tera::Error> {
    let mut tera = tera::Tera::default();
    let mut files = Vec::new();
    for name in TemplateFiles::iter() {
        let Some(file) = TemplateFiles::get(&name) else { continue };
        let text = String::from_utf8(file.data.into_owned())
            .map_err(|_| tera::Error::msg(format!("template {name} is not UTF-8")))?;
        files.push((name.to_string(), text));
    }
    tera.add_raw_templates(files)?;
    tera.autoescape_on(vec![".html"]);
    tera.register_filter("uk_date", uk_date);
    Ok(tera)
}

/// `{{ date | uk_date }}`: "2026-11-23" as "23 Nov 2026", the form UK readers expect.
fn uk_date(value: &tera::Value, _: &std::collections::HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let text = value.as_str().ok_or_else(|| tera::Error::msg("uk_date expects a date string"))?;
    let date = chrono::NaiveDate::parse_from_str(text.get(..10).unwrap_or(text), "%Y-%m-%d")
        .map_err(|e| tera::Error::msg(format!("uk_date: {text:?} is not a date: {e}")))?;
    Ok(tera::Value::String(date.format("%-d %b %Y").to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_dates_read_the_uk_way() {
        let tera = load().expect("templates parse");
        assert!(tera.get_template_names().any(|n| n == "layout.html"));
        let out = uk_date(&tera::Value::String("2026-11-23".into()), &Default::default()).unwrap();
        assert_eq!(out, tera::Value::String("23 Nov 2026".into()));
        assert!(uk_date(&tera::Value::String("23/11/2026".into()), &Default::default()).is_err());
    }
}
