//! The page templates, compiled into the binary so a deployed `ohgov` needs no files beside it.

use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct TemplateFiles;

/// Parses every template once at start-up; a broken template stops the program there, not on the
/// first request that needs it.
pub fn load() -> Result<tera::Tera, tera::Error> {
    load_matching(|_| true)
}

/// The email templates alone (`mail/`), for the outbox, which renders a message when it is queued,
/// inside a store's transaction, where no page's templates are at hand.
pub fn load_mail() -> Result<tera::Tera, tera::Error> {
    load_matching(|name| name.starts_with("mail/"))
}

fn load_matching(wanted: impl Fn(&str) -> bool) -> Result<tera::Tera, tera::Error> {
    let mut tera = tera::Tera::default();
    let mut files = Vec::new();
    for name in TemplateFiles::iter().filter(|name| wanted(name)) {
        let Some(file) = TemplateFiles::get(&name) else { continue };
        let text = String::from_utf8(file.data.into_owned())
            .map_err(|_| tera::Error::msg(format!("template {name} is not UTF-8")))?;
        files.push((name.to_string(), text));
    }
    tera.add_raw_templates(files)?;
    tera.autoescape_on(vec![".html"]);
    tera.register_filter("uk_date", uk_date);
    tera.register_filter("uk_month", uk_month);
    tera.register_filter("uk_time", uk_time);
    tera.register_filter("plural", plural);
    Ok(tera)
}

type Args = std::collections::HashMap<String, tera::Value>;

/// A stored instant: the database keeps UTC without a zone ("2026-11-23T14:08:00", with or
/// without fractions of a second, or an RFC 3339 text with its own offset), shown in London time.
fn london_instant(text: &str) -> Option<chrono::DateTime<chrono_tz::Tz>> {
    let utc = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .map(|naive| naive.and_utc())
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(text).map(|at| at.to_utc()))
        .ok()?;
    Some(utc.with_timezone(&chrono_tz::Europe::London))
}

/// The text a filter was given; a missing value (an optional field left out) shows as empty.
fn text_of<'a>(value: &'a tera::Value, filter: &str) -> tera::Result<&'a str> {
    match value {
        tera::Value::Null => Ok(""),
        other => other.as_str().ok_or_else(|| tera::Error::msg(format!("{filter} expects a date string"))),
    }
}

/// `{{ date | uk_date }}`: see [`uk_date_text`].
fn uk_date(value: &tera::Value, _: &Args) -> tera::Result<tera::Value> {
    Ok(tera::Value::String(uk_date_text(text_of(value, "uk_date")?)))
}

/// "2026-11-23" as "23 Nov 2026", the form UK readers expect; an instant as the day it was in
/// London. A text it cannot read as a date (one written before the years were checked,
/// `+10000-01-01`) is given back as written: one odd date must not fail the whole page.
pub fn uk_date_text(text: &str) -> String {
    // Four-digit years only: chrono also reads "+10000-01-01".
    let four_digit_year = text.get(..4).is_some_and(|year| year.bytes().all(|b| b.is_ascii_digit()));
    if !four_digit_year {
        return text.to_string();
    }
    match (chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d"), london_instant(text)) {
        (Ok(date), _) => date.format("%-d %b %Y").to_string(),
        (_, Some(at)) => at.format("%-d %b %Y").to_string(),
        _ => text.to_string(),
    }
}

/// A stored UTC instant as the time in London with its zone, "14:08 GMT" or "15:08 BST"; None when
/// the text is not an instant.
pub fn uk_time_text(text: &str) -> Option<String> {
    london_instant(text).map(|at| at.format("%H:%M %Z").to_string())
}

/// `{{ month | uk_month }}`: "2025-12" (or any date in it) as "Dec 2025". Shown as written when
/// it is not a month.
fn uk_month(value: &tera::Value, _: &Args) -> tera::Result<tera::Value> {
    let text = text_of(value, "uk_month")?;
    let first = text.get(..7).map(|month| format!("{month}-01"));
    let date = first.and_then(|day| chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok());
    Ok(tera::Value::String(match date {
        Some(date) if text.len() == 7 || text.as_bytes().get(7) == Some(&b'-') => date.format("%b %Y").to_string(),
        _ => text.to_string(),
    }))
}

/// `{{ instant | uk_time }}`: a stored UTC instant as the time in London with its zone, "14:08 GMT"
/// in winter and "15:08 BST" in summer, so no reader has to add an hour. Pair it with `uk_date`,
/// which gives the London day of the same instant. Shown as written when it is not an instant.
fn uk_time(value: &tera::Value, _: &Args) -> tera::Result<tera::Value> {
    let text = text_of(value, "uk_time")?;
    Ok(tera::Value::String(uk_time_text(text).unwrap_or_else(|| text.to_string())))
}

/// `{{ count | plural(one="arrangement") }}`: "1 arrangement", "2 arrangements"; `many` for a
/// word whose plural is not made with an s (`plural(one="person", many="people")`). The number is
/// written with the word, so no page can show one without the other.
fn plural(value: &tera::Value, args: &Args) -> tera::Result<tera::Value> {
    let count = value.as_i64().or_else(|| value.as_u64().map(|n| n as i64));
    let count = count.ok_or_else(|| tera::Error::msg("plural expects a whole number"))?;
    let one = args.get("one").and_then(|v| v.as_str()).ok_or_else(|| tera::Error::msg("plural needs one=\"word\""))?;
    let word = match args.get("many").and_then(|v| v.as_str()) {
        _ if count == 1 => one.to_string(),
        Some(many) => many.to_string(),
        None => format!("{one}s"),
    };
    Ok(tera::Value::String(format!("{count} {word}")))
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

    fn shown(filter: fn(&tera::Value, &Args) -> tera::Result<tera::Value>, text: &str) -> String {
        match filter(&tera::Value::String(text.into()), &Default::default()).unwrap() {
            tera::Value::String(text) => text,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn times_show_in_london_with_the_zone_gmt_in_winter_and_bst_in_summer() {
        assert_eq!(shown(uk_time, "2026-11-23T14:08:00"), "14:08 GMT");
        assert_eq!(shown(uk_time, "2026-07-01T08:30:00.123456"), "09:30 BST");
        assert_eq!(shown(uk_time, "2026-07-01T08:30:00Z"), "09:30 BST");
        // The night of 30 June: 23:30 UTC is already 1 July in London, and the day says so.
        assert_eq!(shown(uk_date, "2026-06-30T23:30:00"), "1 Jul 2026");
        assert_eq!(shown(uk_time, "2026-06-30T23:30:00"), "00:30 BST");
        assert_eq!(shown(uk_time, "not a time"), "not a time");
        let missing = uk_time(&tera::Value::Null, &Default::default()).unwrap();
        assert_eq!(missing, tera::Value::String(String::new()));
    }

    #[test]
    fn months_show_as_dec_2025() {
        assert_eq!(shown(uk_month, "2025-12"), "Dec 2025");
        assert_eq!(shown(uk_month, "2026-04-01"), "Apr 2026");
        assert_eq!(shown(uk_month, "2026/27"), "2026/27", "not a month: shown as written");
    }

    #[test]
    fn one_arrangement_and_two_arrangements() {
        let args = |pairs: &[(&str, &str)]| -> Args {
            pairs.iter().map(|(k, v)| (k.to_string(), tera::Value::String(v.to_string()))).collect()
        };
        let one = args(&[("one", "arrangement")]);
        assert_eq!(plural(&1.into(), &one).unwrap(), tera::Value::String("1 arrangement".into()));
        assert_eq!(plural(&2.into(), &one).unwrap(), tera::Value::String("2 arrangements".into()));
        assert_eq!(plural(&0.into(), &one).unwrap(), tera::Value::String("0 arrangements".into()));
        let person = args(&[("one", "person"), ("many", "people")]);
        assert_eq!(plural(&1.into(), &person).unwrap(), tera::Value::String("1 person".into()));
        assert_eq!(plural(&12.into(), &person).unwrap(), tera::Value::String("12 people".into()));
    }
}
