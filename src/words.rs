//! Figures and lists in the sentences a page says: "12 people", "1 assessment", "RP1, RP3 and GF2".
//! Plumbing, so every area's confirmations and figures read the same way.

/// A count with its noun, singular for one: `counted(1, "person", "people")` is "1 person".
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Items joined the way a sentence lists them: "RP1", "RP1 and RP3", "GF1, RP1 and RP3".
pub fn listed<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", rest.join(", "), last.as_ref())
        }
    }
}

/// A day as a sentence says it: "31 January 2027" (a table says "31 Jan 2027", `uk_date`).
pub fn long_date(day: chrono::NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_lists_end_with_and() {
        assert_eq!(counted(1, "person", "people"), "1 person");
        assert_eq!(counted(0, "person", "people"), "0 people");
        assert_eq!(counted(12, "person", "people"), "12 people");
        assert_eq!(listed::<&str>(&[]), "");
        assert_eq!(listed(&["RP1"]), "RP1");
        assert_eq!(listed(&["RP1", "RP3"]), "RP1 and RP3");
        assert_eq!(listed(&["GF1", "RP1", "RP3"]), "GF1, RP1 and RP3");
        assert_eq!(long_date(chrono::NaiveDate::from_ymd_opt(2026, 11, 3).unwrap()), "3 November 2026");
    }
}
