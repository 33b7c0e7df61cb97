//! Reading and writing quality indicator values and targets: the definitions are the catalogue's
//! (read only); values and targets are this area's, one transaction per save with its history row.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::model::{NewValue, PeriodFilter};
use super::rules::{self, Period};
use crate::catalogue::model::{CatalogueKind, KpiIndicator, KpiSource, KpiUnit, NodeKind};
use crate::db::schema::{catalogue_nodes, catalogues, kpi_definitions, kpi_targets, kpi_values};
use crate::db::{self, DbConnection, ProviderId, StoreError, UserId};
use crate::history::store::{record, Diff};
use crate::history::Entry;

/// One KPI as the provider sees it: the catalogue's definition, its group, and the target that
/// applies (the provider's own, or the default).
#[derive(Debug, Clone, Serialize)]
pub struct KpiLine {
    pub node_id: i32,
    pub reference: String,
    pub title: String,
    pub guidance: String,
    pub group_reference: String,
    pub group_title: String,
    pub unit: KpiUnit,
    pub unit_label: &'static str,
    pub higher_is_better: bool,
    pub default_target: f64,
    pub own_target: Option<f64>,
    pub target: f64,
    /// The target with its unit: "90%", "2 working days".
    pub target_text: String,
    pub source: KpiSource,
    pub indicator: Option<KpiIndicator>,
    pub indicator_label: &'static str,
}

impl KpiLine {
    /// Whether `value` meets this KPI's target.
    pub fn met(&self, value: f64) -> bool {
        rules::met(value, self.target, self.higher_is_better)
    }

    /// A value with this KPI's unit.
    pub fn with_unit(&self, value: f64) -> String {
        rules::with_unit(value, self.unit)
    }
}

type DefinitionRow = (i32, String, String, String, Option<i32>, KpiUnit, bool, f64, KpiSource, Option<KpiIndicator>);

/// Every live KPI, grouped as the catalogue orders them (MoHaWK, service, Growing OH), with the
/// provider's own targets. Three queries.
pub fn definitions(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Vec<KpiLine>> {
    kpis(conn, provider_id, None)
}

/// One KPI by its catalogue reference (M-APPT), or None.
pub fn definition(conn: &mut DbConnection, provider_id: ProviderId, reference: &str) -> QueryResult<Option<KpiLine>> {
    Ok(kpis(conn, provider_id, Some(reference))?.into_iter().next())
}

fn kpis(conn: &mut DbConnection, provider_id: ProviderId, only: Option<&str>) -> QueryResult<Vec<KpiLine>> {
    let mut query = catalogue_nodes::table
        .inner_join(catalogues::table)
        .inner_join(kpi_definitions::table)
        .filter(catalogues::kind.eq(CatalogueKind::Kpis))
        .filter(catalogue_nodes::kind.eq(NodeKind::Kpi))
        .filter(catalogue_nodes::retired.eq(false))
        .select((
            catalogue_nodes::id,
            catalogue_nodes::reference,
            catalogue_nodes::title,
            catalogue_nodes::guidance,
            catalogue_nodes::parent_id,
            kpi_definitions::unit,
            kpi_definitions::higher_is_better,
            kpi_definitions::default_target,
            kpi_definitions::source,
            kpi_definitions::indicator,
        ))
        .into_boxed();
    if let Some(reference) = only {
        query = query.filter(catalogue_nodes::reference.eq(reference.to_string()));
    }
    let rows: Vec<DefinitionRow> = query.order((catalogue_nodes::position, catalogue_nodes::id)).load(conn)?;
    let groups: HashMap<i32, (i32, String, String)> = catalogue_nodes::table
        .filter(catalogue_nodes::kind.eq(NodeKind::KpiGroup))
        .select((catalogue_nodes::id, catalogue_nodes::position, catalogue_nodes::reference, catalogue_nodes::title))
        .load::<(i32, i32, String, String)>(conn)?
        .into_iter()
        .map(|(id, position, reference, title)| (id, (position, reference, title)))
        .collect();
    let own: HashMap<i32, f64> = kpi_targets::table
        .filter(kpi_targets::provider_id.eq(provider_id.0))
        .select((kpi_targets::node_id, kpi_targets::target))
        .load::<(i32, f64)>(conn)?
        .into_iter()
        .collect();
    let mut lines: Vec<(i32, KpiLine)> = rows
        .into_iter()
        .map(
            |(
                node_id,
                reference,
                title,
                guidance,
                parent,
                unit,
                higher_is_better,
                default_target,
                source,
                indicator,
            )| {
                let group = parent.and_then(|p| groups.get(&p));
                let own_target = own.get(&node_id).copied();
                let target = rules::target(own_target, default_target);
                let line = KpiLine {
                    node_id,
                    reference,
                    title,
                    guidance,
                    group_reference: group.map(|g| g.1.clone()).unwrap_or_default(),
                    group_title: group.map(|g| g.2.clone()).unwrap_or_else(|| "Other indicators".into()),
                    unit,
                    unit_label: unit.label(),
                    higher_is_better,
                    default_target,
                    own_target,
                    target,
                    target_text: rules::with_unit(target, unit),
                    source,
                    indicator,
                    indicator_label: indicator.map(KpiIndicator::label).unwrap_or("Not stated"),
                };
                (group.map_or(i32::MAX, |g| g.0), line)
            },
        )
        .collect();
    // Stable: within a group the catalogue's order stands.
    lines.sort_by_key(|(group_position, _)| *group_position);
    Ok(lines.into_iter().map(|(_, line)| line).collect())
}

/// One recorded value.
#[derive(Debug, Clone, Serialize)]
pub struct ValueLine {
    pub node_id: i32,
    pub period: Period,
    pub period_label: String,
    pub numerator: Option<i32>,
    pub denominator: Option<i32>,
    pub value: f64,
    pub value_text: String,
    pub met: bool,
}

type ValueRow = (i32, NaiveDate, NaiveDate, Option<i32>, Option<i32>, f64);

fn value_line(kpi: &KpiLine, (node_id, start, end, numerator, denominator, value): ValueRow) -> ValueLine {
    let period = Period { start, end };
    ValueLine {
        node_id,
        period,
        period_label: period.label(),
        numerator,
        denominator,
        value,
        value_text: kpi.with_unit(value),
        met: kpi.met(value),
    }
}

/// The provider's values within `filter`, for the KPIs given, oldest first. One query.
pub fn values(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    kpis: &[KpiLine],
    filter: PeriodFilter,
) -> QueryResult<Vec<ValueLine>> {
    let by_node: HashMap<i32, &KpiLine> = kpis.iter().map(|k| (k.node_id, k)).collect();
    let mut query = kpi_values::table
        .filter(kpi_values::provider_id.eq(provider_id.0))
        .filter(kpi_values::node_id.eq_any(by_node.keys().copied().collect::<Vec<_>>()))
        .select((
            kpi_values::node_id,
            kpi_values::period_start,
            kpi_values::period_end,
            kpi_values::numerator,
            kpi_values::denominator,
            kpi_values::value,
        ))
        .into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(kpi_values::period_start.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(kpi_values::period_end.le(to));
    }
    let rows: Vec<ValueRow> =
        query.order((kpi_values::node_id, kpi_values::period_start, kpi_values::period_end)).load(conn)?;
    Ok(rows.into_iter().filter_map(|row| by_node.get(&row.0).map(|kpi| value_line(kpi, row))).collect())
}

/// Each KPI's latest value within `filter` (the period ending last; of two ending together, the
/// month), by node. Two queries: the last period end of each KPI, then those rows.
pub fn latest(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    kpis: &[KpiLine],
    filter: PeriodFilter,
) -> QueryResult<HashMap<i32, ValueLine>> {
    let mut ends = kpi_values::table
        .filter(kpi_values::provider_id.eq(provider_id.0))
        .group_by(kpi_values::node_id)
        .select((kpi_values::node_id, diesel::dsl::max(kpi_values::period_end)))
        .into_boxed();
    if let Some(from) = filter.from {
        ends = ends.filter(kpi_values::period_start.ge(from));
    }
    if let Some(to) = filter.to {
        ends = ends.filter(kpi_values::period_end.le(to));
    }
    let last_end: HashMap<i32, NaiveDate> =
        ends.load::<(i32, Option<NaiveDate>)>(conn)?.into_iter().filter_map(|(n, end)| Some((n, end?))).collect();
    let mut dates: Vec<NaiveDate> = last_end.values().copied().collect();
    dates.sort();
    dates.dedup();
    let by_node: HashMap<i32, &KpiLine> = kpis.iter().map(|k| (k.node_id, k)).collect();
    let rows: Vec<ValueRow> = kpi_values::table
        .filter(kpi_values::provider_id.eq(provider_id.0))
        .filter(kpi_values::period_end.eq_any(dates))
        .select((
            kpi_values::node_id,
            kpi_values::period_start,
            kpi_values::period_end,
            kpi_values::numerator,
            kpi_values::denominator,
            kpi_values::value,
        ))
        .order((kpi_values::node_id, kpi_values::period_start))
        .load(conn)?;
    let mut found = HashMap::new();
    for row in rows {
        let (Some(kpi), Some(end)) = (by_node.get(&row.0), last_end.get(&row.0)) else { continue };
        if row.2 == *end && filter.contains(Period { start: row.1, end: row.2 }) {
            // Ordered by start: a later start (the month within a quarter) replaces an earlier one.
            found.insert(row.0, value_line(kpi, row));
        }
    }
    Ok(found)
}

/// What a recording did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Created,
    Replaced,
    Unchanged,
}

/// Records a value for one period, replacing the value the period already has (the history row
/// holds both). Checks the figure against the KPI's unit again.
pub fn record_value(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    kpi: &KpiLine,
    value: &NewValue,
) -> Result<Recorded, StoreError> {
    db::write_transaction(conn, |conn| write_value(conn, by, provider_id, kpi, value))
}

/// The writing of [`record_value`], inside a transaction the caller holds.
pub fn write_value(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    kpi: &KpiLine,
    value: &NewValue,
) -> Result<Recorded, StoreError> {
    let figure = rules::figure(kpi.unit, value.figure.numerator, value.figure.denominator, Some(value.figure.value))
        .map_err(|problems| {
            let mut errors = crate::form::FieldErrors::default();
            for (_, why) in problems {
                errors.add("value", why);
            }
            StoreError::Invalid(errors)
        })?;
    let (numerator, denominator) = (figure.numerator.map(|n| n as i32), figure.denominator.map(|d| d as i32));
    let period = value.period;
    let existing: Option<(i32, Option<i32>, Option<i32>, f64)> = kpi_values::table
        .filter(kpi_values::provider_id.eq(provider_id.0))
        .filter(kpi_values::node_id.eq(kpi.node_id))
        .filter(kpi_values::period_start.eq(period.start))
        .filter(kpi_values::period_end.eq(period.end))
        .select((kpi_values::id, kpi_values::numerator, kpi_values::denominator, kpi_values::value))
        .first(conn)
        .optional()?;
    let now = Utc::now().naive_utc();
    let mut diff = Diff::default();
    let (before_n, before_d, before_v) = existing.map_or((None, None, None), |e| (e.1, e.2, Some(e.3)));
    diff.field("numerator", before_n, numerator).field("denominator", before_d, denominator).field(
        "value",
        before_v,
        figure.value,
    );
    let outcome = match existing {
        Some(_) if diff.is_empty() => return Ok(Recorded::Unchanged),
        Some((id, ..)) => {
            diesel::update(kpi_values::table.find(id))
                .set((
                    kpi_values::numerator.eq(numerator),
                    kpi_values::denominator.eq(denominator),
                    kpi_values::value.eq(figure.value),
                    kpi_values::entered_at.eq(now),
                    kpi_values::entered_by.eq(by.map(|u| u.0)),
                ))
                .execute(conn)?;
            Recorded::Replaced
        }
        None => {
            diesel::insert_into(kpi_values::table)
                .values((
                    kpi_values::provider_id.eq(provider_id.0),
                    kpi_values::node_id.eq(kpi.node_id),
                    kpi_values::period_start.eq(period.start),
                    kpi_values::period_end.eq(period.end),
                    kpi_values::numerator.eq(numerator),
                    kpi_values::denominator.eq(denominator),
                    kpi_values::value.eq(figure.value),
                    kpi_values::entered_at.eq(now),
                    kpi_values::entered_by.eq(by.map(|u| u.0)),
                ))
                .execute(conn)?;
            Recorded::Created
        }
    };
    record(
        conn,
        &Entry {
            user_id: by,
            organisation_id: Some(provider_id.0),
            entity: "kpi_value".into(),
            entity_id: period.key(&kpi.reference),
            action: if outcome == Recorded::Replaced { "replace" } else { "create" }.into(),
            changes: diff.0,
        },
    )?;
    Ok(outcome)
}

/// Sets the provider's own target for a KPI (`Some`), or goes back to the definition's default
/// (`None`), with its history row.
pub fn set_target(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    kpi: &KpiLine,
    target: Option<f64>,
) -> Result<(), StoreError> {
    if let Some(t) = target {
        rules::check_target(kpi.unit, t).map_err(|why| StoreError::invalid("target", why))?;
    }
    db::write_transaction(conn, |conn| {
        let current: Option<f64> = kpi_targets::table
            .filter(kpi_targets::provider_id.eq(provider_id.0))
            .filter(kpi_targets::node_id.eq(kpi.node_id))
            .select(kpi_targets::target)
            .first(conn)
            .optional()?;
        let mut diff = Diff::default();
        diff.field("target", current, target);
        if diff.is_empty() {
            return Ok(());
        }
        let mine = kpi_targets::table
            .filter(kpi_targets::provider_id.eq(provider_id.0))
            .filter(kpi_targets::node_id.eq(kpi.node_id));
        let now = Utc::now().naive_utc();
        let action = match (current, target) {
            (_, None) => {
                diesel::delete(mine).execute(conn)?;
                "use_default"
            }
            (Some(_), Some(t)) => {
                diesel::update(mine)
                    .set((
                        kpi_targets::target.eq(t),
                        kpi_targets::set_at.eq(now),
                        kpi_targets::set_by.eq(by.map(|u| u.0)),
                    ))
                    .execute(conn)?;
                "update"
            }
            (None, Some(t)) => {
                diesel::insert_into(kpi_targets::table)
                    .values((
                        kpi_targets::provider_id.eq(provider_id.0),
                        kpi_targets::node_id.eq(kpi.node_id),
                        kpi_targets::target.eq(t),
                        kpi_targets::set_at.eq(now),
                        kpi_targets::set_by.eq(by.map(|u| u.0)),
                    ))
                    .execute(conn)?;
                "create"
            }
        };
        record(
            conn,
            &Entry {
                user_id: by,
                organisation_id: Some(provider_id.0),
                entity: "kpi_target".into(),
                entity_id: kpi.reference.clone(),
                action: action.into(),
                changes: diff.0,
            },
        )?;
        Ok(())
    })
}

/// A stored value's id, numerator, denominator and value.
pub type StoredValue = (i32, Option<i32>, Option<i32>, f64);

type StoredRow = (i32, i32, NaiveDate, NaiveDate, Option<i32>, Option<i32>, f64);

/// The values already stored for these KPIs and periods, by (node, period): what an import would
/// replace. One query.
pub fn stored_for(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    wanted: &[(i32, Period)],
) -> QueryResult<HashMap<(i32, Period), StoredValue>> {
    let nodes: Vec<i32> = wanted.iter().map(|w| w.0).collect();
    let starts: Vec<NaiveDate> = wanted.iter().map(|w| w.1.start).collect();
    let rows: Vec<StoredRow> = kpi_values::table
        .filter(kpi_values::provider_id.eq(provider_id.0))
        .filter(kpi_values::node_id.eq_any(nodes))
        .filter(kpi_values::period_start.eq_any(starts))
        .select((
            kpi_values::id,
            kpi_values::node_id,
            kpi_values::period_start,
            kpi_values::period_end,
            kpi_values::numerator,
            kpi_values::denominator,
            kpi_values::value,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, node, start, end, n, d, v)| ((node, Period { start, end }), (id, n, d, v))).collect())
}

/// Writes many new values at once (an import, the demo): `db::insert_batch`, no history row each;
/// the caller writes the one for the file.
pub fn insert_values(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    rows: &[(i32, NewValue)],
) -> QueryResult<usize> {
    let now = Utc::now().naive_utc();
    let values: Vec<_> = rows
        .iter()
        .map(|(node_id, v)| {
            (
                kpi_values::provider_id.eq(provider_id.0),
                kpi_values::node_id.eq(*node_id),
                kpi_values::period_start.eq(v.period.start),
                kpi_values::period_end.eq(v.period.end),
                kpi_values::numerator.eq(v.figure.numerator.map(|n| n as i32)),
                kpi_values::denominator.eq(v.figure.denominator.map(|d| d as i32)),
                kpi_values::value.eq(v.figure.value),
                kpi_values::entered_at.eq(now),
                kpi_values::entered_by.eq(by.map(|u| u.0)),
            )
        })
        .collect();
    db::insert_batch(conn, kpi_values::table, &values)
}

/// What the commissioner's comparison reads of a provider's quality indicators: the last period
/// with any value reported (by its last day, then the shortest: the month within a quarter), how
/// many KPIs were reported for it, and the titles of those missing their target (`rules::met`
/// against `rules::target`), in the catalogue's order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportedKpis {
    pub last_period: Option<Period>,
    pub reported: usize,
    pub missing_target: Vec<String>,
}

/// (provider, node, period start, period end, value).
type ReportedValue = (i32, i32, NaiveDate, NaiveDate, f64);

/// [`ReportedKpis`] of each of many providers that reported any value starting on or before
/// `as_of`. Four queries whatever the number of providers: the last period end of each provider
/// (in SQL), the values ending on one of those days, the live definitions, and the own targets.
pub fn reported_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    as_of: NaiveDate,
) -> QueryResult<HashMap<ProviderId, ReportedKpis>> {
    let ids: Vec<i32> = providers.iter().map(|p| p.0).collect();
    let last_end: HashMap<i32, NaiveDate> = kpi_values::table
        .filter(kpi_values::provider_id.eq_any(&ids))
        .filter(kpi_values::period_start.le(as_of))
        .group_by(kpi_values::provider_id)
        .select((kpi_values::provider_id, diesel::dsl::max(kpi_values::period_end)))
        .load::<(i32, Option<NaiveDate>)>(conn)?
        .into_iter()
        .filter_map(|(provider, end)| Some((provider, end?)))
        .collect();
    if last_end.is_empty() {
        return Ok(HashMap::new());
    }
    let mut ends: Vec<NaiveDate> = last_end.values().copied().collect();
    ends.sort_unstable();
    ends.dedup();
    let values: Vec<ReportedValue> = kpi_values::table
        .filter(kpi_values::provider_id.eq_any(&ids))
        .filter(kpi_values::period_end.eq_any(&ends))
        .filter(kpi_values::period_start.le(as_of))
        .select((
            kpi_values::provider_id,
            kpi_values::node_id,
            kpi_values::period_start,
            kpi_values::period_end,
            kpi_values::value,
        ))
        .load(conn)?;
    let definitions: Vec<(i32, String, bool, f64)> = catalogue_nodes::table
        .inner_join(catalogues::table)
        .inner_join(kpi_definitions::table)
        .filter(catalogues::kind.eq(CatalogueKind::Kpis))
        .filter(catalogue_nodes::kind.eq(NodeKind::Kpi))
        .filter(catalogue_nodes::retired.eq(false))
        .select((
            catalogue_nodes::id,
            catalogue_nodes::title,
            kpi_definitions::higher_is_better,
            kpi_definitions::default_target,
        ))
        .order((catalogue_nodes::position, catalogue_nodes::id))
        .load(conn)?;
    let own: HashMap<(i32, i32), f64> = kpi_targets::table
        .filter(kpi_targets::provider_id.eq_any(&ids))
        .select((kpi_targets::provider_id, kpi_targets::node_id, kpi_targets::target))
        .load::<(i32, i32, f64)>(conn)?
        .into_iter()
        .map(|(provider, node, target)| ((provider, node), target))
        .collect();
    let mut by_provider: HashMap<i32, Vec<&ReportedValue>> = HashMap::new();
    for value in &values {
        by_provider.entry(value.0).or_default().push(value);
    }
    let mut found: HashMap<ProviderId, ReportedKpis> = HashMap::new();
    for (provider, end) in last_end {
        let theirs = by_provider.get(&provider).map(Vec::as_slice).unwrap_or_default();
        // The shortest period ending on the last day: a month is reported within its quarter.
        let Some(start) = theirs.iter().filter(|v| v.3 == end).map(|v| v.2).max() else {
            continue;
        };
        let of_period: HashMap<i32, f64> =
            theirs.iter().filter(|v| v.2 == start && v.3 == end).map(|v| (v.1, v.4)).collect();
        let missing_target = definitions
            .iter()
            .filter(|(node, _, higher_is_better, default)| {
                of_period.get(node).is_some_and(|value| {
                    !rules::met(
                        *value,
                        rules::target(own.get(&(provider, *node)).copied(), *default),
                        *higher_is_better,
                    )
                })
            })
            .map(|(_, title, _, _)| title.clone())
            .collect();
        let reported = definitions.iter().filter(|(node, ..)| of_period.contains_key(node)).count();
        found.insert(
            ProviderId(provider),
            ReportedKpis { last_period: Some(Period { start, end }), reported, missing_target },
        );
    }
    Ok(found)
}
