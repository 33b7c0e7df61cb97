//! The demo's organisations and people: a fictional NHS OH service, an independent provider, the
//! trust that commissions the first, and one person in each role. Passwords are fixed and printed:
//! this is fictional data on a demo database only.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::model::{NewContract, OrganisationInput, UserInput};
use super::store::{self, Grant};
use super::Role;
use crate::db::schema::organisations;
use crate::db::DbConnection;
use crate::db::ProviderId;
use crate::db::StoreError;

pub const DEMO_PROVIDER: &str = "Northshire OH Service";
pub const DEMO_COMMISSIONER: &str = "Northshire Teaching Hospitals NHS Trust";

/// The demo provider's id, once the demo organisations exist: each area seeds its part onto it.
pub fn demo_provider(conn: &mut DbConnection) -> QueryResult<Option<ProviderId>> {
    organisations::table.filter(organisations::name.eq(DEMO_PROVIDER)).select(organisations::id).first(conn).optional()
}

/// A demo organisation's id by its name, once the demo organisations exist (the other areas'
/// demos find the second provider and the trust by it).
pub fn demo_organisation(conn: &mut DbConnection, name: &str) -> QueryResult<Option<i32>> {
    organisations::table.filter(organisations::name.eq(name)).select(organisations::id).first(conn).optional()
}

/// One demo sign-in, to print.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: &'static str,
    pub email: &'static str,
    pub password: &'static str,
}

/// Demo people: (role, name, email, password).
const PEOPLE: [(&str, &str, &str, &str); 7] = [
    ("manager", "Priya Raman", "manager@northshire-oh.example", "demo-manager-2026"),
    ("clinical_director", "Dr Alasdair Finch", "director@northshire-oh.example", "demo-director-2026"),
    ("clinician", "Grace Okafor RN", "clinician@northshire-oh.example", "demo-clinician-2026"),
    ("viewer", "Tom Hale", "viewer@northshire-oh.example", "demo-viewer-2026"),
    ("commissioner", "Helen Marsh", "commissioner@northshire-nhs.example", "demo-commissioner-2026"),
    ("assessor", "Dr Ruth Penrose", "assessor@seqohs-assessor.example", "demo-assessor-2026"),
    ("admin", "System Administrator", "admin@northshire-oh.example", "demo-admin-2026"),
];

/// Adds the demo organisations and people unless they are there already; returns the sign-ins.
pub fn seed(conn: &mut DbConnection, today: NaiveDate) -> Result<Vec<DemoLogin>, StoreError> {
    let logins = PEOPLE.iter().map(|(role, _, email, password)| DemoLogin { role, email, password }).collect();
    let present: i64 = organisations::table.filter(organisations::name.eq(DEMO_PROVIDER)).count().get_result(conn)?;
    if present > 0 {
        return Ok(logins);
    }
    let organisation = |conn: &mut DbConnection, kind: &str, name: &str, code: &str, kind_type: &str, sites| {
        let input = OrganisationInput {
            kind: kind.into(),
            name: name.into(),
            code: code.into(),
            organisation_type: kind_type.into(),
            sites,
        };
        store::create_organisation(conn, None, &input.parse()?)
    };
    let provider = organisation(conn, "provider", DEMO_PROVIDER, "RX1OH", "nhs_hosting", Some(3))?;
    organisation(conn, "provider", "Southvale Occupational Health Ltd", "09876543", "independent", Some(1))?;
    let trust = organisation(conn, "commissioner", DEMO_COMMISSIONER, "RX1", "nhs_trust", Some(4))?;

    // The current NHS financial year, April to March.
    let year = if today.month() >= 4 { today.year() } else { today.year() - 1 };
    let starts_on = chrono::NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or(today);
    let ends_on = chrono::NaiveDate::from_ymd_opt(year + 2, 3, 31);
    let contract = NewContract {
        commissioner_id: trust,
        provider_id: ProviderId(provider),
        starts_on,
        ends_on,
        services: ["PREV", "TIME", "REHAB", "HAW", "HWB", "TT"].map(String::from).to_vec(),
    };
    store::create_contract(conn, None, &contract)?;

    for (role, name, email, password) in PEOPLE {
        let user =
            UserInput { email: email.into(), name: name.into(), password: password.into(), is_admin: role == "admin" }
                .parse()?;
        let grant = Role::parse(role).map(|role| Grant {
            organisation_id: if role == Role::Commissioner { trust } else { provider },
            role,
            expires_on: (role == Role::Assessor).then(|| today + chrono::Duration::days(90)),
        });
        store::create_user(conn, None, &user, grant)?;
    }
    Ok(logins)
}
