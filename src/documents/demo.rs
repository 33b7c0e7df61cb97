//! The documents' part of the fictional service: the words of last year's and this year's quality
//! reports, and last year's approved as version 1 by the demo clinical director, so the pages show
//! a frozen version beside a draft.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use super::report::{self, SignOff};
use super::store::reports::{self, Approval, WordsInput};
use crate::clock::FinancialYear;
use crate::db::schema::users;
use crate::db::{DbConnection, UserId};

/// The demo clinical director, who approves last year's report.
const DIRECTOR_EMAIL: &str = "director@northshire-oh.example";
/// The demo manager, who writes the words.
const MANAGER_EMAIL: &str = "manager@northshire-oh.example";

fn words(year: FinancialYear, last: bool) -> WordsInput {
    let next = FinancialYear::starting_in(year.start_year() + 1).map(|y| y.to_string()).unwrap_or_default();
    WordsInput {
        pledge_narrative: format!(
            "Staff of our host trust and our contracted employers can refer themselves to the service, by phone or \
             online, without waiting for their manager. In {year} we offered same-week physiotherapy for \
             musculoskeletal problems, a menopause clinic run with the trust’s women’s health team, and a \
             fast-track for staff affected by violence at work.\n\nOur own team of {} works under the same \
             support: every clinician has monthly supervision and the non-clinical case workers meet a nurse \
             adviser each fortnight.",
            if last { "nineteen" } else { "twenty-one" }
        ),
        research_this_year: if last {
            "We took part in the national audit of sickness absence management and presented our needle-stick \
             injury follow-up results at the Society of Occupational Medicine’s annual scientific meeting."
                .into()
        } else {
            "Dr Siân Morgan leads our part in a multi-site study of return-to-work after long COVID; 42 staff have \
             joined so far. Chloé Martin, OH nurse, completed her master’s dissertation on night-shift fatigue."
                .into()
        },
        research_next_year: format!(
            "In {next} we will publish the long COVID study’s first results and start an evaluation of our \
             mental health self-referral pathway with the trust’s research office."
        ),
        plans_next_year: format!(
            "1. Apply for SEQOHS accreditation visit in {next}.\n2. Bring the physiotherapy arrangement in-house \
             when the current agreement ends.\n3. Reduce the time from referral to first appointment to under \
             10 working days in every month."
        ),
    }
}

fn user_id(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserId>> {
    users::table.filter(users::email.eq(email)).select(users::id).first::<i32>(conn).optional().map(|id| id.map(UserId))
}

/// Adds the reports' words and last year's approved version unless the demo provider has a
/// report already.
pub fn seed(conn: &mut DbConnection, today: NaiveDate) -> anyhow::Result<()> {
    let Some(provider_id) = crate::accounts::demo::demo_provider(conn)? else { return Ok(()) };
    let (Some(manager), Some(director)) = (user_id(conn, MANAGER_EMAIL)?, user_id(conn, DIRECTOR_EMAIL)?) else {
        return Ok(());
    };
    let this_year = FinancialYear::containing(today);
    let Some(last_year) = FinancialYear::starting_in(this_year.start_year() - 1) else { return Ok(()) };
    if reports::words(conn, provider_id, last_year)? != Default::default() {
        return Ok(());
    }
    let written = last_year.ends_on().and_hms_opt(16, 0, 0).unwrap_or_default();
    reports::save_words(conn, manager, provider_id, last_year, &words(last_year, true), written)?;
    let approved_on = (last_year.ends_on() + Duration::days(61)).min(today);
    let at = approved_on.and_hms_opt(11, 30, 0).unwrap_or_default();
    let sign_off = SignOff::Approved { by_name: "Dr Alasdair Finch".into(), on: approved_on, version: 1 };
    let drawn = report::build_signed(
        conn,
        provider_id,
        last_year,
        approved_on,
        at,
        crate::config::DEFAULT_SUPERVISION_DAYS,
        sign_off,
    )?;
    let file_name =
        super::file_name(&drawn.provider_name, &format!("quality report {} version 1", last_year.url()), approved_on);
    let made = super::make(&drawn.document, file_name)?;
    let approval = Approval { version: 1, bytes: &made.bytes, sha256: &made.sha256, file_name: &made.file_name };
    reports::approve(conn, director, provider_id, last_year, &approval, at)?;
    let now = today.and_hms_opt(9, 0, 0).unwrap_or_default();
    reports::save_words(conn, manager, provider_id, this_year, &words(this_year, false), now)?;
    Ok(())
}
