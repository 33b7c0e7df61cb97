//! Customer reviews on both backends, through the pages: recorded by either side and confirmed by
//! the other, the same side refused (409, nothing written), a commissioner without a current
//! contract kept out (404), bad input refused at its fields with nothing written, each change's
//! history row, and the overdue notice on both sides' pages.

mod support;

use chrono::Duration;
use diesel::prelude::*;
use ohgov::accounts::model::NewContract;
use ohgov::db::schema::{customer_reviews, history};
use ohgov::db::{DbConnection, ProviderId};
use support::{browser_signed_in, form_token, PASSWORD};

const MANAGER: (&str, &str) = ("manager@northshire-oh.example", "demo-manager-2026");
const COMMISSIONER: (&str, &str) = ("commissioner@northshire-nhs.example", "demo-commissioner-2026");
const TRUST: &str = "Northshire Teaching Hospitals NHS Trust";

/// The demo's organisations and people: Northshire, contracted by the trust since 1 April, and
/// Southvale, with no contract. Returns (Northshire, Southvale, the trust).
fn world(conn: &mut DbConnection) -> (ProviderId, ProviderId, i32) {
    ohgov::accounts::demo::seed(conn, support::today()).unwrap();
    let id = |conn: &mut DbConnection, name: &str| -> i32 {
        use ohgov::db::schema::organisations;
        organisations::table.filter(organisations::name.eq(name)).select(organisations::id).first(conn).unwrap()
    };
    let northshire = ProviderId(id(conn, "Northshire OH Service"));
    let southvale = ProviderId(id(conn, "Southvale Occupational Health Ltd"));
    (northshire, southvale, id(conn, TRUST))
}

/// Each review as (recorded side, whether confirmed), oldest first.
fn stored(conn: &mut DbConnection, provider: ProviderId) -> Vec<(String, bool)> {
    customer_reviews::table
        .filter(customer_reviews::provider_id.eq(provider))
        .order(customer_reviews::id)
        .select((customer_reviews::recorded_side, customer_reviews::confirmed_at.is_not_null()))
        .load(conn)
        .unwrap()
}

/// The history rows about customer reviews as (action, organisation), oldest first.
fn history_rows(conn: &mut DbConnection) -> Vec<(String, Option<i32>)> {
    history::table
        .filter(history::entity.eq("customer_review"))
        .order(history::id)
        .select((history::action, history::organisation_id))
        .load(conn)
        .unwrap()
}

async fn get(client: &reqwest::Client, url: String) -> (u16, String) {
    let response = client.get(url).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Posts a form with the token of the page at `form_url`; returns the status, where it leads and
/// the page.
async fn post(client: &reqwest::Client, form_url: &str, url: String, fields: &[(&str, &str)]) -> (u16, String, String) {
    let (_, page) = get(client, form_url.to_string()).await;
    let token = form_token(&page);
    let mut form: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    let response = client.post(url).form(&form).send().await.unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

/// The review's id from the address a save leads to.
fn review_id(location: &str) -> String {
    location.rsplit('/').next().unwrap().to_string()
}

on_both_backends!(
    each_side_records_and_only_the_other_side_confirms,
    app | app | {
        let mut conn = app.db.migrated();
        let (northshire, _, trust) = world(&mut conn);
        let base = format!("{}/providers/{northshire}/customer-reviews", app.address);
        let new = format!("{base}/new");
        let held = (support::today() - Duration::days(3)).to_string();
        let trust_id = trust.to_string();
        let (manager, _) = browser_signed_in(&app, MANAGER.0, MANAGER.1).await;
        let (commissioner, _) = browser_signed_in(&app, COMMISSIONER.0, COMMISSIONER.1).await;

        // The provider records one, choosing the trust.
        let (status, page) = get(&manager, new.clone()).await;
        assert_eq!(status, 200);
        assert!(page.contains(TRUST), "the trust is offered");
        let fields = [
            ("commissioner_id", trust_id.as_str()),
            ("held_on", held.as_str()),
            ("attendees", "Priya Raman; Helen Marsh"),
            ("topics", "Referral turnaround"),
            ("outcomes", "On target at 91%"),
            ("agreed_actions", "Report monthly"),
        ];
        let (status, location, _) = post(&manager, &new, base.clone(), &fields).await;
        assert_eq!(status, 303);
        let first = review_id(&location);
        assert_eq!(stored(&mut conn, northshire), [("provider".to_string(), false)]);
        assert_eq!(history_rows(&mut conn), [("create".to_string(), Some(northshire.0))]);

        // The provider's own side cannot confirm it: 409 with the reason, nothing written.
        let page_url = format!("{base}/{first}");
        let (status, _, body) = post(&manager, &page_url, format!("{page_url}/confirm"), &[]).await;
        assert_eq!(status, 409);
        assert!(body.contains("someone of the other side confirms it"), "{body}");
        assert_eq!(stored(&mut conn, northshire), [("provider".to_string(), false)]);
        assert_eq!(history_rows(&mut conn).len(), 1);

        // The commissioner sees it, is offered the button, and confirms it.
        let (status, page) = get(&commissioner, page_url.clone()).await;
        assert_eq!(status, 200);
        assert!(page.contains("Confirm this review") && page.contains("Referral turnaround"));
        let (status, _, _) = post(&commissioner, &page_url, format!("{page_url}/confirm"), &[]).await;
        assert_eq!(status, 303);
        assert_eq!(stored(&mut conn, northshire), [("provider".to_string(), true)]);
        assert_eq!(history_rows(&mut conn).last(), Some(&("confirm".to_string(), Some(northshire.0))));
        // Twice is refused.
        let (status, _, body) = post(&commissioner, &page_url, format!("{page_url}/confirm"), &[]).await;
        assert_eq!(status, 409);
        assert!(body.contains("already been confirmed"), "{body}");

        // The commissioner records one with its own organisation (no choice to make); the
        // provider confirms it.
        let fields = [
            ("held_on", held.as_str()),
            ("attendees", "Helen Marsh; Priya Raman"),
            ("topics", "Winter flu campaign"),
            ("outcomes", "Peer vaccinators on every ward"),
        ];
        let (status, location, _) = post(&commissioner, &new, base.clone(), &fields).await;
        assert_eq!(status, 303);
        let second = review_id(&location);
        let (status, _, _) =
            post(&commissioner, &format!("{base}/{second}"), format!("{base}/{second}/confirm"), &[]).await;
        assert_eq!(status, 409, "the commissioner recorded it");
        let (status, _, _) = post(&manager, &format!("{base}/{second}"), format!("{base}/{second}/confirm"), &[]).await;
        assert_eq!(status, 303);
        assert_eq!(stored(&mut conn, northshire), [("provider".to_string(), true), ("commissioner".to_string(), true)]);
        let actions: Vec<String> = history_rows(&mut conn).into_iter().map(|(a, _)| a).collect();
        assert_eq!(actions, ["create", "confirm", "create", "confirm"]);

        // Both appear on the list, to both sides.
        for client in [&manager, &commissioner] {
            let (status, list) = get(client, base.clone()).await;
            assert_eq!(status, 200);
            assert!(list.contains("Referral turnaround") && list.contains("Winter flu campaign"));
        }
    }
);

on_both_backends!(
    bad_input_is_refused_at_its_fields_and_nothing_is_written,
    app | app | {
        let mut conn = app.db.migrated();
        let (northshire, southvale, _) = world(&mut conn);
        let base = format!("{}/providers/{northshire}/customer-reviews", app.address);
        let new = format!("{base}/new");
        let (manager, _) = browser_signed_in(&app, MANAGER.0, MANAGER.1).await;
        let tomorrow = (support::today() + Duration::days(1)).to_string();
        let southvale_id = southvale.0.to_string();
        let (status, _, page) = post(
            &manager,
            &new,
            base.clone(),
            &[
                ("commissioner_id", southvale_id.as_str()),
                ("held_on", tomorrow.as_str()),
                ("attendees", "Priya Raman"),
                ("topics", "  "),
                ("outcomes", "Nothing"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("the day cannot be in the future"), "{page}");
        assert!(page.contains("Enter the topics discussed"), "{page}");
        // A commissioner with no contract with the service is refused at its field.
        let today = support::today().to_string();
        let (status, _, page) = post(
            &manager,
            &new,
            base.clone(),
            &[
                ("commissioner_id", southvale_id.as_str()),
                ("held_on", today.as_str()),
                ("attendees", "Priya Raman"),
                ("topics", "Turnaround"),
                ("outcomes", "Fine"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("Choose a commissioner that holds a current contract"), "{page}");
        assert!(stored(&mut conn, northshire).is_empty());
        assert!(history_rows(&mut conn).is_empty());
    }
);

on_both_backends!(
    a_commissioner_without_a_current_contract_is_not_told_the_provider_exists,
    app | app | {
        let mut conn = app.db.migrated();
        let (_, southvale, _) = world(&mut conn);
        let (commissioner, _) = browser_signed_in(&app, COMMISSIONER.0, COMMISSIONER.1).await;
        let base = format!("{}/providers/{southvale}/customer-reviews", app.address);
        for url in [base.clone(), format!("{base}/new")] {
            assert_eq!(get(&commissioner, url).await.0, 404);
        }
        let (_, own) = get(&commissioner, format!("{}/providers", app.address)).await;
        let token = form_token(&own);
        let today = support::today().to_string();
        let form = [
            ("csrf_token", token.as_str()),
            ("held_on", today.as_str()),
            ("attendees", "Helen Marsh"),
            ("topics", "Turnaround"),
            ("outcomes", "Fine"),
        ];
        let status = commissioner.post(base).form(&form).send().await.unwrap().status().as_u16();
        assert_eq!(status, 404);
        assert!(stored(&mut conn, southvale).is_empty());
    }
);

on_both_backends!(
    an_overdue_review_is_noticed_on_both_sides_until_one_is_confirmed,
    app | app | {
        let mut conn = app.db.migrated();
        let (_, _, trust) = world(&mut conn);
        // A service the trust has paid for more than six months with no review held.
        let eastmoor = support::service(&mut conn, "Eastmoor OH", "eastmoor");
        let contract = NewContract {
            commissioner_id: trust,
            provider_id: eastmoor.provider,
            starts_on: support::today() - Duration::days(200),
            ends_on: None,
            services: vec![],
        };
        ohgov::accounts::store::create_contract(&mut conn, None, &contract).unwrap();
        let (manager, _) = browser_signed_in(&app, "manager@eastmoor.example", PASSWORD).await;
        let (commissioner, _) = browser_signed_in(&app, COMMISSIONER.0, COMMISSIONER.1).await;
        let provider = eastmoor.provider;
        let notice = format!("A customer review with {TRUST} is overdue");
        let pages = [
            format!("{}/providers/{provider}", app.address),
            format!("{}/providers/{provider}/customer-reviews", app.address),
        ];
        for client in [&manager, &commissioner] {
            for page in &pages {
                let (status, body) = get(client, page.clone()).await;
                assert_eq!(status, 200);
                assert!(body.contains(&notice), "{page}: {body}");
            }
        }

        // Recorded is not enough: the notice stays until the other side confirms.
        let base = pages[1].clone();
        let yesterday = (support::today() - Duration::days(1)).to_string();
        let fields = [
            ("held_on", yesterday.as_str()),
            ("attendees", "Helen Marsh; the manager"),
            ("topics", "The first six months"),
            ("outcomes", "Agreed the KPIs"),
        ];
        let (status, location, _) = post(&commissioner, &format!("{base}/new"), base.clone(), &fields).await;
        assert_eq!(status, 303);
        assert!(get(&manager, pages[0].clone()).await.1.contains(&notice));
        let review = format!("{base}/{}", review_id(&location));
        let (status, _, _) = post(&manager, &review, format!("{review}/confirm"), &[]).await;
        assert_eq!(status, 303);
        for client in [&manager, &commissioner] {
            for page in &pages {
                assert!(!get(client, page.clone()).await.1.contains(&notice), "{page}");
            }
        }
    }
);
