//! The touches a drawn page gets where they need the whole page, which no template macro can see:
//! every table made a keyboard-reachable box of its own that scrolls sideways on a small screen,
//! the error summary put in the order its fields appear on the page, and the page's title copied
//! into the heading that only print shows.
//!
//! They read only the markup our own layout and macros write (`<table class="table">`, the
//! summary's list, the print heading), and leave a page they do not recognise as it is.

/// The page, finished.
pub fn page(html: String) -> String {
    let html = print_title(html);
    let html = summary_in_page_order(html);
    scrolling_tables(html)
}

const TABLE: &str = "<table class=\"table";
const TABLE_END: &str = "</table>";

/// Where the next of our tables starts in `html`: a `<table>` whose class list starts with `table`
/// (`class="table"`, or `class="table table--compact"` with a modifier after it).
fn next_table(html: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = html[from..].find(TABLE) {
        let start = from + found;
        let after = start + TABLE.len();
        if html[after..].starts_with('"') || html[after..].starts_with(' ') {
            return Some(start);
        }
        from = after;
    }
    None
}

/// Wraps each table in a region that scrolls sideways, so a wide table never widens the page. The
/// region is named after the table's caption, else the heading before it, for a screen reader
/// and for whoever reaches it with the keyboard (it takes the focus, so it can be scrolled by keys).
fn scrolling_tables(html: String) -> String {
    if next_table(&html).is_none() {
        return html;
    }
    let mut out = String::with_capacity(html.len() + 256);
    let mut rest = html.as_str();
    let mut done = 0;
    while let Some(start) = next_table(rest) {
        let Some(length) = rest[start..].find(TABLE_END).map(|end| end + TABLE_END.len()) else { break };
        let table = &rest[start..start + length];
        let label = caption(table).or_else(|| last_heading(&html[..done + start])).unwrap_or_else(|| "Table".into());
        out.push_str(&rest[..start]);
        out.push_str(&format!(
            "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">",
            label.replace('"', "&quot;")
        ));
        out.push_str(table);
        out.push_str("</div>");
        done += start + length;
        rest = &rest[start + length..];
    }
    out.push_str(rest);
    out
}

/// The text of a table's caption, if it has one.
fn caption(table: &str) -> Option<String> {
    let open = table.find("<caption")?;
    let text_start = open + table[open..].find('>')? + 1;
    let text_end = text_start + table[text_start..].find("</caption>")?;
    Some(text_of(&table[text_start..text_end])).filter(|text| !text.is_empty())
}

/// The text of the last heading (h1 to h3) in `before`, the page up to a table.
fn last_heading(before: &str) -> Option<String> {
    let open = ["<h1", "<h2", "<h3"].iter().filter_map(|tag| before.rfind(tag)).max()?;
    let level = &before[open + 1..open + 3];
    let text_start = open + before[open..].find('>')? + 1;
    let text_end = text_start + before[text_start..].find(&format!("</{level}>"))?;
    Some(text_of(&before[text_start..text_end])).filter(|text| !text.is_empty())
}

/// Markup's text: tags dropped, white space closed up. Entities stay as written, already escaped.
fn text_of(markup: &str) -> String {
    let mut text = String::with_capacity(markup.len());
    let mut in_tag = false;
    for c in markup.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

const SUMMARY_LIST: &str = "<ul class=\"error-summary__list\">";

/// Puts the error summary's problems in the order their fields appear on the page (a form's
/// problems are found field by field in whatever order its checks run). A problem whose field is
/// not on the page keeps its place after the others.
fn summary_in_page_order(html: String) -> String {
    let Some(open) = html.find(SUMMARY_LIST) else { return html };
    let items_start = open + SUMMARY_LIST.len();
    let Some(items_end) = html[items_start..].find("</ul>").map(|end| items_start + end) else { return html };
    let after = &html[items_end..];
    let mut items: Vec<(usize, &str)> = html[items_start..items_end]
        .split_inclusive("</li>")
        .map(|item| {
            let field = item.split("href=\"#").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default();
            let place = if field.is_empty() { None } else { after.find(&format!(" id=\"{field}\"")) };
            (place.unwrap_or(usize::MAX), item)
        })
        .collect();
    items.sort_by_key(|(place, _)| *place);
    let mut out = String::with_capacity(html.len());
    out.push_str(&html[..items_start]);
    items.iter().for_each(|(_, item)| out.push_str(item));
    out.push_str(after);
    out
}

const PRINT_TITLE: &str = "<span class=\"print-heading__title\"></span>";

/// Copies the page's title (the `<title>`, less the product's name after it) into the heading
/// that print shows: the page's own title block is written once, in the layout's `<head>`.
fn print_title(html: String) -> String {
    let Some(slot) = html.find(PRINT_TITLE) else { return html };
    let title = html.find("<title>").and_then(|open| {
        let start = open + "<title>".len();
        html[start..].find("</title>").map(|end| &html[start..start + end])
    });
    let Some(title) = title else { return html };
    let title = title.rsplit_once(" – ").map_or(title, |(page, _product)| page).trim();
    let filled = format!("<span class=\"print-heading__title\">{title}</span>");
    format!("{}{filled}{}", &html[..slot], &html[slot + PRINT_TITLE.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_scrolls_in_a_region_named_by_its_caption_or_heading() {
        let page = "<h2>Versions <span>(3)</span></h2><table class=\"table\"><tr><td>1</td></tr></table>\
                    <p>between</p><table class=\"table\"><caption class=\"visually-hidden\">People &amp; posts</caption></table>"
            .to_string();
        let finished = scrolling_tables(page);
        assert_eq!(
            finished,
            "<h2>Versions <span>(3)</span></h2><div class=\"table-wrap\" role=\"region\" tabindex=\"0\" \
             aria-label=\"Versions (3)\"><table class=\"table\"><tr><td>1</td></tr></table></div>\
             <p>between</p><div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"People &amp; posts\">\
             <table class=\"table\"><caption class=\"visually-hidden\">People &amp; posts</caption></table></div>"
        );
        let unclosed = "<table class=\"table\"><tr>".to_string();
        assert_eq!(scrolling_tables(unclosed.clone()), unclosed, "markup it does not recognise is left alone");
    }

    #[test]
    fn a_table_with_a_modifier_class_scrolls_too_and_another_class_is_left_alone() {
        let compact = "<h1>Providers</h1><table class=\"table table--compact\"><tr><td>1</td></tr></table>".to_string();
        assert_eq!(
            scrolling_tables(compact),
            "<h1>Providers</h1><div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Providers\">\
             <table class=\"table table--compact\"><tr><td>1</td></tr></table></div>"
        );
        let other = "<table class=\"tablet\"><tr><td>1</td></tr></table>".to_string();
        assert_eq!(scrolling_tables(other.clone()), other, "a class that only starts with \"table\" is not ours");
    }

    #[test]
    fn the_summary_follows_the_order_of_the_fields_on_the_page() {
        let page = "<ul class=\"error-summary__list\"><li><a href=\"#notes\">N</a></li><li><a href=\"#elsewhere\">E</a></li>\
                    <li><a href=\"#date\">D</a></li></ul><form><input id=\"date\"><textarea id=\"notes\"></textarea></form>"
            .to_string();
        let finished = summary_in_page_order(page);
        let order: Vec<&str> = finished.match_indices("href=\"#").map(|(i, _)| &finished[i + 7..i + 11]).collect();
        assert_eq!(order, ["date", "note", "else"]);
        assert!(finished.ends_with("<textarea id=\"notes\"></textarea></form>"));
    }

    #[test]
    fn print_shows_the_page_title() {
        let page = "<title>Findings: Northshire – ohgov</title><p class=\"print-heading\"><span class=\"print-heading__title\"></span></p>"
            .to_string();
        assert!(print_title(page).contains("<span class=\"print-heading__title\">Findings: Northshire</span>"));
    }
}
