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
    // Someone invited who has not yet set a password: the invite page and the administration
    // page show the invitation outstanding, and the outbox holds its message.
    let invitation = super::links::NewInvitation {
        email: INVITED.1.into(),
        name: INVITED.0.into(),
        is_admin: false,
        grant: Some(Grant { organisation_id: provider, role: Role::Clinician, expires_on: None }),
    };
    super::links::invite(conn, None, PEOPLE[0].1, &invitation, chrono::Utc::now().naive_utc())?;
    Ok(logins)
}

/// The demo's invited clinician, who has not accepted: (name, email).
pub const INVITED: (&str, &str) = ("Sam Patel", "invited@northshire-oh.example");

/// One provider made by `ohgov demo --scale N`: its id, its place in the generation (from which
/// every area's generator derives its variety, so a run is repeatable), its name, and its two
/// people who sign in nowhere (their password hash is no hash, so it never matches).
#[derive(Debug, Clone)]
pub struct GeneratedProvider {
    pub id: ProviderId,
    pub index: usize,
    pub name: String,
    pub manager: crate::db::UserId,
    pub clinical_director: crate::db::UserId,
}

/// The start of every generated provider's organisation code: how a second run finds the ones a
/// first made.
const GENERATED_CODE: &str = "OHG";

/// Fictional places and kinds of service: the generated names are every place with every kind.
const PLACES: [&str; 50] = [
    "Northfield",
    "Ashby Vale",
    "Brackenholm",
    "Carrow",
    "Dunmere",
    "Eastwick",
    "Fernleigh",
    "Glenrothy",
    "Harrowgate Cross",
    "Ivybridge Moor",
    "Kestleton",
    "Larkfield",
    "Marlow Heath",
    "Netherby",
    "Oakhanger",
    "Pennycross",
    "Quarry Bank",
    "Ravensworth",
    "Saltmarsh",
    "Thornbury Wells",
    "Upperton",
    "Wealdstone Green",
    "Westmarch",
    "Yarrowdale",
    "Aldermoor",
    "Beckfoot",
    "Coldharbour",
    "Drayfield",
    "Elmstead",
    "Foxhollow",
    "Greystoke Park",
    "Hollinwood",
    "Kingsmere",
    "Lowther Bay",
    "Millbrook",
    "Norbury Edge",
    "Orchard Vale",
    "Pinehurst",
    "Redcliffe",
    "Stanwick",
    "Tamworth Fields",
    "Underhill",
    "Whitstone",
    "Brampton Cross",
    "Calder Reach",
    "Dovecote",
    "Easterby",
    "Fairhaven",
    "Gorsemoor",
    "Hartside",
];
const SERVICE_KINDS: [(&str, &str); 20] = [
    ("Community OH Service", "nhs_hosting"),
    ("Occupational Health Ltd", "independent"),
    ("Workplace Health", "independent"),
    ("NHS Occupational Health", "nhs_hosting"),
    ("Staff Health and Wellbeing", "nhs_hosting"),
    ("Health at Work Partnership", "independent"),
    ("OH Consultancy", "independent"),
    ("Healthcare NHS Trust OH Department", "nhs_hosting"),
    ("Employee Health Service", "nhs_hosting"),
    ("Occupational Health Associates", "independent"),
    ("Work and Health Service", "independent"),
    ("OH and Wellbeing Hub", "nhs_hosting"),
    ("University Hospitals OH", "nhs_hosting"),
    ("Workforce Health Ltd", "independent"),
    ("Integrated Care OH Service", "nhs_hosting"),
    ("Health Surveillance Services", "independent"),
    ("People Health Team", "nhs_hosting"),
    ("OH Practice", "independent"),
    ("Mental Health Trust OH", "nhs_hosting"),
    ("Safe Work Health Ltd", "independent"),
];
const FIRST_NAMES: [&str; 20] = [
    "Amira", "Ben", "Chloe", "David", "Esther", "Femi", "Gemma", "Harjit", "Imogen", "Joel", "Kirsty", "Leon", "Mei",
    "Nathan", "Olivia", "Pawel", "Rhiannon", "Sanjay", "Tessa", "Yusuf",
];
const SURNAMES: [&str; 20] = [
    "Abbott",
    "Bhatt",
    "Crowther",
    "Dlamini",
    "Evans",
    "Fletcher",
    "Gill",
    "Hussain",
    "Iqbal",
    "Jenkins",
    "Kaur",
    "Lindqvist",
    "McAllister",
    "Nwosu",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Stewart",
    "Thompson",
];

/// The name of the generated provider at `index`: unique for the first thousand, numbered after.
pub fn generated_name(index: usize) -> String {
    let place = PLACES[index % PLACES.len()];
    let (kind, _) = SERVICE_KINDS[(index / PLACES.len()) % SERVICE_KINDS.len()];
    let round = index / (PLACES.len() * SERVICE_KINDS.len());
    if round == 0 {
        format!("{place} {kind}")
    } else {
        format!("{place} {kind} ({})", round + 1)
    }
}

/// A fictional person's name for generated records, varied by `seed`.
pub fn generated_person(seed: usize) -> String {
    let first = FIRST_NAMES[seed % FIRST_NAMES.len()];
    let last = SURNAMES[(seed / FIRST_NAMES.len() + seed * 7) % SURNAMES.len()];
    format!("{first} {last}")
}

/// How many providers an earlier `--scale` run generated: the next index to make.
pub fn generated_count(conn: &mut DbConnection) -> QueryResult<usize> {
    let count: i64 = organisations::table
        .filter(organisations::code.like(format!("{GENERATED_CODE}%")))
        .filter(organisations::kind.eq("provider"))
        .count()
        .get_result(conn)?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// Writes the generated providers `indexes` (organisations, a manager and a clinical director each,
/// and a current contract with `commissioner_id` for the six core services), in a few multi-row
/// inserts, and one history row per provider saying what was made (not one per row: a thousand
/// providers would otherwise write tens of thousands of rows nobody reads). Call inside a
/// transaction.
pub fn generate(
    conn: &mut DbConnection,
    commissioner_id: i32,
    indexes: std::ops::Range<usize>,
    today: NaiveDate,
) -> QueryResult<Vec<GeneratedProvider>> {
    use crate::db::schema::{contracts, memberships, users};
    use crate::history::store::json;
    let now = chrono::Utc::now().naive_utc();
    let code = |index: usize| format!("{GENERATED_CODE}{:05}", index + 1);
    let organisation_rows: Vec<_> = indexes
        .clone()
        .map(|index| {
            let (_, kind) = SERVICE_KINDS[(index / PLACES.len()) % SERVICE_KINDS.len()];
            (
                organisations::kind.eq("provider"),
                organisations::name.eq(generated_name(index)),
                organisations::code.eq(code(index)),
                organisations::organisation_type.eq(kind),
                organisations::sites.eq(1 + (index % 4) as i32),
                organisations::created_at.eq(now),
            )
        })
        .collect();
    crate::db::insert_batch(conn, organisations::table, &organisation_rows)?;
    let codes: Vec<String> = indexes.clone().map(code).collect();
    let mut made: Vec<(i32, String)> = organisations::table
        .filter(organisations::code.eq_any(&codes))
        .select((organisations::id, organisations::code))
        .load::<(i32, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, code)| (id, code.unwrap_or_default()))
        .collect();
    made.sort_by(|a, b| a.1.cmp(&b.1));

    // People who never sign in: a stored hash that is no argon2 hash never verifies.
    let email = |role: &str, index: usize| format!("{role}.{:05}@generated-oh.example", index + 1);
    let user_rows: Vec<_> = indexes
        .clone()
        .flat_map(|index| {
            [("manager", generated_person(index * 2)), ("director", format!("Dr {}", generated_person(index * 2 + 1)))]
                .map(|(role, name)| {
                    (
                        users::email.eq(email(role, index)),
                        users::name.eq(name),
                        users::password_hash.eq("!generated: no sign-in"),
                        users::is_admin.eq(false),
                        users::failed_sign_ins.eq(0),
                        users::session_epoch.eq(0),
                        users::created_at.eq(now),
                    )
                })
        })
        .collect();
    crate::db::insert_batch(conn, users::table, &user_rows)?;
    let emails: Vec<String> =
        indexes.clone().flat_map(|index| [email("manager", index), email("director", index)]).collect();
    let user_ids: std::collections::HashMap<String, i32> = users::table
        .filter(users::email.eq_any(&emails))
        .select((users::email, users::id))
        .load(conn)?
        .into_iter()
        .map(|(e, i): (String, i32)| (e, i))
        .collect();

    let mut generated = Vec::with_capacity(made.len());
    for ((id, _), index) in made.iter().zip(indexes.clone()) {
        let (Some(manager), Some(director)) =
            (user_ids.get(&email("manager", index)), user_ids.get(&email("director", index)))
        else {
            return Err(diesel::result::Error::NotFound);
        };
        generated.push(GeneratedProvider {
            id: ProviderId(*id),
            index,
            name: generated_name(index),
            manager: crate::db::UserId(*manager),
            clinical_director: crate::db::UserId(*director),
        });
    }
    let membership_rows: Vec<_> = generated
        .iter()
        .flat_map(|p| {
            [(p.manager, Role::Manager), (p.clinical_director, Role::ClinicalDirector)].map(|(user, role)| {
                (
                    memberships::user_id.eq(user.0),
                    memberships::organisation_id.eq(p.id.0),
                    memberships::role.eq(role),
                    memberships::created_at.eq(now),
                )
            })
        })
        .collect();
    crate::db::insert_batch(conn, memberships::table, &membership_rows)?;

    // Contracts began in one of the last three Aprils and run two years past this one.
    let year = crate::clock::FinancialYear::containing(today);
    let services = json(["PREV", "TIME", "REHAB", "HAW", "HWB", "TT"]).to_string();
    let contract_rows: Vec<_> = generated
        .iter()
        .map(|p| {
            let began =
                crate::clock::FinancialYear::starting_in(year.start_year() - (p.index % 3) as i32).unwrap_or(year);
            (
                contracts::commissioner_id.eq(commissioner_id),
                contracts::provider_id.eq(p.id.0),
                contracts::starts_on.eq(began.starts_on()),
                contracts::ends_on.eq(Some(year.ends_on() + chrono::Months::new(24))),
                contracts::services.eq(services.as_str()),
                contracts::created_at.eq(now),
            )
        })
        .collect();
    crate::db::insert_batch(conn, contracts::table, &contract_rows)?;
    for p in &generated {
        crate::accounts::demo::record_generated(
            conn,
            p,
            "accounts",
            vec![("organisation", json(&p.name)), ("people", json(2)), ("contract_with", json(commissioner_id))],
        )?;
    }
    Ok(generated)
}

/// A number from 0 to 99 fixed by a generated provider's index and what is being decided
/// (`what`: a row's position, a salt): the generators' dice, the same on every run.
pub fn vary(index: usize, what: usize) -> usize {
    // SplitMix64's finaliser: neighbouring inputs give unrelated outputs.
    let mut x = (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (what as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x % 100) as usize
}

/// The demo commissioner's id, once the demo organisations exist: the generated providers are
/// contracted to it.
pub fn demo_commissioner(conn: &mut DbConnection) -> QueryResult<Option<i32>> {
    organisations::table
        .filter(organisations::name.eq(DEMO_COMMISSIONER))
        .select(organisations::id)
        .first(conn)
        .optional()
}

/// The one history row a generator writes for a provider and its area (`area`: "workforce"), saying
/// what it made in counts, instead of one row per record made.
pub fn record_generated(
    conn: &mut DbConnection,
    provider: &GeneratedProvider,
    area: &str,
    mut made: Vec<(&str, serde_json::Value)>,
) -> QueryResult<i32> {
    made.insert(0, ("area", crate::history::store::json(area)));
    crate::history::store::record_created(conn, None, Some(provider.id.0), "generated", provider.id.0, made)
}
