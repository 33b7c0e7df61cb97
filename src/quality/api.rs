//! The quality indicator document `GET /api/v1/providers/{id}/kpis[?from=&to=]` serves, as types:
//! each KPI's definition and targets, and its values per period within the range.

use chrono::NaiveDate;
use serde::Serialize;

use super::store::{KpiLine, ValueLine};
use crate::catalogue::model::{KpiIndicator, KpiUnit};
use crate::db::ProviderId;

#[derive(Debug, Serialize)]
pub struct KpisDocument<'a> {
    pub provider_id: ProviderId,
    /// The range asked for, as dates (null when open).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub kpis: Vec<KpiDocument<'a>>,
}

/// One KPI: its definition, the target that applies and the provider's own (null when it uses the
/// default), and its values, oldest first.
#[derive(Debug, Serialize)]
pub struct KpiDocument<'a> {
    pub reference: &'a str,
    pub title: &'a str,
    pub group: &'a str,
    pub unit: KpiUnit,
    pub higher_is_better: bool,
    pub indicator: Option<KpiIndicator>,
    pub default_target: f64,
    pub provider_target: Option<f64>,
    pub target: f64,
    pub values: Vec<ValueDocument>,
}

/// One period's value: a rate's numerator and denominator (null for other units), the value, and
/// whether it met the target that applies.
#[derive(Debug, Serialize)]
pub struct ValueDocument {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub numerator: Option<i32>,
    pub denominator: Option<i32>,
    pub value: f64,
    pub met: bool,
}

/// The document for the provider's KPIs and their values (in any order; each KPI's values are
/// picked out by node).
pub fn to_json<'a>(
    provider_id: ProviderId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    kpis: &'a [KpiLine],
    values: &[ValueLine],
) -> KpisDocument<'a> {
    KpisDocument {
        provider_id,
        from,
        to,
        kpis: kpis
            .iter()
            .map(|k| KpiDocument {
                reference: &k.reference,
                title: &k.title,
                group: &k.group_title,
                unit: k.unit,
                higher_is_better: k.higher_is_better,
                indicator: k.indicator,
                default_target: k.default_target,
                provider_target: k.own_target,
                target: k.target,
                values: values
                    .iter()
                    .filter(|v| v.node_id == k.node_id)
                    .map(|v| ValueDocument {
                        period_start: v.period.start,
                        period_end: v.period.end,
                        numerator: v.numerator,
                        denominator: v.denominator,
                        value: v.value,
                        met: v.met,
                    })
                    .collect(),
            })
            .collect(),
    }
}
