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

/// `{{ date | uk_date }}`: "2026-11-23" as "23 Nov 2026", the form UK readers expect. A text it
/// cannot read as a date (one written before the years were checked, `+10000-01-01`) is shown as
/// written: one odd date must not fail the whole page.
fn uk_date(value: &tera::Value, _: &std::collections::HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
    let text = value.as_str().ok_or_else(|| tera::Error::msg("uk_date expects a date string"))?;
    let date = text.get(..10).and_then(|day| chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok());
    Ok(tera::Value::String(match date {
        Some(date) if text.len() == 10 || text[10..].starts_with(['T', ' ']) => date.format("%-d %b %Y").to_string(),
        _ => text.to_string(),
    }))
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
        let as_written = |text: &str| uk_date(&tera::Value::String(text.into()), &Default::default()).unwrap();
        assert_eq!(as_written("2026-11-23T09:30:00Z"), tera::Value::String("23 Nov 2026".into()));
        for odd in ["23/11/2026", "+10000-01-01", "+262142-12-31", "-0001-01-01", ""] {
            assert_eq!(as_written(odd), tera::Value::String(odd.into()), "{odd} is shown as written");
        }
    }
}
