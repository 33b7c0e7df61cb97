//! Who may do what with a provider's records: the one access rule every route goes through. Pure.

use chrono::NaiveDate;

use super::model::Role;
use crate::db::ProviderId;

/// What a route needs to be allowed to do with one provider's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// See the provider's records: the workforce figures, the history of changes.
    Read,
    /// See named staff records: each person's page, CPD and supervision, the table of people, and
    /// who changed what in the history. A commissioner needs the figures, not the people.
    ReadStaff,
    /// See the SEQOHS assessment and evidence (all an external assessor may see).
    ReadAssessment,
    /// Change the provider's records.
    Manage,
    /// Sign off audit plans and reports.
    SignOff,
    /// Add and change one's own CPD and supervision records.
    EditOwnRecords,
    /// Record findings and ask for evidence, as an external assessor or an internal auditor.
    Assess,
    /// See the provider's documents before they are approved or shared: the evidence pack unless
    /// the provider shares it with its commissioners, and the quality report's draft. Everyone who
    /// works with the provider, but not the commissioners who pay it.
    ReadUnpublished,
    /// Record the six-monthly customer review between a provider and a commissioner, and confirm
    /// one the other side recorded: the provider's managers and clinical directors, and the
    /// commissioners who hold a current contract with it.
    ReviewService,
}

/// One of the user's memberships, as the rule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub organisation_id: i32,
    pub role: Role,
    pub expires_on: Option<NaiveDate>,
}

/// A contract as the rule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub commissioner_id: i32,
    pub provider_id: ProviderId,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// The answer. `Hidden` is shown as 404: whether the provider exists is itself private.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Allowed,
    Forbidden,
    Hidden,
}

fn role_allows(role: Role, capability: Capability) -> bool {
    use Capability::*;
    match role {
        Role::ClinicalDirector => true,
        Role::Manager => capability != SignOff,
        Role::Clinician => {
            matches!(capability, Read | ReadStaff | ReadAssessment | ReadUnpublished | EditOwnRecords)
        }
        Role::Viewer => matches!(capability, Read | ReadStaff | ReadAssessment | ReadUnpublished),
        Role::Commissioner => matches!(capability, Read | ReadAssessment | ReviewService),
        Role::Assessor => matches!(capability, ReadAssessment | ReadUnpublished | Assess),
    }
}

/// Decides one user's access to one provider on `today`. Admins get nothing here unless they are
/// also members: administering accounts is not reading clinical governance records.
pub fn decide(
    memberships: &[Membership],
    contracts: &[Contract],
    provider_id: ProviderId,
    capability: Capability,
    today: NaiveDate,
) -> Access {
    let current = |m: &&Membership| m.expires_on.is_none_or(|last_day| today <= last_day);
    let mut sees = false;
    for membership in memberships.iter().filter(current) {
        let reaches = match membership.role {
            Role::Commissioner => contracts.iter().any(|c| {
                c.commissioner_id == membership.organisation_id
                    && c.provider_id == provider_id
                    && super::model::NewContract::is_current_on(c.starts_on, c.ends_on, today)
            }),
            _ => membership.organisation_id == provider_id.0,
        };
        if !reaches {
            continue;
        }
        if role_allows(membership.role, capability) {
            return Access::Allowed;
        }
        sees |= role_allows(membership.role, Capability::ReadAssessment);
    }
    if sees {
        Access::Forbidden
    } else {
        Access::Hidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Access::{Allowed, Forbidden};
    use Capability::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn member(organisation_id: i32, role: Role) -> Membership {
        Membership { organisation_id, role, expires_on: None }
    }

    const PROVIDER: ProviderId = ProviderId(1);
    const OTHER_PROVIDER: ProviderId = ProviderId(2);
    const TRUST: i32 = 10;

    fn contract(ends_on: Option<NaiveDate>) -> Contract {
        Contract { commissioner_id: TRUST, provider_id: PROVIDER, starts_on: day(4, 1), ends_on }
    }

    #[test]
    fn provider_roles_follow_the_table() {
        let today = day(11, 23);
        let expect = [
            (Role::Manager, [Allowed, Allowed, Allowed, Allowed, Forbidden, Allowed, Allowed]),
            (Role::ClinicalDirector, [Allowed; 7]),
            (Role::Clinician, [Allowed, Allowed, Allowed, Forbidden, Forbidden, Allowed, Forbidden]),
            (Role::Viewer, [Allowed, Allowed, Allowed, Forbidden, Forbidden, Forbidden, Forbidden]),
            (Role::Assessor, [Forbidden, Forbidden, Allowed, Forbidden, Forbidden, Forbidden, Allowed]),
        ];
        for (role, answers) in expect {
            for (capability, answer) in
                [Read, ReadStaff, ReadAssessment, Manage, SignOff, EditOwnRecords, Assess].into_iter().zip(answers)
            {
                assert_eq!(
                    decide(&[member(PROVIDER.0, role)], &[], PROVIDER, capability, today),
                    answer,
                    "{role:?} {capability:?}"
                );
                assert_eq!(decide(&[member(PROVIDER.0, role)], &[], OTHER_PROVIDER, capability, today), Access::Hidden);
            }
        }
    }

    #[test]
    fn commissioners_read_only_providers_under_a_current_contract() {
        let me = [member(TRUST, Role::Commissioner)];
        let today = day(11, 23);
        assert_eq!(decide(&me, &[contract(None)], PROVIDER, Read, today), Access::Allowed);
        assert_eq!(decide(&me, &[contract(None)], PROVIDER, Manage, today), Access::Forbidden, "never writes");
        assert_eq!(
            decide(&me, &[contract(None)], PROVIDER, ReadStaff, today),
            Access::Forbidden,
            "the figures, not the people"
        );
        assert_eq!(decide(&me, &[contract(None)], PROVIDER, Assess, today), Access::Forbidden, "never assesses");
        assert_eq!(decide(&me, &[contract(None)], OTHER_PROVIDER, Read, today), Access::Hidden);
        // The contract's last day still counts; the day after it does not; nor before it starts.
        assert_eq!(decide(&me, &[contract(Some(today))], PROVIDER, Read, today), Access::Allowed);
        assert_eq!(decide(&me, &[contract(Some(day(11, 22)))], PROVIDER, Read, today), Access::Hidden);
        assert_eq!(decide(&me, &[contract(None)], PROVIDER, Read, day(3, 31)), Access::Hidden);
        assert_eq!(decide(&me, &[], PROVIDER, Read, today), Access::Hidden);
    }

    #[test]
    fn assessors_read_the_assessment_until_their_access_ends() {
        let me = [Membership { organisation_id: PROVIDER.0, role: Role::Assessor, expires_on: Some(day(12, 31)) }];
        assert_eq!(decide(&me, &[], PROVIDER, ReadAssessment, day(12, 31)), Access::Allowed);
        assert_eq!(decide(&me, &[], PROVIDER, Read, day(12, 31)), Access::Forbidden);
        assert_eq!(decide(&me, &[], PROVIDER, Manage, day(12, 31)), Access::Forbidden);
        assert_eq!(
            decide(&me, &[], PROVIDER, ReadAssessment, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
            Access::Hidden
        );
    }

    #[test]
    fn the_strongest_membership_wins() {
        let me = [member(PROVIDER.0, Role::Viewer), member(PROVIDER.0, Role::Manager)];
        assert_eq!(decide(&me, &[], PROVIDER, Manage, day(11, 23)), Access::Allowed);
    }
}
