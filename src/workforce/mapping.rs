//! Column mappings: which of a file's columns holds each of ohgov's fields, and which of the file's
//! values means which code in a closed list ("Nursing & Midwifery Council" is `nmc`). A manager
//! makes one for a file whose headers are not ohgov's own (an ESR staff report, a CPD workbook),
//! names it, and the next file with the same headers is read with it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One mapping: for each field, the file's column (by its header as written), and for a field with
/// a closed list, the file's values and the code each one means.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ColumnMapping {
    /// Field → the file's header. A field left out is read as blank.
    pub columns: BTreeMap<String, String>,
    /// Field → (the file's value → the code it means).
    pub values: BTreeMap<String, BTreeMap<String, String>>,
}

impl ColumnMapping {
    /// Which of the file's columns holds each of `columns` (in that order); a header the mapping
    /// names that the file lacks is refused, by name.
    pub fn index(&self, headers: &[String], columns: &[&str]) -> Result<Vec<Option<usize>>, String> {
        let mut missing = Vec::new();
        let index = columns
            .iter()
            .map(|field| {
                let header = self.columns.get(*field)?;
                let found = headers.iter().position(|h| h.trim().eq_ignore_ascii_case(header.trim()));
                if found.is_none() {
                    missing.push(header.as_str());
                }
                found
            })
            .collect();
        if missing.is_empty() {
            Ok(index)
        } else {
            Err(format!("the mapping reads column(s) the file does not have: {}", missing.join(", ")))
        }
    }

    /// Puts each mapped value's code in its place; a value the mapping does not name is left as
    /// written, for the field's own check to judge.
    pub fn translate(&self, columns: &[&str], values: &mut [String]) {
        for (field, value) in columns.iter().zip(values.iter_mut()) {
            if let Some(code) = self.values.get(*field).and_then(|codes| codes.get(value.trim())) {
                value.clone_from(code);
            }
        }
    }
}

/// The synonyms file: the headers and values other systems write (`standards/import-columns.toml`).
const SYNONYMS_FILE: &str = include_str!("../../standards/import-columns.toml");

/// The guess's data: for each kind of file, each field's header synonyms; for each closed list,
/// each code's value synonyms. Read from `standards/import-columns.toml`, checked whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Synonyms {
    /// Kind code → field → the headers other systems give it.
    pub columns: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Closed list (`discipline`, `regulator`, `supervision_kind`, `yes_no`) → code → values.
    pub values: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

impl Synonyms {
    /// Reads and checks a synonyms file: every kind, field, list and code must be ohgov's own, and
    /// no header may name two fields of one kind, nor a value two codes of one list. Every problem
    /// is listed.
    pub fn parse(text: &str) -> Result<Synonyms, Vec<String>> {
        let synonyms: Synonyms = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let mut problems = Vec::new();
        for (kind, fields) in &synonyms.columns {
            let Some(import_kind) = ImportKind::parse(kind) else {
                problems.push(format!("[columns.{kind}]: {kind:?} is not a kind of import file"));
                continue;
            };
            let mut seen: BTreeMap<String, &str> = BTreeMap::new();
            for (field, headers) in fields {
                if !import_kind.columns().contains(&field.as_str()) {
                    problems.push(format!(
                        "[columns.{kind}]: {field:?} is not a field of the file (its fields are {})",
                        import_kind.columns().join(", ")
                    ));
                }
                for header in headers {
                    let key = normalised(header);
                    if key.is_empty() {
                        problems.push(format!("[columns.{kind}] {field}: a header is blank"));
                    } else if let Some(other) = seen.insert(key, field) {
                        if other != field {
                            problems.push(format!("[columns.{kind}]: {header:?} names both {other} and {field}"));
                        }
                    }
                }
            }
        }
        for (list, codes) in &synonyms.values {
            let Some(closed) = ClosedList::named(list) else {
                problems.push(format!(
                    "[values.{list}]: {list:?} is not a closed list (discipline, regulator, supervision_kind, yes_no)"
                ));
                continue;
            };
            let mut seen: BTreeMap<String, &str> = BTreeMap::new();
            for (code, values) in codes {
                if !closed.choices().iter().any(|(c, _)| c == code) {
                    let known: Vec<&str> = closed.choices().iter().map(|(c, _)| *c).collect();
                    problems
                        .push(format!("[values.{list}]: {code:?} is not a {list} code (one of {})", known.join(", ")));
                }
                for value in values {
                    let key = normalised(value);
                    if key.is_empty() {
                        problems.push(format!("[values.{list}] {code}: a value is blank"));
                    } else if let Some(other) = seen.insert(key, code) {
                        if other != code {
                            problems.push(format!("[values.{list}]: {value:?} means both {other} and {code}"));
                        }
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(synonyms)
        } else {
            Err(problems)
        }
    }

    /// The built-in synonyms, read and checked once ([`builtin_read`]); start-up calls [`check_builtin`] first, so a
    /// bad file stops the start rather than reaching here (where it would give no synonyms).
    pub fn builtin() -> &'static Synonyms {
        static NONE: std::sync::OnceLock<Synonyms> = std::sync::OnceLock::new();
        builtin_read().as_ref().unwrap_or_else(|_| NONE.get_or_init(Synonyms::default))
    }

    fn headers_for(&self, kind: ImportKind, field: &str) -> &[String] {
        self.columns.get(kind.as_str()).and_then(|fields| fields.get(field)).map(Vec::as_slice).unwrap_or(&[])
    }

    fn value_code(&self, list: ClosedList, value: &str) -> Option<&'static str> {
        let key = normalised(value);
        let codes = self.values.get(list.name())?;
        let code = codes.iter().find(|(_, values)| values.iter().any(|v| normalised(v) == key)).map(|(c, _)| c)?;
        list.choices().iter().find(|(c, _)| c == code).map(|(c, _)| *c)
    }
}

/// Checks the built-in synonyms file, for start-up: a file that names a field or a code ohgov does
/// not have stops the start with every problem, as a bad catalogue file does.
pub fn check_builtin() -> Result<(), String> {
    builtin_read().as_ref().map(|_| ()).map_err(Clone::clone)
}

/// The built-in synonyms file read and checked, once for the process: start-up's check and every
/// later guess share the one reading.
fn builtin_read() -> &'static Result<Synonyms, String> {
    static BUILTIN: std::sync::OnceLock<Result<Synonyms, String>> = std::sync::OnceLock::new();
    BUILTIN.get_or_init(|| {
        Synonyms::parse(SYNONYMS_FILE)
            .map_err(|problems| format!("standards/import-columns.toml: {}", problems.join("; ")))
    })
}

/// A header or value compared without regard to case or surrounding spaces.
fn normalised(text: &str) -> String {
    text.trim().to_lowercase()
}

/// A closed list a field's values must come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedList {
    Discipline,
    Regulator,
    SupervisionKind,
    YesNo,
}

impl ClosedList {
    fn named(name: &str) -> Option<Self> {
        [ClosedList::Discipline, ClosedList::Regulator, ClosedList::SupervisionKind, ClosedList::YesNo]
            .into_iter()
            .find(|l| l.name() == name)
    }

    /// The list's name in the synonyms file.
    pub fn name(self) -> &'static str {
        match self {
            ClosedList::Discipline => "discipline",
            ClosedList::Regulator => "regulator",
            ClosedList::SupervisionKind => "supervision_kind",
            ClosedList::YesNo => "yes_no",
        }
    }

    /// The list of a kind's field, if the field takes one.
    pub fn of(kind: ImportKind, field: &str) -> Option<Self> {
        match (kind, field) {
            (ImportKind::Staff, "discipline") => Some(ClosedList::Discipline),
            (ImportKind::Staff, "regulator") => Some(ClosedList::Regulator),
            (ImportKind::Supervision, "kind") => Some(ClosedList::SupervisionKind),
            (ImportKind::Cpd, "participatory" | "reflective") => Some(ClosedList::YesNo),
            (ImportKind::Supervision, "escalated_gp" | "escalated_clinical" | "escalated_specialist") => {
                Some(ClosedList::YesNo)
            }
            _ => None,
        }
    }

    /// Each code with its label, in the list's order: the choices the mapping page offers.
    pub fn choices(self) -> Vec<(&'static str, &'static str)> {
        use super::model::{Discipline, Regulator, SupervisionKind};
        match self {
            ClosedList::Discipline => Discipline::ALL.iter().map(|d| (d.as_str(), d.label())).collect(),
            ClosedList::Regulator => Regulator::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
            ClosedList::SupervisionKind => SupervisionKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
            ClosedList::YesNo => vec![("yes", "Yes"), ("no", "No")],
        }
    }

    /// Whether the import reads `value` as it is: a code, a label, or (yes/no) any of the ways the
    /// import's own check accepts.
    pub fn reads_as_is(self, value: &str) -> bool {
        use super::model::Discipline;
        let key = normalised(value);
        match self {
            ClosedList::Discipline if Discipline::parse_lenient(value).is_some() => true,
            ClosedList::YesNo => matches!(key.as_str(), "yes" | "y" | "true" | "1" | "on" | "no" | "n" | "false" | "0"),
            _ => false,
        }
    }

    /// The code `value` means by the list alone: its code or its label, without regard to case.
    fn code_or_label(self, value: &str) -> Option<&'static str> {
        let key = normalised(value);
        self.choices().into_iter().find(|(code, label)| *code == key || normalised(label) == key).map(|(c, _)| c)
    }
}

/// The fields a mapping must give a column for: the file cannot be read without them.
pub fn required_fields(kind: ImportKind) -> &'static [&'static str] {
    match kind {
        ImportKind::Staff => &["staff_number", "full_name", "discipline"],
        ImportKind::Cpd => &["staff_number", "date", "title"],
        ImportKind::Supervision => &["date", "kind", "supervisor_staff_number"],
        ImportKind::Kpis => &["kpi_code", "period_start", "period_end"],
    }
}

/// A field in words, as the mapping page and its errors name it.
pub fn field_label(field: &str) -> &'static str {
    match field {
        "staff_number" => "Staff number",
        "full_name" => "Full name",
        "email" => "Email",
        "discipline" => "Discipline",
        "regulator" => "Regulator",
        "registration_number" => "Registration number",
        "registration_renewal" => "Registration to be renewed by",
        "revalidation_due" => "Revalidation due",
        "last_appraisal" => "Last appraisal",
        "responsible_officer" => "Responsible Officer",
        "start_date" => "Start date",
        "leaving_date" => "Leaving date",
        "fte" => "Full-time equivalent",
        "date" => "Date",
        "title" => "Title",
        "hours" => "Hours",
        "participatory" => "Participatory",
        "reflective" => "Reflective account",
        "kind" => "Kind of supervision",
        "supervisor_staff_number" => "Supervisor's staff number",
        "attendee_staff_numbers" => "Attendees' staff numbers",
        "minutes" => "Minutes",
        "cases_discussed" => "Cases discussed",
        "escalated_gp" => "Escalated to a GP",
        "escalated_clinical" => "Escalated to the clinical tier",
        "escalated_specialist" => "Escalated to a specialist",
        "kpi_code" => "Quality indicator",
        "period_start" => "Period start",
        "period_end" => "Period end",
        "numerator" => "Numerator",
        "denominator" => "Denominator",
        "value" => "Value",
        _ => "Field",
    }
}

/// The headers as a mapping recognises a file by: each trimmed and in lower case, blanks left out,
/// sorted, one a line. Two files with the same columns in another order have the same fingerprint.
pub fn fingerprint(headers: &[String]) -> String {
    let mut keys: Vec<String> = headers.iter().map(|h| normalised(h)).filter(|h| !h.is_empty()).collect();
    keys.sort();
    keys.dedup();
    keys.join("\n")
}

/// For each of the kind's fields, the file's column that holds it: by ohgov's own name exactly,
/// then without regard to case, then by a synonym. A column is given to one field at most.
pub fn guess_columns(kind: ImportKind, headers: &[String], synonyms: &Synonyms) -> BTreeMap<String, String> {
    let mut taken: Vec<&str> = Vec::new();
    let mut guessed = BTreeMap::new();
    // First as written, then without regard to case.
    for exact in [true, false] {
        let pass = |field: &str, header: &str| {
            if exact {
                header.trim() == field
            } else {
                normalised(header) == field
            }
        };
        for field in kind.columns() {
            if guessed.contains_key(*field) {
                continue;
            }
            if let Some(header) = headers.iter().find(|h| !taken.contains(&h.as_str()) && pass(field, h)) {
                taken.push(header);
                guessed.insert(field.to_string(), header.clone());
            }
        }
    }
    for field in kind.columns() {
        if guessed.contains_key(*field) {
            continue;
        }
        // The synonyms in the file's order: the first is the likeliest.
        let found = synonyms.headers_for(kind, field).iter().find_map(|synonym| {
            headers.iter().find(|h| !taken.contains(&h.as_str()) && normalised(h) == normalised(synonym))
        });
        if let Some(header) = found {
            taken.push(header);
            guessed.insert(field.to_string(), header.clone());
        }
    }
    guessed
}

/// A value in a closed-list column that neither the list nor the synonyms know: listed once, with
/// the rows that hold it, for the manager to choose its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownValue {
    pub field: String,
    pub value: String,
    /// How many rows hold it.
    pub rows: usize,
}

/// Each distinct value of each closed-list field, with how many rows hold it: what the value guess
/// works from. Field → value (trimmed) → rows. Blank values are left out (the field's own check
/// judges them).
pub type ValueCounts = BTreeMap<String, BTreeMap<String, usize>>;

/// For each closed-list field's values: the code each means, by code, label or synonym (or a
/// manager's earlier choice in `chosen`), and the values none of these know, once each.
pub fn guess_values(
    kind: ImportKind,
    counts: &ValueCounts,
    chosen: &BTreeMap<String, BTreeMap<String, String>>,
    synonyms: &Synonyms,
) -> (BTreeMap<String, BTreeMap<String, String>>, Vec<UnknownValue>) {
    let mut values: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut unknown = Vec::new();
    for (field, seen) in counts {
        let Some(list) = ClosedList::of(kind, field) else { continue };
        for (value, rows) in seen {
            let earlier = chosen
                .get(field)
                .and_then(|codes| codes.get(value))
                .filter(|code| list.choices().iter().any(|(c, _)| c == code))
                .map(String::as_str);
            let code = earlier.or_else(|| list.code_or_label(value)).or_else(|| synonyms.value_code(list, value));
            match code {
                // A value that is its own code needs no translation.
                Some(code) if code == value => {}
                Some(code) => {
                    values.entry(field.clone()).or_default().insert(value.clone(), code.to_string());
                }
                None if list.reads_as_is(value) => {}
                None => unknown.push(UnknownValue { field: field.clone(), value: value.clone(), rows: *rows }),
            }
        }
    }
    (values, unknown)
}

/// Counts the distinct values of the closed-list fields in a file's rows, read by `columns`
/// (field → header). `rows` are the file's rows in its own column order.
pub fn count_values<R: AsRef<[String]>>(
    kind: ImportKind,
    headers: &[String],
    columns: &BTreeMap<String, String>,
    rows: impl Iterator<Item = R>,
) -> ValueCounts {
    let wanted: Vec<(String, usize)> = columns
        .iter()
        .filter(|(field, _)| ClosedList::of(kind, field).is_some())
        .filter_map(|(field, header)| {
            headers.iter().position(|h| normalised(h) == normalised(header)).map(|i| (field.clone(), i))
        })
        .collect();
    let mut counts = ValueCounts::new();
    for row in rows {
        let row = row.as_ref();
        for (field, i) in &wanted {
            let value = row.get(*i).map(|v| v.trim()).unwrap_or("");
            if !value.is_empty() {
                *counts.entry(field.clone()).or_default().entry(value.to_string()).or_default() += 1;
            }
        }
    }
    counts
}

/// The problems with a manager's mapping, by the mapping page's field (`column_FIELD`, `value_N`): a required field
/// with no column, a column the file does not have, an unknown value with no code chosen.
pub fn check(
    kind: ImportKind,
    headers: &[String],
    mapping: &ColumnMapping,
    unknown: &[UnknownValue],
) -> BTreeMap<String, String> {
    let mut errors = BTreeMap::new();
    for field in kind.columns() {
        match mapping.columns.get(*field) {
            None if required_fields(kind).contains(field) => {
                errors.insert(
                    format!("column_{field}"),
                    format!("Choose the column that holds the {}", field_label(field).to_lowercase()),
                );
            }
            Some(header) if !headers.iter().any(|h| normalised(h) == normalised(header)) => {
                errors.insert(format!("column_{field}"), format!("The file has no column {header:?}"));
            }
            _ => {}
        }
    }
    for (i, value) in unknown.iter().enumerate() {
        let Some(list) = ClosedList::of(kind, &value.field) else { continue };
        let chosen = mapping.values.get(&value.field).and_then(|codes| codes.get(&value.value));
        if !chosen.is_some_and(|code| list.choices().iter().any(|(c, _)| c == code)) {
            errors.insert(
                format!("value_{i}"),
                format!("Choose what {:?} means as {}", value.value, field_label(&value.field).to_lowercase()),
            );
        }
    }
    errors
}

/// A file's headers as written, for deciding whether it needs a mapping; a file that cannot be read
/// at all is refused as the import would refuse it.
pub fn headers(bytes: &[u8], sheet: Option<&str>) -> Result<Vec<String>, RowError> {
    super::reader::open(bytes, sheet).map(|table| table.headers)
}

/// Whether the file's headers are ohgov's own names for the kind (then no mapping is needed).
pub fn headers_are_own(kind: ImportKind, headers: &[String]) -> bool {
    super::import::index_by_name(headers, kind.columns()).is_ok()
}

/// Reads a file once for the mapping page: its headers, and each distinct value of the
/// closed-list fields as `columns` (field → header) place them. Rows that cannot be read are left
/// out here; the import's own check names them.
pub fn survey(
    bytes: &[u8],
    sheet: Option<&str>,
    kind: ImportKind,
    columns: &BTreeMap<String, String>,
) -> Result<(Vec<String>, ValueCounts), RowError> {
    let table = super::reader::open(bytes, sheet)?;
    let headers = table.headers.clone();
    let counts = count_values(kind, &headers, columns, table.rows.filter_map(Result::ok).map(|row| row.values));
    Ok((headers, counts))
}

use super::import::{ImportKind, RowError};

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_built_in_synonyms_load_and_name_only_real_fields_and_codes() {
        check_builtin().expect("standards/import-columns.toml is valid");
        let synonyms = Synonyms::builtin();
        assert!(synonyms.columns.contains_key("staff") && synonyms.columns.contains_key("cpd"));
        assert_eq!(synonyms.value_code(ClosedList::Regulator, "Nursing & Midwifery Council"), Some("nmc"));
        let bad = "[columns.staff]\nstaff_numbr = [\"Employee Number\"]\n[values.regulator]\ngmx = [\"General Medical Council\"]\n";
        let problems = Synonyms::parse(bad).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("\"staff_numbr\" is not a field"));
        assert!(problems[1].contains("\"gmx\" is not a regulator code"));
        let twice = "[columns.staff]\nstaff_number = [\"Number\"]\nfull_name = [\"number\"]\n";
        assert!(Synonyms::parse(twice).unwrap_err()[0].contains("names both"));
    }

    #[test]
    fn columns_are_guessed_exactly_then_by_case_then_by_synonym() {
        let file = headers(&[
            "Employee Number",
            "Full Name",
            "EMAIL",
            "Position Title",
            "Professional Registration Body",
            "Professional Registration Number",
            "Registration Expiry Date",
            "Hire Date",
            "Termination Date",
            "FTE",
            "Cost Centre",
        ]);
        let guessed = guess_columns(ImportKind::Staff, &file, Synonyms::builtin());
        assert_eq!(guessed["staff_number"], "Employee Number");
        assert_eq!(guessed["full_name"], "Full Name");
        assert_eq!(guessed["email"], "EMAIL", "by case before any synonym");
        assert_eq!(guessed["discipline"], "Position Title");
        assert_eq!(guessed["regulator"], "Professional Registration Body");
        assert_eq!(guessed["registration_number"], "Professional Registration Number");
        assert_eq!(guessed["registration_renewal"], "Registration Expiry Date");
        assert_eq!(guessed["start_date"], "Hire Date");
        assert_eq!(guessed["leaving_date"], "Termination Date");
        assert_eq!(guessed["fte"], "FTE");
        assert!(!guessed.contains_key("revalidation_due"), "no column for it: not in this file");
        assert!(!guessed.values().any(|h| h == "Cost Centre"));
        let exact = guess_columns(ImportKind::Cpd, &headers(&["date", "Date", "staff_number"]), Synonyms::builtin());
        assert_eq!(exact["date"], "date", "an exact name wins over a case-insensitive one");
    }

    #[test]
    fn a_cpd_log_and_its_yes_no_values_are_guessed_too() {
        let file = headers(&["Employee Number", "Activity Date", "Activity", "CPD Hours", "Reflective Account"]);
        let guessed = guess_columns(ImportKind::Cpd, &file, Synonyms::builtin());
        let expected = [
            ("date", "Activity Date"),
            ("hours", "CPD Hours"),
            ("reflective", "Reflective Account"),
            ("staff_number", "Employee Number"),
            ("title", "Activity"),
        ];
        assert_eq!(guessed, expected.iter().map(|(f, h)| (f.to_string(), h.to_string())).collect());
        let rows: Vec<Vec<String>> =
            [["E1", "2026-11-01", "Course", "2", "Completed"], ["E1", "2026-11-02", "Reading", "1", "y"]]
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect();
        let counts = count_values(ImportKind::Cpd, &file, &guessed, rows.iter());
        let (values, unknown) = guess_values(ImportKind::Cpd, &counts, &BTreeMap::new(), Synonyms::builtin());
        assert_eq!(values["reflective"]["Completed"], "yes");
        assert!(!values["reflective"].contains_key("y"), "the import reads y as it is");
        assert!(unknown.is_empty());
    }

    #[test]
    fn values_are_guessed_by_code_label_or_synonym_and_unknown_ones_listed_once() {
        let file = headers(&["Position Title", "Professional Registration Body"]);
        let columns: BTreeMap<String, String> = [
            ("discipline".to_string(), "Position Title".to_string()),
            ("regulator".to_string(), "Professional Registration Body".to_string()),
        ]
        .into();
        let rows: Vec<Vec<String>> = [
            ["Occupational Health Nurse", "Nursing & Midwifery Council"],
            ["Occupational Health Nurse", "Nursing & Midwifery Council"],
            ["Wellbeing Lead", ""],
            ["Wellbeing Lead", ""],
            ["Wellbeing Lead", ""],
            ["Physiotherapist", "Health & Care Professions Council"],
            ["administrator", "Royal College"],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
        let counts = count_values(ImportKind::Staff, &file, &columns, rows.iter().map(Vec::as_slice));
        let (values, unknown) = guess_values(ImportKind::Staff, &counts, &BTreeMap::new(), Synonyms::builtin());
        assert_eq!(values["discipline"]["Occupational Health Nurse"], "oh_nurse");
        assert_eq!(values["discipline"]["Physiotherapist"], "physiotherapist", "by label");
        assert!(!values["discipline"].contains_key("administrator"), "a code is read as it is");
        assert_eq!(values["regulator"]["Nursing & Midwifery Council"], "nmc");
        assert_eq!(values["regulator"]["Health & Care Professions Council"], "hcpc");
        assert_eq!(
            unknown,
            vec![
                UnknownValue { field: "discipline".into(), value: "Wellbeing Lead".into(), rows: 3 },
                UnknownValue { field: "regulator".into(), value: "Royal College".into(), rows: 1 },
            ]
        );
        let chosen: BTreeMap<String, BTreeMap<String, String>> =
            [("discipline".to_string(), [("Wellbeing Lead".to_string(), "other_ahp".to_string())].into())].into();
        let (values, unknown) = guess_values(ImportKind::Staff, &counts, &chosen, Synonyms::builtin());
        assert_eq!(values["discipline"]["Wellbeing Lead"], "other_ahp");
        assert_eq!(unknown.len(), 1);
    }

    #[test]
    fn a_mapping_needs_its_required_columns_and_a_code_for_each_unknown_value() {
        let file = headers(&["Employee Number", "Full Name", "Position Title"]);
        let mut mapping = ColumnMapping::default();
        mapping.columns.insert("staff_number".into(), "Employee Number".into());
        mapping.columns.insert("email".into(), "Email Address".into());
        let unknown = vec![UnknownValue { field: "discipline".into(), value: "Wellbeing Lead".into(), rows: 3 }];
        let errors = check(ImportKind::Staff, &file, &mapping, &unknown);
        assert!(errors.contains_key("column_full_name"));
        assert!(errors.contains_key("column_discipline"));
        assert!(errors["column_email"].contains("no column \"Email Address\""));
        assert!(errors.contains_key("value_0"));
        assert_eq!(fingerprint(&headers(&[" Full Name", "employee number", ""])), "employee number\nfull name");
    }
}
