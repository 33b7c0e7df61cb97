//! A long list's address: `?q=&sort=&dir=&page=` beside the list's own filters, so a view can be
//! shared. Read leniently: an unknown sort falls back to the list's default, a bad direction to the
//! column's own, a bad page to the first (and the store clamps it to the last); nothing here fails
//! a request. [`ListQuery::view`] gives the template (`templates/list.html`) the sort headers'
//! and the pager's links, each keeping every other parameter.

use serde::Serialize;

use crate::db::page::{Direction, Page};

/// The longest search kept; the rest of a pasted paragraph is dropped.
const SEARCH_CHARS: usize = 100;

/// A list's sort keys: a closed list of codes, with the one used when none (or an unknown one) is
/// asked for.
pub trait SortKey: Copy + PartialEq + 'static {
    const ALL: &'static [Self];
    const DEFAULT: Self;

    /// The code in the address (`name`, `review_due`).
    fn code(self) -> &'static str;

    /// The way the column sorts when first chosen: names A to Z, dates newest first where that is
    /// what people look for.
    fn first_direction(self) -> Direction {
        Direction::Ascending
    }
}

/// Implements [`SortKey`] for a store's sort enum from one table of its columns: each variant with
/// its code in the address, the default, and the one column (if any) that sorts descending first.
///
/// ```ignore
/// sort_keys!(LibrarySort, default Uploaded, descending first [Uploaded],
///     Uploaded => "uploaded", Title => "title");
/// ```
#[macro_export]
macro_rules! sort_keys {
    ($sort:ident, default $default:ident, descending first [$($descending:ident)?], $($variant:ident => $code:literal),+ $(,)?) => {
        impl $crate::web::list::SortKey for $sort {
            const ALL: &'static [$sort] = &[$($sort::$variant),+];
            const DEFAULT: $sort = $sort::$default;

            fn code(self) -> &'static str {
                match self {
                    $($sort::$variant => $code),+
                }
            }

            fn first_direction(self) -> $crate::db::Direction {
                match self {
                    $($sort::$descending => $crate::db::Direction::Descending,)?
                    #[allow(unreachable_patterns)]
                    _ => $crate::db::Direction::Ascending,
                }
            }
        }
    };
}

/// What a list's address asks for.
#[derive(Debug, Clone)]
pub struct ListQuery<K> {
    /// The search, trimmed; empty for none.
    pub q: String,
    pub sort: K,
    pub dir: Direction,
    /// The page asked for, from 1 (the store clamps it to the last).
    pub page: i64,
    /// Every parameter as given, for the list's own filters and for links that keep them.
    pairs: Vec<(String, String)>,
}

impl<K: SortKey> ListQuery<K> {
    /// Reads a query string (`req.query_string()`).
    pub fn parse(query_string: &str) -> Self {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(query_string.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        let first = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).unwrap_or("");
        let sort = K::ALL.iter().copied().find(|k| k.code() == first("sort")).unwrap_or(K::DEFAULT);
        let dir = Direction::parse(first("dir")).unwrap_or_else(|| sort.first_direction());
        let page = first("page").parse::<i64>().unwrap_or(1).max(1);
        let q = first("q").chars().take(SEARCH_CHARS).collect::<String>().trim().to_string();
        ListQuery { q, sort, dir, page, pairs }
    }

    /// A parameter of the list's own (a filter), trimmed; empty when not given.
    pub fn get(&self, name: &str) -> &str {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).unwrap_or("")
    }

    /// The address of this list with some parameters replaced (an empty value drops one), the others
    /// kept in their order; empty parameters are left out.
    fn href(&self, path: &str, replace: &[(&str, String)]) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.pairs {
            if replace.iter().any(|(r, _)| r == name) || value.trim().is_empty() {
                continue;
            }
            query.append_pair(name, value);
        }
        for (name, value) in replace {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        let query = query.finish();
        if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        }
    }

    /// What the template needs: each sortable column's header, the pager, and the parameters a
    /// search form keeps.
    pub fn view<T>(&self, path: &str, columns: &[(K, &'static str)], page: &Page<T>) -> ListView {
        let columns = columns
            .iter()
            .map(|(key, label)| {
                let current = *key == self.sort;
                let dir = if current { self.dir.reversed() } else { key.first_direction() };
                SortHeader {
                    key: key.code(),
                    label,
                    // A new order starts again from the first page.
                    href: self.href(
                        path,
                        &[("sort", key.code().to_string()), ("dir", dir.code().to_string()), ("page", String::new())],
                    ),
                    aria_sort: match (current, self.dir) {
                        (false, _) => "",
                        (true, Direction::Ascending) => "ascending",
                        (true, Direction::Descending) => "descending",
                    },
                }
            })
            .collect();
        let at = |n: i64| self.href(path, &[("page", if n > 1 { n.to_string() } else { String::new() })]);
        let first_row = if page.total == 0 { 0 } else { (page.page - 1) * page.per_page + 1 };
        ListView {
            q: self.q.clone(),
            sort: self.sort.code(),
            dir: self.dir.code(),
            columns,
            kept: self.pairs.iter().filter(|(k, v)| k != "q" && k != "page" && !v.trim().is_empty()).cloned().collect(),
            pager: Pager {
                page: page.page,
                pages: page.pages,
                total: page.total,
                first_row,
                last_row: first_row + i64::try_from(page.rows.len()).unwrap_or(0) - i64::from(page.total > 0),
                previous: (page.page > 1).then(|| at(page.page - 1)),
                next: (page.page < page.pages).then(|| at(page.page + 1)),
            },
        }
    }
}

/// A sortable column's header.
#[derive(Debug, Clone, Serialize)]
pub struct SortHeader {
    pub key: &'static str,
    pub label: &'static str,
    /// The list sorted by this column: the other way when it is the current order.
    pub href: String,
    /// `ascending` or `descending` on the current order's column, empty on the others.
    pub aria_sort: &'static str,
}

/// Where a page sits, with links to its neighbours.
#[derive(Debug, Clone, Serialize)]
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    /// The rows shown, counted from 1 ("51 to 100").
    pub first_row: i64,
    pub last_row: i64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// A list's headers, pager and kept parameters, for `templates/list.html`.
#[derive(Debug, Clone, Serialize)]
pub struct ListView {
    pub q: String,
    pub sort: &'static str,
    pub dir: &'static str,
    /// The sortable columns by key, for the table's headers.
    pub columns: Vec<SortHeader>,
    /// Every parameter but the search and the page: a form that searches or filters keeps the ones
    /// it does not itself hold as hidden fields.
    pub kept: Vec<(String, String)>,
    pub pager: Pager,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Key {
        Name,
        Due,
    }

    impl SortKey for Key {
        const ALL: &'static [Key] = &[Key::Name, Key::Due];
        const DEFAULT: Key = Key::Name;

        fn code(self) -> &'static str {
            match self {
                Key::Name => "name",
                Key::Due => "due",
            }
        }

        fn first_direction(self) -> Direction {
            match self {
                Key::Name => Direction::Ascending,
                Key::Due => Direction::Descending,
            }
        }
    }

    fn page(total: i64, page: i64) -> Page<()> {
        Page::fetch(page, total, |offset, limit| Ok(vec![(); usize::try_from(limit.min(total - offset)).unwrap_or(0)]))
            .unwrap()
    }

    #[test]
    fn anything_unknown_falls_back_and_nothing_fails() {
        let q: ListQuery<Key> = ListQuery::parse("sort=password&dir=sideways&page=-3&q=%20Osei%20");
        assert_eq!((q.sort, q.dir, q.page, q.q.as_str()), (Key::Name, Direction::Ascending, 1, "Osei"));
        let q: ListQuery<Key> = ListQuery::parse("sort=due&page=abc");
        assert_eq!((q.sort, q.dir, q.page), (Key::Due, Direction::Descending, 1), "the column's own direction");
        let q: ListQuery<Key> = ListQuery::parse("page=99999999999999999999999&q=%FF%FE");
        assert_eq!(q.page, 1, "a page number too large to read is the first");
        let long: ListQuery<Key> = ListQuery::parse(&format!("q={}", "a".repeat(500)));
        assert_eq!(long.q.len(), 100);
    }

    #[test]
    fn links_keep_the_other_parameters() {
        let q: ListQuery<Key> = ListQuery::parse("tier=clinical&q=nurse&sort=name&dir=asc&page=2&issue=");
        let view = q.view("/p/1/workforce", &[(Key::Name, "Name"), (Key::Due, "Due")], &page(120, 2));
        let name = &view.columns[0];
        assert_eq!(name.aria_sort, "ascending");
        assert_eq!(name.href, "/p/1/workforce?tier=clinical&q=nurse&sort=name&dir=desc", "reversed, from page 1");
        assert_eq!(view.columns[1].aria_sort, "");
        assert_eq!(view.columns[1].href, "/p/1/workforce?tier=clinical&q=nurse&sort=due&dir=desc");
        assert_eq!(view.pager.previous.as_deref(), Some("/p/1/workforce?tier=clinical&q=nurse&sort=name&dir=asc"));
        assert_eq!(view.pager.next.as_deref(), Some("/p/1/workforce?tier=clinical&q=nurse&sort=name&dir=asc&page=3"));
        assert_eq!((view.pager.first_row, view.pager.last_row), (51, 100));
        let kept: Vec<&str> = view.kept.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kept, ["tier", "sort", "dir"], "not the search, the page or an empty filter");
        let last = q.view("/x", &[], &page(120, 3));
        assert_eq!((last.pager.next, last.pager.first_row, last.pager.last_row), (None, 101, 120));
        let none = q.view("/x", &[], &page(0, 1));
        assert_eq!((none.pager.pages, none.pager.first_row, none.pager.last_row), (1, 0, 0));
    }

    #[test]
    fn a_search_is_encoded_in_links() {
        let q: ListQuery<Key> = ListQuery::parse("q=O%27Brien%20%26%20Co");
        assert_eq!(q.q, "O'Brien & Co");
        let view = q.view("/x", &[(Key::Due, "Due")], &page(10, 1));
        assert_eq!(view.columns[0].href, "/x?q=O%27Brien+%26+Co&sort=due&dir=desc");
    }
}
