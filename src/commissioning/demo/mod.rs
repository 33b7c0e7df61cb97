//! The commissioning area's part of the fictional service: customer reviews and ESR declarations
//! (`seed`), and the generated providers of `ohgov demo --scale N` (`scale`).

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use crate::accounts::demo::{demo_organisation, demo_provider, DEMO_COMMISSIONER};
use crate::commissioning::model::{EsrInput, ReviewInput, ReviewSide};
use crate::commissioning::store::{esr, reviews};
use crate::db::schema::{customer_reviews, users};
use crate::db::{DbConnection, ProviderId, StoreError, UserId};

pub mod scale;

/// The demo's second provider: contracted by the same trust a year ago and never reviewed, so its
/// customer review is overdue on both sides' pages.
const OVERDUE_PROVIDER: &str = "Southvale Occupational Health Ltd";

/// Seeds the demo's customer reviews and ESR declarations, given today's date, unless the demo
/// provider has reviews already. Between the demo provider and the trust: a review confirmed in the
/// last six months and one awaiting the provider's confirmation. The trust also contracts Southvale,
/// with no review since its contract started more than six months ago. Northshire declares a
/// one-way feed from ESR, with the interface document as its evidence.
pub fn seed(conn: &mut DbConnection, today: NaiveDate) -> Result<(), StoreError> {
    let Some(provider) = demo_provider(conn)? else { return Ok(()) };
    let held: i64 =
        customer_reviews::table.filter(customer_reviews::provider_id.eq(provider)).count().get_result(conn)?;
    if held > 0 {
        return Ok(());
    }
    let user = |conn: &mut DbConnection, email: &str| -> QueryResult<Option<UserId>> {
        users::table.filter(users::email.eq(email)).select(users::id).first(conn).optional()
    };
    let (Some(manager), Some(commissioner_user), Some(trust)) = (
        user(conn, "manager@northshire-oh.example")?,
        user(conn, "commissioner@northshire-nhs.example")?,
        demo_organisation(conn, DEMO_COMMISSIONER)?,
    ) else {
        return Ok(());
    };
    let at = |day: NaiveDate| day.and_hms_opt(15, 30, 0).unwrap_or_default();
    let provider_side = reviews::Standing { side: ReviewSide::Provider, commissioners: Vec::new() };
    let trust_side = reviews::Standing { side: ReviewSide::Commissioner, commissioners: vec![trust] };

    let summer = today - Duration::days(75);
    let confirmed = ReviewInput {
        commissioner_id: trust.to_string(),
        held_on: summer.to_string(),
        attendees: "Priya Raman (OH service manager), Dr Alasdair Finch (clinical director); Helen Marsh \
                    (deputy director of people, the trust)"
            .into(),
        topics: "Management referral turnaround against the five-working-day KPI; the flu campaign plan; \
                 the vacancy in the OH nursing team and the contingency plan covering it."
            .into(),
        outcomes: "Referral turnaround at 88% within five working days, up from 79%. Flu campaign to start \
                   in October with peer vaccinators on every ward."
            .into(),
        agreed_actions: "The service to report turnaround monthly to the trust's people committee; the trust \
                         to fund a band 6 OH nurse post from January."
            .into(),
    };
    let id = reviews::record(conn, manager, provider, &provider_side, &confirmed, today, at(summer))?;
    reviews::confirm(conn, commissioner_user, provider, &trust_side, id, at(summer + Duration::days(3)))?;

    let recent = today - Duration::days(9);
    let awaiting = ReviewInput {
        commissioner_id: trust.to_string(),
        held_on: recent.to_string(),
        attendees: "Helen Marsh (the trust); Priya Raman (OH service manager)".into(),
        topics: "Winter pressures on the musculoskeletal pathway; the ESR interface going both ways.".into(),
        outcomes: "Fast-track physiotherapy to continue through March. The two-way ESR feed is not yet \
                   possible: the service will ask its system supplier for a date."
            .into(),
        agreed_actions: "The service to send the supplier's date for the two-way ESR feed.".into(),
    };
    reviews::record(conn, commissioner_user, provider, &trust_side, &awaiting, today, at(recent))?;

    if let Some(southvale) = demo_organisation(conn, OVERDUE_PROVIDER)? {
        let southvale = ProviderId(southvale);
        let current = crate::accounts::store::current_commissioners(conn, southvale, today)?;
        if !current.iter().any(|(id, _, _)| *id == trust) {
            let contract = crate::accounts::model::NewContract {
                commissioner_id: trust,
                provider_id: southvale,
                starts_on: today - Duration::days(400),
                ends_on: None,
                services: ["PREV", "TIME"].map(String::from).to_vec(),
            };
            crate::accounts::store::create_contract(conn, None, &contract)?;
        }
    }

    // The interface document the declaration points to.
    let document = crate::evidence::model::EvidenceInput {
        kind: "note".into(),
        title: "ESR interface: nightly staff feed into the OH system".into(),
        description: "The OH system receives new starters, leavers and changes of post from ESR every night. \
                      Nothing is sent back to ESR yet: immunisation status is exchanged by the information-sharing \
                      agreement instead."
            .into(),
        effective_on: (today - Duration::days(140)).to_string(),
        review_due: (today + Duration::days(225)).to_string(),
        ..Default::default()
    }
    .parse()?;
    let item = crate::evidence::store::add(conn, Some(manager), provider, None, &document, None)?;
    let declaration = EsrInput {
        interface: "one_way".into(),
        declared_on: (today - Duration::days(120)).to_string(),
        evidence_id: item.to_string(),
    };
    esr::save(conn, manager, provider, &declaration, today, at(today - Duration::days(120)))?;
    Ok(())
}
