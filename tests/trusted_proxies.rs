//! `OHGOV_TRUSTED_PROXIES` through the application: behind a trusted proxy, the sign-in throttle
//! and the forgot-password limit key on each client's address from `X-Forwarded-For`; from an untrusted peer the header
//! is ignored, so varying it does not escape the limit. (The rule itself is unit-tested in
//! `web::client`.)

mod support;

use support::{Backend, Seed, TestApp, TestDb};

/// Asks for a reset link for an unknown, well-formed email as `forwarded_for`; the status.
async fn ask(app: &TestApp, browser: &reqwest::Client, forwarded_for: &str) -> u16 {
    let page = browser
        .get(format!("{}/forgot-password", app.address))
        .header("X-Forwarded-For", forwarded_for)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = support::form_token(&page);
    browser
        .post(format!("{}/forgot-password", app.address))
        .header("X-Forwarded-For", forwarded_for)
        .form(&[("csrf_token", token.as_str()), ("email", "nobody@north.example")])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Signs in as `email` as `forwarded_for`; the status (303 signed in, 401 refused).
async fn sign_in(app: &TestApp, email: &str, password: &str, forwarded_for: &str) -> u16 {
    let browser = TestApp::new_browser();
    let page = browser
        .get(format!("{}/sign-in", app.address))
        .header("X-Forwarded-For", forwarded_for)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = support::form_token(&page);
    browser
        .post(format!("{}/sign-in", app.address))
        .header("X-Forwarded-For", forwarded_for)
        .form(&[("csrf_token", token.as_str()), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

const MANAGER: &str = "manager@proxied.example";

async fn app(backend: Backend, trusted: &[&str]) -> Option<TestApp> {
    let db = TestDb::with(backend, Seed::Catalogue)?;
    support::service(&mut db.migrated(), "Proxied OH Service", "proxied");
    let mut settings = db.settings();
    settings.trusted_proxies = trusted.iter().map(|a| a.parse().unwrap()).collect();
    Some(TestApp::spawn_with(db, settings).await)
}

async fn clients_behind_a_trusted_proxy_are_limited_separately(backend: Backend) {
    // The tests' server sees every request from 127.0.0.1: here, the proxy.
    let Some(app) = app(backend, &["127.0.0.1"]).await else { return };
    let (first, second) = (TestApp::new_browser(), TestApp::new_browser());
    let limit = ohgov::accounts::links::RESET_REQUESTS_PER_ADDRESS;
    for n in 0..limit {
        assert_eq!(ask(&app, &first, "198.51.100.1").await, 303, "request {n} of the first client");
    }
    assert_eq!(ask(&app, &first, "198.51.100.1").await, 429, "the first client is limited");
    // A claim the first client writes itself, left of what the proxy saw, changes nothing.
    assert_eq!(ask(&app, &first, "192.0.2.50, 198.51.100.1").await, 429);
    assert_eq!(ask(&app, &second, "198.51.100.2").await, 303, "the second client is not");

    // The sign-in throttle: one client's guesses across accounts stop that client only.
    for n in 0..ohgov::accounts::model::ADDRESS_FAILURE_LIMIT {
        assert_eq!(sign_in(&app, &format!("guess{n}@proxied.example"), "wrong", "198.51.100.1").await, 401);
    }
    assert_eq!(sign_in(&app, MANAGER, support::PASSWORD, "198.51.100.1").await, 401, "the guesser is throttled");
    assert_eq!(sign_in(&app, MANAGER, support::PASSWORD, "198.51.100.2").await, 303, "the other client signs in");
}

async fn an_untrusted_peers_forwarded_for_is_ignored(backend: Backend) {
    let Some(app) = app(backend, &[]).await else { return };
    let browser = TestApp::new_browser();
    let limit = ohgov::accounts::links::RESET_REQUESTS_PER_ADDRESS;
    for n in 0..limit {
        assert_eq!(ask(&app, &browser, &format!("203.0.113.{n}")).await, 303);
    }
    assert_eq!(ask(&app, &browser, "203.0.113.99").await, 429, "every request was the peer's");
}

mod separately {
    use super::*;

    #[actix_web::test]
    async fn sqlite() {
        if support::selected(Backend::Sqlite) {
            clients_behind_a_trusted_proxy_are_limited_separately(Backend::Sqlite).await
        }
    }

    #[actix_web::test]
    async fn postgres() {
        clients_behind_a_trusted_proxy_are_limited_separately(Backend::Postgres).await
    }
}

mod untrusted {
    use super::*;

    #[actix_web::test]
    async fn sqlite() {
        if support::selected(Backend::Sqlite) {
            an_untrusted_peers_forwarded_for_is_ignored(Backend::Sqlite).await
        }
    }

    #[actix_web::test]
    async fn postgres() {
        an_untrusted_peers_forwarded_for_is_ignored(Backend::Postgres).await
    }
}
