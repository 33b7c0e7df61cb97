//! What a coverage record may say, and the checks it must pass. Pure.

use chrono::NaiveDate;

use crate::catalogue::model::NodeKind;
use crate::form::FieldErrors;
use crate::form::{optional_date, optional_text};

/// The longest free text on a coverage record.
pub const TEXT_LIMIT: usize = 2_000;

crate::vocabulary! {
    /// Whether a row is one of the six NHS core services or one of the ten sub-specialisms.
    pub enum CoverageKind {
        CoreService => ("core_service", "Core service"),
        Subspecialism => ("subspecialism", "Sub-specialism"),
    }
    name = "coverage kind", stored_in = [];
}

impl CoverageKind {
    /// The coverage row a catalogue entry of this kind is; None for entries that are neither.
    pub fn of_node(kind: NodeKind) -> Option<Self> {
        match kind {
            NodeKind::CoreService => Some(CoverageKind::CoreService),
            NodeKind::Subspecialism => Some(CoverageKind::Subspecialism),
            _ => None,
        }
    }
}

crate::vocabulary! {
    /// How a core service or sub-specialism is delivered.
    pub enum Delivery {
        InHouse => ("in_house", "By the OH team itself"),
        Arrangement => ("arrangement", "By another provider under an arrangement"),
        Partial => ("partial", "Partly"),
        NotAvailable => ("not_available", "Not available"),
    }
    name = "delivery", stored_in = [service_coverage.delivery];
}

impl Delivery {
    /// Sub-specialisms are in-house expertise, a formal arrangement, or nothing; only core services
    /// can be partly delivered.
    pub fn allowed_for(kind: CoverageKind) -> &'static [Delivery] {
        match kind {
            CoverageKind::CoreService => Delivery::ALL,
            CoverageKind::Subspecialism => &[Delivery::InHouse, Delivery::Arrangement, Delivery::NotAvailable],
        }
    }
}

/// A coverage record as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct CoverageInput {
    pub delivery: String,
    pub partner_name: String,
    pub agreement_reference: String,
    pub partner_contact: String,
    pub starts_on: String,
    pub ends_on: String,
    pub included: String,
    pub excluded: String,
    pub lead_name: String,
    pub notes: String,
}

/// A checked coverage record. Fields that do not belong to the chosen delivery are dropped, so a
/// service brought in-house keeps no stale partner.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coverage {
    pub delivery: Option<Delivery>,
    pub partner_name: Option<String>,
    pub agreement_reference: Option<String>,
    pub partner_contact: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub included: Option<String>,
    pub excluded: Option<String>,
    pub lead_name: Option<String>,
    pub notes: String,
}

impl CoverageInput {
    /// Checks the record for a row of `kind`; every bad field at once.
    pub fn parse(&self, kind: CoverageKind) -> Result<Coverage, FieldErrors> {
        let mut errors = FieldErrors::default();
        let delivery = Delivery::parse(&self.delivery).filter(|d| Delivery::allowed_for(kind).contains(d));
        if delivery.is_none() {
            let message = match kind {
                CoverageKind::CoreService => "Choose how the service is delivered",
                CoverageKind::Subspecialism => "Choose in-house expertise, an arrangement, or no arrangement",
            };
            errors.add("delivery", message);
        }
        let notes = optional_text(&mut errors, "notes", &self.notes, TEXT_LIMIT).unwrap_or_default();
        let lead_name = optional_text(&mut errors, "lead_name", &self.lead_name, TEXT_LIMIT);
        let mut coverage = Coverage { delivery, lead_name, notes, ..Default::default() };
        match delivery {
            Some(Delivery::Arrangement) => {
                coverage.partner_name = optional_text(&mut errors, "partner_name", &self.partner_name, TEXT_LIMIT);
                if coverage.partner_name.is_none() {
                    errors.add("partner_name", "Enter the name of the provider the arrangement is with");
                }
                coverage.agreement_reference =
                    optional_text(&mut errors, "agreement_reference", &self.agreement_reference, TEXT_LIMIT);
                coverage.partner_contact =
                    optional_text(&mut errors, "partner_contact", &self.partner_contact, TEXT_LIMIT);
                coverage.starts_on = optional_date(&mut errors, "starts_on", &self.starts_on);
                coverage.ends_on = optional_date(&mut errors, "ends_on", &self.ends_on);
                if let (Some(starts), Some(ends)) = (coverage.starts_on, coverage.ends_on) {
                    if ends < starts {
                        errors.add("ends_on", "The end date (the last day covered) cannot be before the start date");
                    }
                }
            }
            Some(Delivery::Partial) => {
                coverage.included = optional_text(&mut errors, "included", &self.included, TEXT_LIMIT);
                coverage.excluded = optional_text(&mut errors, "excluded", &self.excluded, TEXT_LIMIT);
                if coverage.included.is_none() {
                    errors.add("included", "Say what part of the service is delivered");
                }
                if coverage.excluded.is_none() {
                    errors.add("excluded", "Say what part of the service is not delivered");
                }
            }
            _ => {}
        }
        if errors.is_empty() {
            Ok(coverage)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrangement(partner: &str, starts: &str, ends: &str) -> CoverageInput {
        CoverageInput {
            delivery: "arrangement".into(),
            partner_name: partner.into(),
            starts_on: starts.into(),
            ends_on: ends.into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_arrangement_needs_its_partner_and_dates_in_order() {
        let errors = arrangement("  ", "2026-04-01", "2026-03-31").parse(CoverageKind::CoreService).unwrap_err();
        assert_eq!(errors.0["partner_name"], "Enter the name of the provider the arrangement is with");
        assert_eq!(errors.0["ends_on"], "The end date (the last day covered) cannot be before the start date");
        let one_day = arrangement("Physio Partners LLP", "2026-04-01", "01/04/2026").parse(CoverageKind::CoreService);
        assert_eq!(one_day.unwrap().ends_on, NaiveDate::from_ymd_opt(2026, 4, 1), "a single day is a valid term");
    }

    #[test]
    fn sub_specialisms_cannot_be_partly_delivered() {
        let partial = CoverageInput { delivery: "partial".into(), ..Default::default() };
        assert!(partial.parse(CoverageKind::Subspecialism).unwrap_err().0.contains_key("delivery"));
        let errors = partial.parse(CoverageKind::CoreService).unwrap_err();
        assert!(errors.0.contains_key("included") && errors.0.contains_key("excluded"));
    }

    #[test]
    fn fields_of_another_delivery_are_dropped() {
        let input = CoverageInput {
            delivery: "in_house".into(),
            partner_name: "Old partner".into(),
            ends_on: "2020-01-01".into(),
            lead_name: "Dr Maya Osei".into(),
            ..Default::default()
        };
        let coverage = input.parse(CoverageKind::CoreService).unwrap();
        assert_eq!((coverage.partner_name, coverage.ends_on), (None, None));
        assert_eq!(coverage.lead_name.as_deref(), Some("Dr Maya Osei"));
    }
}
