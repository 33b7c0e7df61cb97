//! The demo provider's workforce: forty fictional people across every tier, a year of CPD (two for
//! doctors) and of monthly group supervision for the case workers and technicians, and a handful of
//! people with each kind of issue.

use chrono::{Duration, Months, NaiveDate};
use diesel::prelude::*;

use super::import::{self, Prepared};
use super::model::{CpdType, NewCpd, NewSupervision, RevalidationInput, StaffInput, SupervisionKind};
use super::store;
use crate::clock::FinancialYear;
use crate::db::schema::staff;
use crate::db::DbConnection;
use crate::db::StoreError;

/// (staff number, name, email, discipline, registration number, registration renewal and
/// revalidation in days from today, last appraisal in months ago, practice teacher).
type DemoPerson =
    (&'static str, &'static str, &'static str, &'static str, &'static str, Option<i64>, Option<i64>, Option<u32>, bool);

const PEOPLE: [DemoPerson; 40] = [
    (
        "E10001",
        "Dr Alasdair Finch",
        "director@northshire-oh.example",
        "consultant_occupational_physician",
        "4821937",
        Some(200),
        Some(900),
        Some(4),
        false,
    ),
    (
        "E10002",
        "Dr Maya Osei",
        "",
        "consultant_occupational_physician",
        "5190284",
        Some(140),
        Some(1200),
        Some(7),
        false,
    ),
    ("E10003", "Dr Kwame Asante", "", "occupational_physician", "6038471", Some(25), Some(-20), Some(10), false),
    ("E10004", "Dr Helen Brodie", "", "occupational_physician", "6192835", Some(300), Some(700), Some(17), false),
    ("E10005", "Dr Priya Nair", "", "occupational_physician", "7204918", Some(180), Some(1500), Some(3), false),
    ("E10006", "Dr Tom Ellery", "", "specialty_registrar", "7311846", Some(260), Some(1000), Some(5), false),
    ("E10007", "Dr Aisha Rahman", "", "specialty_registrar", "7428193", Some(90), Some(1300), Some(2), false),
    (
        "E10008",
        "Grace Okafor RN",
        "clinician@northshire-oh.example",
        "oh_nurse_scphn",
        "98A1234E",
        Some(150),
        Some(60),
        None,
        true,
    ),
    ("E10009", "Bernadette Walsh RN", "", "oh_nurse_scphn", "01B2345F", Some(-10), Some(400), None, true),
    ("E10010", "Carys Morgan RN", "", "oh_nurse_scphn", "03C3456G", Some(210), Some(75), None, false),
    ("E10011", "Daniel Mensah RN", "", "oh_nurse_scphn", "05D4567H", Some(30), Some(800), None, false),
    ("E10012", "Eleanor Price RN", "", "oh_nurse_scphn", "07E5678J", Some(240), Some(600), None, true),
    ("E10013", "Farah Siddiqui RN", "", "oh_nurse_scphn", "09F6789K", Some(120), Some(500), None, false),
    ("E10014", "Gethin Lloyd RN", "", "oh_nurse_scphn", "11G7890L", Some(330), Some(1000), None, false),
    ("E10015", "Hannah Kowalski RN", "", "oh_nurse_scphn", "13H8901M", Some(60), Some(45), None, false),
    ("E10016", "Isla Fraser RN", "", "oh_nurse", "15J9012N", Some(100), Some(80), None, false),
    ("E10017", "Jacob Adeyemi RN", "", "oh_nurse", "17K0123P", Some(280), Some(700), None, false),
    ("E10018", "Katie Doyle RN", "", "oh_nurse", "19L1234Q", Some(45), Some(1050), None, false),
    ("E10019", "Liam O'Connor RN", "", "oh_nurse", "20M2345R", Some(170), Some(350), None, false),
    ("E10020", "Megan Hughes RN", "", "oh_nurse", "21N3456S", Some(310), Some(950), None, false),
    ("E10021", "Nadia Petrova RN", "", "oh_nurse", "22P4567T", Some(220), Some(650), None, false),
    ("E10022", "Owen Griffiths", "", "physiotherapist", "PH204817", Some(400), None, None, false),
    ("E10023", "Rosa Bianchi", "", "physiotherapist", "PH319264", Some(500), None, None, false),
    ("E10024", "Dr Simon Hart", "", "psychologist", "PYL04821", Some(250), None, None, false),
    ("E10025", "Tamsin Reed", "", "other_ahp", "OT58203", Some(350), None, None, false),
    ("E10026", "Umar Farooq", "", "oh_technician", "", None, None, None, false),
    ("E10027", "Vicky Holt", "", "oh_technician", "", None, None, None, false),
    ("E10028", "Will Chambers", "", "oh_technician", "", None, None, None, false),
    ("E10029", "Yasmin Clarke", "", "non_clinical_case_worker", "", None, None, None, false),
    ("E10030", "Zoe Barker", "", "non_clinical_case_worker", "", None, None, None, false),
    ("E10031", "Adam Whitfield", "", "non_clinical_case_worker", "", None, None, None, false),
    ("E10032", "Bethan Rees", "", "non_clinical_case_worker", "", None, None, None, false),
    ("E10033", "Callum Stewart", "", "non_clinical_case_worker", "", None, None, None, false),
    ("E10034", "Dina Haddad", "", "non_clinical_case_worker", "", None, None, None, false),
    ("E10035", "Ethan Moss", "", "non_clinical_case_worker", "", None, None, None, false),
    ("E10036", "Fiona Gallagher", "", "non_clinical_case_worker", "", None, None, None, false),
    ("E10037", "Tom Hale", "viewer@northshire-oh.example", "administrator", "", None, None, None, false),
    ("E10038", "Priya Raman", "manager@northshire-oh.example", "administrator", "", None, None, None, false),
    ("E10039", "Joanne Pike", "", "administrator", "", None, None, None, false),
    ("E10040", "Kieran Walsh", "", "administrator", "", None, None, None, false),
];

/// Case workers who have missed the last two monthly sessions: their supervision is overdue.
const MISSED_SUPERVISION: [&str; 2] = ["E10033", "E10036"];
/// People whose CPD is short: a nurse revalidating in 75 days with little logged, and a
/// physiotherapist with nothing in the earlier of the two HCPC periods.
const LITTLE_CPD: [&str; 2] = ["E10010", "E10023"];
/// A doctor who logged nothing in the last CPD year and has not been appraised since it ended.
/// (Dr Kwame Asante, E10003, is past revalidation with two years' CPD on record: short of the
/// cycle's 250 credits.)
const NO_CPD_LAST_YEAR: [&str; 1] = ["E10004"];

/// The demo's ESR staff report: the same people as ESR would list them, with ESR's column names
/// and values, for trying the import as a manager would.
pub const ESR_STAFF_REPORT: &str = include_str!("../../demo/esr-staff-report.csv");

/// The name of the demo's saved mapping for [`ESR_STAFF_REPORT`].
pub const ESR_MAPPING_NAME: &str = "ESR monthly staff report";

/// The demo's CPD log, kept by the service's administrator in an Excel workbook with its own column
/// names, date cells and formulas (made by `tests/demo_files.rs`).
pub const CPD_LOG_WORKBOOK: &[u8] = include_bytes!("../../demo/cpd-log.xlsx");

/// The name of the demo's saved mapping for [`CPD_LOG_WORKBOOK`].
pub const CPD_LOG_MAPPING_NAME: &str = "CPD log workbook";

/// Saves the mapping that reads one of the demo's files (`demo/`), as a manager would have on its
/// first import: the columns and values as the guess finds them, so the next upload of the file is
/// read without asking. A value the synonyms do not know stops the demo: the file and
/// `standards/import-columns.toml` have drifted apart.
fn demo_mapping(
    conn: &mut DbConnection,
    provider: crate::db::ProviderId,
    kind: super::import::ImportKind,
    name: &str,
    (path, file): (&str, &[u8]),
) -> Result<(), StoreError> {
    use super::mapping::{self, ColumnMapping, Synonyms};
    let unreadable = |e: super::import::RowError| StoreError::Conflict(format!("{path}: {e}"));
    let headers = mapping::headers(file, None).map_err(unreadable)?;
    let columns = mapping::guess_columns(kind, &headers, Synonyms::builtin());
    let (_, counts) = mapping::survey(file, None, kind, &columns).map_err(unreadable)?;
    let (values, unknown) = mapping::guess_values(kind, &counts, &Default::default(), Synonyms::builtin());
    if let Some(value) = unknown.first() {
        return Err(StoreError::Conflict(format!(
            "{path}: the synonyms do not know the {} {:?}",
            value.field, value.value
        )));
    }
    let now = chrono::Utc::now().naive_utc();
    let column_mapping = ColumnMapping { columns, values };
    super::mapping_store::save(conn, None, provider, kind, name, &headers, &column_mapping, now)?;
    Ok(())
}

fn days(today: NaiveDate, n: i64) -> String {
    (today + Duration::days(n)).to_string()
}

/// Seeds the demo workforce unless the provider has people already.
pub fn seed(conn: &mut DbConnection, today: NaiveDate) -> Result<(), StoreError> {
    let provider = crate::accounts::demo::demo_provider(conn)?;
    let Some(provider) = provider else { return Ok(()) };
    let present: i64 = staff::table.filter(staff::provider_id.eq(provider)).count().get_result(conn)?;
    if present > 0 {
        return Ok(());
    }
    let regulations = store::regulations(conn)?;
    let mut people = Vec::new();
    for (i, (number, name, email, discipline, registration, renewal, revalidation, appraised, teacher)) in
        PEOPLE.iter().enumerate()
    {
        let appraisal = appraised.and_then(|m| today.checked_sub_months(Months::new(m))).map(|d| d.to_string());
        let input = StaffInput {
            staff_number: number.to_string(),
            full_name: name.to_string(),
            email: email.to_string(),
            discipline: discipline.to_string(),
            registration_number: registration.to_string(),
            registration_renewal: renewal.map(|n| days(today, n)).unwrap_or_default(),
            revalidation_due: revalidation.map(|n| days(today, n)).unwrap_or_default(),
            last_appraisal: appraisal.unwrap_or_default(),
            // Dr Nair's Responsible Officer is not yet recorded.
            responsible_officer: if (discipline.contains("physician") || discipline.contains("registrar"))
                && *number != "E10005"
            {
                "Dr Ruth Adebayo, Northshire Teaching Hospitals".into()
            } else {
                String::new()
            },
            start_date: days(today, -400 - 97 * i as i64),
            fte: if i % 4 == 0 { "0.8".into() } else { "1".into() },
            practice_teacher: if *teacher { "yes".into() } else { String::new() },
            // How each consultant reached the specialist register: Dr Osei's CCT or CESR is not
            // yet recorded, only that she is on the register.
            specialist_route: match *number {
                "E10001" => "cct".into(),
                "E10002" => "specialist_register".into(),
                _ => String::new(),
            },
            ..Default::default()
        };
        let person = input.parse(&regulations)?;
        let id = store::create_staff(conn, None, provider, &person)?;
        people.push((id, *number, *discipline));
    }
    use super::import::ImportKind;
    let esr = ("demo/esr-staff-report.csv", ESR_STAFF_REPORT.as_bytes());
    demo_mapping(conn, provider, ImportKind::Staff, ESR_MAPPING_NAME, esr)?;
    let cpd_log = ("demo/cpd-log.xlsx", CPD_LOG_WORKBOOK);
    demo_mapping(conn, provider, ImportKind::Cpd, CPD_LOG_MAPPING_NAME, cpd_log)?;

    // A year of CPD for the registered (two for doctors, so the last CPD year is judged on a full
    // year), in one import-sized transaction.
    let last_cpd_year = FinancialYear::starting_in(FinancialYear::containing(today).start_year() - 1);
    let mut cpd = Vec::new();
    for (id, number, discipline) in &people {
        let (count, every, hours, unit) = match *discipline {
            d if d.contains("physician") || d.contains("registrar") => (23, 33, 5.0, "credits"),
            d if d.starts_with("oh_nurse") => (12, 30, 3.0, "hours"),
            "physiotherapist" | "psychologist" | "other_ahp" => (8, 90, 2.5, "hours"),
            _ => continue,
        };
        let count = if LITTLE_CPD.contains(number) { 3 } else { count };
        for k in 0..count {
            let date = today - Duration::days(12 + k * every);
            if NO_CPD_LAST_YEAR.contains(number) && last_cpd_year.is_some_and(|year| year.contains(date)) {
                continue;
            }
            let activity_type = CpdType::ALL[(k as usize) % CpdType::ALL.len()];
            cpd.push((
                0,
                *id,
                NewCpd {
                    date,
                    title: format!(
                        "{} ({unit})",
                        DEMO_ACTIVITIES[(k as usize + id.0 as usize) % DEMO_ACTIVITIES.len()]
                    ),
                    activity_type,
                    hours,
                    participatory: k % 3 != 2,
                    reflective: false,
                },
            ));
        }
        // Nurses' written reflective accounts, each a record of its own with no hours: five over
        // the cycle, one for the nurse with little CPD.
        if discipline.starts_with("oh_nurse") {
            let accounts = if LITTLE_CPD.contains(number) { 1 } else { 5 };
            for k in 0..accounts {
                cpd.push((
                    0,
                    *id,
                    NewCpd {
                        date: today - Duration::days(20 + k * 61),
                        title: format!(
                            "Reflective account: {}",
                            DEMO_REFLECTIONS[(k as usize + id.0 as usize) % DEMO_REFLECTIONS.len()]
                        ),
                        activity_type: CpdType::Other,
                        hours: 0.0,
                        participatory: false,
                        reflective: true,
                    },
                ));
            }
        }
    }
    import::commit(conn, None, provider, &Prepared::Cpd(cpd), "demo", &mut |_| {})?;

    // Monthly group supervision for the case workers and technicians, led in turn by two SCPHN
    // nurses.
    let supervised: Vec<&str> = people
        .iter()
        .filter(|(_, _, d)| *d == "non_clinical_case_worker" || *d == "oh_technician")
        .map(|(_, n, _)| *n)
        .collect();
    let numbers = store::staff_numbers(conn, provider)?;
    let mut sessions = Vec::new();
    for month in 0..12i64 {
        let date: NaiveDate = today - Duration::days(10 + 30 * month);
        let attendees: Vec<String> = supervised
            .iter()
            .filter(|n| month >= 2 || !MISSED_SUPERVISION.contains(n))
            .map(|n| n.to_string())
            .collect();
        let cases = 14 + (month as i32 * 5) % 9;
        let session = NewSupervision {
            date,
            kind: SupervisionKind::Group,
            supervisor: if month % 2 == 0 { "E10008".into() } else { "E10012".into() },
            attendees,
            minutes: "Case reviews of long-term absence; return-to-work plans agreed; two cases discussed for \
                      adjustments under the Equality Act."
                .into(),
            cases_discussed: cases,
            escalated_gp: (month as i32) % 3,
            escalated_clinical: 2 + (month as i32) % 2,
            escalated_specialist: i32::from(month % 4 == 0),
        };
        let resolved = store::resolve_session(&numbers, &session)?;
        sessions.push((0, session, resolved.0, resolved.1));
    }
    import::commit(conn, None, provider, &Prepared::Supervision(sessions), "demo", &mut |_| {})?;

    // Revalidation records of the nurses revalidating soonest, and one part-way through a cycle.
    for (number, practice_hours, feedback, discussion, confirmation) in REVALIDATIONS {
        let Some((id, _, _)) = people.iter().find(|(_, n, _)| *n == number) else { continue };
        let (discussion_on, discussion_with, discussion_with_pin) = discussion
            .map_or_else(Default::default, |(ago, name, pin)| (days(today, -ago), name.to_string(), pin.to_string()));
        let (confirmed_on, confirmer, confirmer_role, confirmer_pin) =
            confirmation.map_or_else(Default::default, |(ago, name, role, pin): (i64, &str, &str, &str)| {
                (days(today, -ago), name.to_string(), role.to_string(), pin.to_string())
            });
        let input = RevalidationInput {
            practice_hours: practice_hours.to_string(),
            feedback_pieces: feedback.to_string(),
            discussion_on,
            discussion_with,
            discussion_with_pin,
            confirmed_on,
            confirmer,
            confirmer_role,
            confirmer_pin,
        };
        let record = input.parse(today, &regulations)?;
        store::save_revalidation(conn, None, provider, *id, &record)?;
    }
    Ok(())
}

/// A reflective discussion: days ago, with whom, their NMC PIN.
type DemoDiscussion = Option<(i64, &'static str, &'static str)>;
/// A confirmation: days ago, by whom, their role, their NMC PIN (blank unless a nurse).
type DemoConfirmation = Option<(i64, &'static str, &'static str, &'static str)>;

/// (staff number, practice hours, pieces of feedback, reflective discussion, confirmation). Grace
/// Okafor and Hannah Kowalski have everything; Carys Morgan, 75 days from revalidation, has three
/// pieces of feedback of five and no confirmation yet; Isla Fraser, 80 days away, is short of
/// practice hours after a career break, with no discussion or confirmation; Bernadette Walsh is
/// part-way through a cycle with more than a year to go, so nothing is judged yet.
const REVALIDATIONS: [(&str, u32, u32, DemoDiscussion, DemoConfirmation); 5] = [
    (
        "E10008",
        1512,
        6,
        Some((40, "Eleanor Price RN", "07E5678J")),
        Some((12, "Dr Alasdair Finch", "other_regulated", "")),
    ),
    (
        "E10015",
        1380,
        5,
        Some((70, "Bernadette Walsh RN", "01B2345F")),
        Some((20, "Grace Okafor RN", "nmc_registrant", "98A1234E")),
    ),
    ("E10010", 1410, 3, Some((30, "Grace Okafor RN", "98A1234E")), None),
    ("E10016", 310, 5, None, None),
    ("E10009", 780, 2, None, None),
];

const DEMO_REFLECTIONS: [&str; 5] = [
    "feedback from a manager on a complex return-to-work case",
    "a health surveillance clinic that ran over time",
    "what the team learned from the audiometry audit",
    "a worker's thank-you card after a phased return",
    "a safeguarding concern raised in a telephone assessment",
];

const DEMO_ACTIVITIES: [&str; 8] = [
    "FOM annual scientific meeting",
    "Fitness for work: mental health update",
    "Journal club: musculoskeletal return to work",
    "Hearing conservation and audiometry",
    "Safeguarding adults level 3",
    "Case-based discussion with peers",
    "Spirometry quality assurance",
    "Report writing audit and feedback",
];

/// The fifty posts of a generated provider: (discipline, how many). Registrars and practice
/// teachers vary by provider; administrators fill the rest.
const GENERATED_POSTS: [(&str, usize); 10] = [
    ("consultant_occupational_physician", 2),
    ("occupational_physician", 2),
    ("specialty_registrar", 2),
    ("oh_nurse_scphn", 4),
    ("oh_nurse", 12),
    ("physiotherapist", 2),
    ("psychologist", 1),
    ("other_ahp", 1),
    ("oh_technician", 3),
    ("non_clinical_case_worker", 12),
];
/// People per generated provider.
pub const GENERATED_STAFF: usize = 50;

/// CPD a generated person records over a year: (title, type, participatory).
const GENERATED_CPD: [(&str, &str, bool); 8] = [
    ("Society of Occupational Medicine annual scientific meeting", "conference", true),
    ("Fitness for work: mental health case discussion", "peer_discussion", true),
    ("Health surveillance for respiratory sensitisers", "course", true),
    ("Journal club: return-to-work interventions", "peer_discussion", true),
    ("Safeguarding adults level 3", "e_learning", false),
    ("Audit of management referral reports", "audit", true),
    ("Teaching session for nursing students", "teaching", true),
    ("Reading: Faculty of Occupational Medicine guidance update", "reading", false),
];

/// Writes each generated provider's fifty people (consultants with CCT or CESR, physicians,
/// registrars, nurses with some practice teachers, allied health professionals, technicians and
/// case workers, administrators), with registrations, revalidation and appraisal dates and
/// Responsible Officers (a few missing or lapsed); a year of CPD each; and monthly group
/// supervision of the technicians and case workers (lapsed at some providers, so it is overdue).
/// Multi-row inserts, and one history row per provider saying what was made. Call inside a
/// transaction.
pub fn generate(
    conn: &mut DbConnection,
    providers: &[crate::accounts::demo::GeneratedProvider],
    today: NaiveDate,
) -> Result<(), StoreError> {
    use super::model::{Discipline, Regulator, SpecialistRoute};
    use crate::accounts::demo::{generated_person, vary};
    use crate::db::schema::{cpd_records, supervision_attendees, supervision_sessions};
    use crate::db::ProviderId;
    use crate::history::store::json;
    let now = chrono::Utc::now().naive_utc();
    let days = |n: i64| today + Duration::days(n);
    let mut staff_rows = Vec::with_capacity(providers.len() * GENERATED_STAFF);
    for p in providers {
        let registrars = vary(p.index, 700) % 3;
        let ro = format!("Dr {} (Responsible Officer)", generated_person(p.index + 11));
        let mut n = 0;
        for (discipline, count) in GENERATED_POSTS {
            let count = if discipline == "specialty_registrar" { registrars } else { count };
            for _ in 0..count {
                n += 1;
                let Some(discipline) = Discipline::parse(discipline) else { continue };
                let regulator = match discipline {
                    Discipline::ConsultantOccupationalPhysician
                    | Discipline::OccupationalPhysician
                    | Discipline::SpecialtyRegistrar => Regulator::Gmc,
                    Discipline::OhNurseScphn | Discipline::OhNurse => Regulator::Nmc,
                    Discipline::Physiotherapist | Discipline::Psychologist | Discipline::OtherAhp => Regulator::Hcpc,
                    _ => Regulator::None,
                };
                let roll = vary(p.index, 1000 + n);
                let seed = p.index * 61 + n;
                let registration = match regulator {
                    Regulator::Gmc => Some(format!("{}", 4_000_000 + (seed * 7919) % 5_000_000)),
                    Regulator::Nmc => Some(format!(
                        "{:02}{}{:04}{}",
                        seed % 24,
                        "ABCDEFGHJK".as_bytes()[seed % 10] as char,
                        (seed * 37) % 10_000,
                        "EFGHJKLMNP".as_bytes()[(seed / 10) % 10] as char
                    )),
                    Regulator::Hcpc => Some(format!(
                        "{}{:06}",
                        if discipline == Discipline::Physiotherapist {
                            "PH"
                        } else if discipline == Discipline::Psychologist {
                            "PYL"
                        } else {
                            "OT"
                        },
                        (seed * 131) % 1_000_000
                    )),
                    Regulator::None => None,
                };
                let registered = registration.is_some();
                // Most registrations renew in the coming year; about one in thirty has lapsed.
                let renewal = registered.then(|| days(if roll < 3 { -10 - roll as i64 } else { 20 + roll as i64 * 3 }));
                let revalidation = matches!(regulator, Regulator::Gmc | Regulator::Nmc)
                    .then(|| days(if roll < 6 { 30 + roll as i64 } else { 90 + roll as i64 * 10 }));
                let doctor = regulator == Regulator::Gmc;
                let appraisal =
                    doctor.then(|| today - Duration::days(if roll > 92 { 480 } else { 30 + roll as i64 * 3 }));
                let route = match (discipline, roll) {
                    (Discipline::ConsultantOccupationalPhysician, 0..=54) => Some(SpecialistRoute::Cct),
                    (Discipline::ConsultantOccupationalPhysician, 55..=89) => Some(SpecialistRoute::Cesr),
                    _ => None,
                };
                let missing_ro = vary(p.index, 701) < 12 && n == 3;
                let full_name = if doctor { format!("Dr {}", generated_person(seed)) } else { generated_person(seed) };
                let teacher = discipline == Discipline::OhNurseScphn && vary(p.index, 702 + n) < 35;
                staff_rows.push((
                    staff::provider_id.eq(p.id),
                    staff::staff_number.eq(format!("G{:05}{:02}", p.index + 1, n)),
                    staff::sort_name.eq(super::rules::sort_name(&full_name)),
                    staff::full_name.eq(full_name),
                    staff::discipline.eq(discipline),
                    staff::tier.eq(discipline.default_tier()),
                    staff::tier_overridden.eq(false),
                    staff::regulator.eq(regulator),
                    staff::registration_number.eq(registration),
                    staff::registration_renewal.eq(renewal),
                    staff::revalidation_due.eq(revalidation),
                    staff::specialist_route.eq(route),
                    staff::last_appraisal.eq(appraisal),
                    staff::responsible_officer.eq((doctor && !missing_ro).then(|| ro.clone())),
                    staff::practice_teacher.eq(teacher),
                    staff::start_date.eq(Some(today - Duration::days(200 + (seed as i64 * 53) % 4000))),
                    staff::fte.eq(Some(if roll.is_multiple_of(4) { 0.6 } else { 1.0 })),
                    staff::created_at.eq(now),
                    staff::updated_at.eq(now),
                ));
            }
        }
        while n < GENERATED_STAFF {
            n += 1;
            let full_name = generated_person(p.index * 61 + n);
            staff_rows.push((
                staff::provider_id.eq(p.id),
                staff::staff_number.eq(format!("G{:05}{:02}", p.index + 1, n)),
                staff::sort_name.eq(super::rules::sort_name(&full_name)),
                staff::full_name.eq(full_name),
                staff::discipline.eq(Discipline::Administrator),
                staff::tier.eq(Discipline::Administrator.default_tier()),
                staff::tier_overridden.eq(false),
                staff::regulator.eq(Regulator::None),
                staff::registration_number.eq(None::<String>),
                staff::registration_renewal.eq(None::<NaiveDate>),
                staff::revalidation_due.eq(None::<NaiveDate>),
                staff::specialist_route.eq(None::<SpecialistRoute>),
                staff::last_appraisal.eq(None::<NaiveDate>),
                staff::responsible_officer.eq(None::<String>),
                staff::practice_teacher.eq(false),
                staff::start_date.eq(Some(today - Duration::days(300 + n as i64 * 17))),
                staff::fte.eq(Some(1.0)),
                staff::created_at.eq(now),
                staff::updated_at.eq(now),
            ));
        }
    }
    crate::db::insert_batch(conn, staff::table, &staff_rows)?;
    let ids: Vec<ProviderId> = providers.iter().map(|p| p.id).collect();
    let people: Vec<(i32, ProviderId, Discipline)> = staff::table
        .filter(staff::provider_id.eq_any(&ids))
        .select((staff::id, staff::provider_id, staff::discipline))
        .order(staff::id)
        .load(conn)?;

    // A year of CPD: doctors monthly, nurses and AHPs every other month, others twice a year.
    let mut cpd_rows = Vec::new();
    let mut cpd_count: std::collections::HashMap<ProviderId, usize> = std::collections::HashMap::new();
    for (k, (staff_id, provider, discipline)) in people.iter().enumerate() {
        let (count, hours) = match discipline.default_tier() {
            _ if matches!(
                discipline,
                Discipline::ConsultantOccupationalPhysician
                    | Discipline::OccupationalPhysician
                    | Discipline::SpecialtyRegistrar
            ) =>
            {
                (10, 5.0)
            }
            super::model::Tier::NonClinical => (2, 2.0),
            _ => (6, 3.0),
        };
        let count = if vary(k, 800) < 5 { 1 } else { count };
        *cpd_count.entry(*provider).or_default() += count;
        for r in 0..count {
            let (title, kind, participatory) = GENERATED_CPD[(k + r) % GENERATED_CPD.len()];
            cpd_rows.push((
                cpd_records::staff_id.eq(*staff_id),
                cpd_records::activity_date
                    .eq(today - Duration::days(10 + (r as i64 * 350) / count as i64 + (k as i64 % 9))),
                cpd_records::title.eq(title),
                cpd_records::activity_type.eq(kind),
                cpd_records::hours.eq(hours),
                cpd_records::participatory.eq(participatory),
                cpd_records::reflective.eq(r % 3 == 0),
                cpd_records::created_at.eq(now),
            ));
        }
    }
    crate::db::insert_batch(conn, cpd_records::table, &cpd_rows)?;

    // Monthly group supervision for the technicians and case workers, led by a SCPHN nurse; at
    // about a fifth of the providers it stopped some months ago, and a few people miss sessions.
    let mut by_provider: std::collections::HashMap<ProviderId, (Option<i32>, Vec<i32>)> =
        std::collections::HashMap::new();
    for (staff_id, provider, discipline) in &people {
        let entry = by_provider.entry(*provider).or_default();
        match discipline {
            Discipline::OhNurseScphn if entry.0.is_none() => entry.0 = Some(*staff_id),
            Discipline::OhTechnician | Discipline::NonClinicalCaseWorker => entry.1.push(*staff_id),
            _ => {}
        }
    }
    let mut session_rows = Vec::new();
    let mut planned = Vec::new();
    for p in providers {
        let Some((Some(supervisor), supervised)) = by_provider.get(&p.id) else { continue };
        let stopped = if vary(p.index, 900) < 20 { 4 + vary(p.index, 901) % 4 } else { 0 };
        for month in stopped..12 {
            let date = today - Duration::days(5 + month as i64 * 30);
            session_rows.push((
                supervision_sessions::provider_id.eq(p.id),
                supervision_sessions::session_date.eq(date),
                supervision_sessions::kind.eq(super::model::SupervisionKind::Group),
                supervision_sessions::supervisor_id.eq(*supervisor),
                supervision_sessions::minutes
                    .eq("Cases reviewed against the escalation criteria; no concerns outstanding."),
                supervision_sessions::cases_discussed.eq(4 + (vary(p.index, 910 + month) % 6) as i32),
                supervision_sessions::escalated_gp.eq((vary(p.index, 920 + month) % 2) as i32),
                supervision_sessions::escalated_clinical.eq((vary(p.index, 930 + month) % 3) as i32),
                supervision_sessions::escalated_specialist.eq(0),
                supervision_sessions::created_at.eq(now),
                supervision_sessions::created_by.eq(Some(p.manager)),
            ));
            planned.push((p.id, date, supervised.clone()));
        }
    }
    crate::db::insert_batch(conn, supervision_sessions::table, &session_rows)?;
    let sessions: std::collections::HashMap<(ProviderId, NaiveDate), i32> = supervision_sessions::table
        .filter(supervision_sessions::provider_id.eq_any(&ids))
        .select((supervision_sessions::provider_id, supervision_sessions::session_date, supervision_sessions::id))
        .load::<(ProviderId, NaiveDate, i32)>(conn)?
        .into_iter()
        .map(|(p, d, id)| ((p, d), id))
        .collect();
    let mut attendee_rows = Vec::new();
    for (k, (provider, date, supervised)) in planned.iter().enumerate() {
        let Some(session) = sessions.get(&(*provider, *date)) else { continue };
        for (s, staff_id) in supervised.iter().enumerate() {
            // The newest session is missed now and then: that person's supervision may be late.
            if vary(k, 950 + s) >= 90 {
                continue;
            }
            attendee_rows
                .push((supervision_attendees::session_id.eq(*session), supervision_attendees::staff_id.eq(*staff_id)));
        }
    }
    crate::db::insert_batch(conn, supervision_attendees::table, &attendee_rows)?;
    for p in providers {
        let staff_count = people.iter().filter(|(_, provider, _)| *provider == p.id).count();
        let sessions = planned.iter().filter(|(provider, ..)| *provider == p.id).count();
        crate::accounts::demo::record_generated(
            conn,
            p,
            "workforce",
            vec![
                ("staff", json(staff_count)),
                ("cpd_records", json(cpd_count.get(&p.id).copied().unwrap_or(0))),
                ("supervision_sessions", json(sessions)),
            ],
        )?;
    }
    Ok(())
}
