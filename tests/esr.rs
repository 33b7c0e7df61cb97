//! The ESR declaration on both backends: saved from its page with its history row, shown in words
//! with its evidence linked, changed with only what changed recorded, and refused (nothing written)
//! for an interface outside the list, a day in the future, or another provider's evidence.

mod support;

use chrono::Duration;
use diesel::prelude::*;
use ohgov::db::schema::{esr_declarations, history};
use ohgov::db::{DbConnection, ProviderId};
use support::{browser_signed_in, form_token, service, PASSWORD};

/// A note in the provider's library; returns its id.
fn note(conn: &mut DbConnection, provider: ProviderId, title: &str) -> i32 {
    let details = ohgov::evidence::model::EvidenceInput {
        kind: "note".into(),
        title: title.into(),
        description: "Nightly feed from ESR".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    ohgov::evidence::store::add(conn, None, provider, None, &details, None).unwrap()
}

fn declaration(conn: &mut DbConnection, provider: ProviderId) -> Option<(String, Option<i32>)> {
    esr_declarations::table
        .find(provider)
        .select((esr_declarations::interface, esr_declarations::evidence_series_id))
        .first(conn)
        .optional()
        .unwrap()
}

fn history_rows(conn: &mut DbConnection) -> Vec<(String, String)> {
    history::table
        .filter(history::entity.eq("esr_declaration"))
        .order(history::id)
        .select((history::action, history::changes))
        .load(conn)
        .unwrap()
}

async fn save(client: &reqwest::Client, url: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let page = client.get(url).send().await.unwrap().text().await.unwrap();
    let token = form_token(&page);
    let mut form = vec![("csrf_token", token.as_str())];
    form.extend_from_slice(fields);
    let response = client.post(url).form(&form).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

on_both_backends!(
    the_declaration_is_saved_with_its_history_and_bad_input_is_refused,
    app | app | {
        let mut conn = app.db.migrated();
        let s = service(&mut conn, "Northshire OH Service", "northshire");
        let other = service(&mut conn, "Southvale OH", "southvale");
        let item = note(&mut conn, s.provider, "ESR interface specification");
        let theirs = note(&mut conn, other.provider, "Southvale's ESR note");
        let url = format!("{}/providers/{}/esr", app.address, s.provider);
        let (manager, _) = browser_signed_in(&app, "manager@northshire.example", PASSWORD).await;
        let today = support::today().to_string();
        let tomorrow = (support::today() + Duration::days(1)).to_string();
        let (item_id, theirs_id) = (item.to_string(), theirs.to_string());

        let page = manager.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("No declaration made") && page.contains("No staff import yet"));

        // Refused, nothing written: an interface outside the list, a future day, another's item.
        let (status, page) =
            save(&manager, &url, &[("interface", "sometimes"), ("declared_on", tomorrow.as_str())]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Choose how the information system exchanges data with ESR"));
        assert!(page.contains("cannot be in the future"));
        let (status, page) = save(
            &manager,
            &url,
            &[("interface", "one_way"), ("declared_on", today.as_str()), ("evidence_id", theirs_id.as_str())],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("Choose one of the service"), "{page}");
        assert_eq!(declaration(&mut conn, s.provider), None);
        assert!(history_rows(&mut conn).is_empty());

        // Saved, shown in words with the evidence linked, and recorded.
        let (status, _) = save(
            &manager,
            &url,
            &[("interface", "one_way"), ("declared_on", today.as_str()), ("evidence_id", item_id.as_str())],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(declaration(&mut conn, s.provider), Some(("one_way".to_string(), Some(item))));
        let rows = history_rows(&mut conn);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, "create");
        assert!(rows[0].1.contains("one_way"), "{}", rows[0].1);
        let (viewer, _) = browser_signed_in(&app, "viewer@northshire.example", PASSWORD).await;
        let page = viewer.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Receives staff data from ESR, sends nothing back"));
        assert!(page.contains(&format!("/providers/{}/evidence/{item}\">ESR interface specification", s.provider)));
        assert!(!page.contains("Save the declaration"), "a viewer is not offered the form");

        // Changed: only the interface is recorded as changed.
        let (status, _) = save(
            &manager,
            &url,
            &[("interface", "bidirectional"), ("declared_on", today.as_str()), ("evidence_id", item_id.as_str())],
        )
        .await;
        assert_eq!(status, 303);
        let rows = history_rows(&mut conn);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].0, "update");
        assert!(rows[1].1.contains("bidirectional") && !rows[1].1.contains("declared_on"), "{}", rows[1].1);
        assert_eq!(declaration(&mut conn, s.provider), Some(("bidirectional".to_string(), Some(item))));
    }
);
