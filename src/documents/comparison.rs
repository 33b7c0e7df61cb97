//! A commissioner's providers side by side, as a PDF: the rows and figures of its page, for a
//! contract meeting's papers.

use chrono::{NaiveDate, NaiveDateTime};

use crate::commissioning::rules::comparison::Problem;
use crate::commissioning::store::facts::{self, ComparisonRow};
use crate::db::{DbConnection, StoreResult};
use crate::pdf::{Badge, Block, Column, Document, Paragraph, Span, Table, Tone};
use crate::words::counted;

/// The comparison as a document, and the name to download it as.
pub struct Comparison {
    pub document: Document,
    pub file_name: String,
}

/// Gathers the rows the page selects (its search and problem, every page) for `commissioner_id`
/// on `as_of`, and lays them out. The caller has checked the commissioner's membership.
#[allow(clippy::too_many_arguments)]
pub fn build(
    conn: &mut DbConnection,
    commissioner_id: i32,
    commissioner: &str,
    as_of: NaiveDate,
    supervision_days: i64,
    problem: Option<Problem>,
    search: &str,
    made_at: NaiveDateTime,
) -> StoreResult<Comparison> {
    let rows = facts::comparison_all(conn, commissioner_id, as_of, supervision_days, problem, search)?;
    let head = crate::history::store::head(conn)?;
    let document = lay_out(commissioner, &rows, problem, as_of, head, made_at);
    Ok(Comparison { document, file_name: super::file_name(commissioner, "providers side by side", as_of) })
}

/// A figure to act on, in words on a red badge; the rest as plain text.
fn marked(text: String, act_on: bool) -> Vec<Span> {
    if act_on {
        vec![Span::Badge(Badge { text, tone: Tone::Bad })]
    } else {
        Span::cell(text)
    }
}

fn lay_out(
    commissioner: &str,
    rows: &[ComparisonRow],
    problem: Option<Problem>,
    as_of: NaiveDate,
    head: Option<(i32, String)>,
    made_at: NaiveDateTime,
) -> Document {
    let title = "Providers side by side".to_string();
    let head_words = match &head {
        Some((row, hash)) => format!("Audit trail head: row {row}, {}…", hash.get(..16).unwrap_or(hash)),
        None => "Audit trail: empty".to_string(),
    };
    let mut blocks = vec![Block::Heading { level: 1, text: title.clone(), anchor: Some("providers".into()) }];
    blocks.push(Paragraph::text(format!(
        "{commissioner}: the {} it holds a current contract with on {}{}, from each provider's own records. \
         Figures to act on are marked in red, in words.",
        counted(rows.len(), "provider", "providers"),
        as_of.format("%-d %B %Y"),
        problem.map(|p| format!(", showing only those with: {}", p.label().to_lowercase())).unwrap_or_default(),
    )));
    if rows.is_empty() {
        blocks.push(Paragraph::text("No provider matches."));
    } else {
        blocks.push(Block::Table(Table {
            columns: Column::list(&[
                ("Provider", 3.0),
                ("SEQOHS", 2.2),
                ("Standards met", 1.5),
                ("“Must” not met", 1.3),
                ("Service gaps", 1.3),
                ("People with workforce issues", 1.5),
                ("Audit plan", 1.7),
                ("Overdue actions", 1.3),
                ("KPIs missing target", 1.3),
                ("Last customer review", 1.7),
            ]),
            rows: rows.iter().map(row_cells).collect(),
        }));
    }
    if let Some((row, hash)) = &head {
        blocks.push(Block::Facts(vec![(
            "Audit trail head".to_string(),
            vec![Span::Text(format!("row {row}, when this document was made: ")), Span::Mono(hash.clone())],
        )]));
    }
    Document {
        title: title.clone(),
        author: commissioner.to_string(),
        subject: format!(
            "The OH providers {commissioner} commissions, side by side against SEQOHS and the NHS standards"
        ),
        language: "en-GB".into(),
        created: made_at,
        header: commissioner.to_string(),
        footer: head_words,
        cover: None,
        contents: false,
        blocks,
        appendices: Vec::new(),
        closing: Vec::new(),
    }
}

/// One provider's cells, in the columns' order.
fn row_cells(row: &ComparisonRow) -> Vec<Vec<Span>> {
    use crate::commissioning::rules::comparison::{is_accredited, plan_signed_off};
    let f = &row.figures;
    let gaps = f.core_gaps + f.subspecialism_gaps;
    let accreditation = match f.months_working_towards {
        Some(months) if !is_accredited(f.accreditation) => {
            format!("{}, working towards for {}", f.accreditation.label(), counted(months as usize, "month", "months"))
        }
        _ => f.accreditation.label().to_string(),
    };
    let plan = match (f.plan_state, f.plan_changed_since_sign_off) {
        (None, _) => "No plan".to_string(),
        (Some(_), true) => "Changed since sign-off".to_string(),
        (Some(state), false) => state.label().to_string(),
    };
    vec![
        Span::cell(row.facts.name.clone()),
        marked(accreditation, !is_accredited(f.accreditation)),
        Span::cell(format!("{} of {}", f.standards_met, f.standards_applicable)),
        marked(f.must_not_met.to_string(), f.must_not_met > 0),
        marked(gaps.to_string(), gaps > 0),
        marked(f.people_with_issues.to_string(), f.people_with_issues > 0),
        marked(plan, !plan_signed_off(f.plan_state, f.plan_changed_since_sign_off)),
        marked(f.overdue_actions.to_string(), f.overdue_actions > 0),
        marked(f.kpis_missing_target.to_string(), f.kpis_missing_target > 0),
        marked(
            match (row.last_review, row.review_overdue) {
                (Some(day), true) => format!("{}, overdue", day.format("%-d %b %Y")),
                (Some(day), false) => day.format("%-d %b %Y").to_string(),
                (None, true) => "None, overdue".to_string(),
                (None, false) => "None yet".to_string(),
            },
            row.review_overdue,
        ),
    ]
}
