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
