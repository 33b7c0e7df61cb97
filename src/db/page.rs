//! One page of a long list, read with `LIMIT`/`OFFSET` after counting, so a service with thousands
//! of rows sends fifty at a time. The stores order every list with a unique last key (the row's id)
//! so that a row is on exactly one page, and the page asked for is clamped to the pages there are.

use diesel::QueryResult;
use serde::Serialize;

/// Rows on one page of the long lists (workforce, evidence library, history).
pub const PER_PAGE: i64 = 50;

/// The most rows a list's download holds (`web::download`); a longer list's file says so.
pub const MOST_DOWNLOADED: i64 = 100_000;

/// The page to ask a store for to download a list: every row from the first, up to
/// [`MOST_DOWNLOADED`], as one page whose `total` still counts them all. An address never asks
/// for it: `web::list::ListQuery` reads a page as 1 or more.
pub const EVERY_ROW: i64 = 0;

/// Which way a list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    Ascending,
    Descending,
}

impl Direction {
    /// The code in a list's address: `asc` or `desc`.
    pub fn code(self) -> &'static str {
        match self {
            Direction::Ascending => "asc",
            Direction::Descending => "desc",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "asc" => Some(Direction::Ascending),
            "desc" => Some(Direction::Descending),
            _ => None,
        }
    }

    /// The other way.
    pub fn reversed(self) -> Self {
        match self {
            Direction::Ascending => Direction::Descending,
            Direction::Descending => Direction::Ascending,
        }
    }
}

/// One page of rows, with where it sits among the rest.
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Rows matching the filters, on every page.
    pub total: i64,
    /// This page's number, from 1.
    pub page: i64,
    /// How many pages there are: at least 1, even for no rows.
    pub pages: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    /// The page numbered `requested` (clamped to 1..=last) of `total` rows: `fetch` is given the
    /// offset and the limit to read.
    pub fn fetch(
        requested: i64,
        total: i64,
        fetch: impl FnOnce(i64, i64) -> QueryResult<Vec<T>>,
    ) -> QueryResult<Page<T>> {
        if requested == EVERY_ROW {
            let rows = if total == 0 { Vec::new() } else { fetch(0, MOST_DOWNLOADED)? };
            return Ok(Page { rows, total, page: 1, pages: 1, per_page: MOST_DOWNLOADED });
        }
        let pages = pages_for(total);
        let page = requested.clamp(1, pages);
        let rows = if total == 0 { Vec::new() } else { fetch((page - 1) * PER_PAGE, PER_PAGE)? };
        Ok(Page { rows, total, page, pages, per_page: PER_PAGE })
    }

    /// The same page with each row turned into another.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            rows: self.rows.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            pages: self.pages,
            per_page: self.per_page,
        }
    }
}

diesel::define_sql_function! {
    /// Text in lower case, for searching without regard to case (both backends have `lower`).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// [`lower`] of a column that may be empty.
    #[sql_name = "lower"]
    fn lower_nullable(text: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// The `LIKE` pattern that finds `search` anywhere in a text, its own `%`, `_` and `\` taken
/// literally (with `ESCAPE '\'`); compare it, lowered by [`lower`], with a lowered column.
pub fn contains_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Pages needed for `total` rows: at least one, so "page 1 of 1" holds an empty list.
pub fn pages_for(total: i64) -> i64 {
    ((total.max(0) + PER_PAGE - 1) / PER_PAGE).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_asked_for_is_clamped_to_the_pages_there_are() {
        let seen = |requested: i64, total: i64| {
            let mut asked = None;
            let page = Page::fetch(requested, total, |offset, limit| {
                asked = Some((offset, limit));
                Ok(vec![(); usize::try_from(limit.min(total - offset)).unwrap_or(0)])
            })
            .unwrap();
            (page.page, page.pages, page.rows.len(), asked)
        };
        assert_eq!(seen(1, 120), (1, 3, 50, Some((0, 50))));
        assert_eq!(seen(3, 120), (3, 3, 20, Some((100, 50))));
        assert_eq!(seen(9, 120), (3, 3, 20, Some((100, 50))), "past the end is the last page");
        assert_eq!(seen(-4, 120), (1, 3, 50, Some((0, 50))), "before the start is the first");
        assert_eq!(seen(2, 0), (1, 1, 0, None), "no rows: one empty page, nothing read");
        assert_eq!(seen(2, 100), (2, 2, 50, Some((50, 50))), "exactly two pages");
        assert_eq!(pages_for(101), 3);
    }

    #[test]
    fn a_search_is_taken_literally() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern("osei"), "%osei%");
    }

    #[test]
    fn directions_read_and_reverse() {
        assert_eq!(Direction::parse("desc"), Some(Direction::Descending));
        assert_eq!(Direction::parse("DESC; drop"), None);
        assert_eq!(Direction::Ascending.reversed().code(), "desc");
    }
}
