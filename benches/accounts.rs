//! What users wait for in accounts and history: signing in (argon2id on purpose), the access
//! check every provider page makes, appending to the audit trail, and `ohgov verify-log`.
//!
//! `cargo bench --bench accounts` prints the median and slowest of each, on a fresh SQLite file.

mod support;

use ohgov::accounts::access::{decide, Capability};
use ohgov::accounts::model::{OrganisationInput, UserInput};
use ohgov::accounts::store::{self, Grant};
use ohgov::accounts::Role;
use ohgov::db::{self, DatabaseTarget};
use ohgov::history::{Change, Entry};

fn main() {
    let history_key = support::install_history_key();
    let dir = tempfile::tempdir().expect("temporary folder");
    let target = DatabaseTarget::Sqlite(dir.path().join("bench.db"));
    let mut conn = db::establish(&target).expect("connect");
    db::run_migrations(&mut conn).expect("migrate");
    let provider = OrganisationInput { kind: "provider".into(), name: "Bench OH".into(), ..Default::default() };
    let provider = store::create_organisation(&mut conn, None, &provider.parse().unwrap()).unwrap();
    let user = UserInput {
        email: "bench@example.nhs.uk".into(),
        name: "Bench".into(),
        password: "a long enough passphrase".into(),
        is_admin: false,
    };
    let grant = Grant { organisation_id: provider, role: Role::Manager, expires_on: None };
    let user_id = store::create_user(&mut conn, None, &user.parse().unwrap(), Some(grant)).unwrap();

    let now = chrono::Utc::now().naive_utc();
    support::measure("sign in with the right password (argon2id verify)", 20, || {
        let outcome = store::sign_in(&mut conn, "bench@example.nhs.uk", "a long enough passphrase", "127.0.0.1", now);
        assert!(outcome.unwrap().is_ok());
    });
    let today = now.date();
    support::measure("access check: load memberships and contracts, decide", 500, || {
        let (held, contracts) = store::access_facts(&mut conn, user_id).unwrap();
        assert_eq!(
            decide(&held, &contracts, ohgov::db::ProviderId(provider), Capability::Manage, today),
            ohgov::accounts::access::Access::Allowed
        );
    });
    let entry = Entry {
        user_id: Some(user_id),
        organisation_id: Some(provider),
        entity: "assessment".into(),
        entity_id: "GF1".into(),
        action: "update".into(),
        changes: vec![Change { field: "result".into(), before: "not_assessed".into(), after: "met".into() }],
    };
    support::measure("append one history row in its own transaction", 200, || {
        db::write_transaction(&mut conn, |c| ohgov::history::store::record(c, &entry)).unwrap();
    });
    for _ in 0..10_000 {
        db::write_transaction(&mut conn, |c| ohgov::history::store::record(c, &entry)).unwrap();
    }
    support::measure("verify-log over ~10,200 history rows", 10, || {
        let verified = ohgov::history::store::verify(&mut conn, &history_key).unwrap().unwrap();
        assert!(verified.rows > 10_000);
    });
}
